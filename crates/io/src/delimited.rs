//! Delimited text: CSV, TSV, semicolon- or whitespace-separated columns with
//! comment lines and an optional header; one x column and any number of
//! intensity columns, one [`Spectrum`] each.
//!
//! The delimiter is detected from the first data line unless given (tab, then
//! semicolon, then comma, else whitespace). A header is the first non-comment
//! line that is not all numbers ([`Header::Auto`]). Decimal commas
//! (`284,8`) are rejected with the line and column unless
//! [`DelimitedOptions::decimal_comma`] is set, which needs a delimiter other
//! than the comma.
//!
//! ```
//! use interphase_io::{read_delimited, DelimitedOptions};
//! let text = "# two scans\nenergy\tscan1\tscan2\n1.0\t5\t6\n2.0\t7\t8\n";
//! let s = read_delimited(text, &DelimitedOptions::default(), "scans.tsv")?;
//! assert_eq!(s.len(), 2);
//! assert_eq!(s[1].meta.name, "scan2");
//! assert_eq!(s[1].y(), &[6.0, 8.0]);
//! # Ok::<(), interphase_io::Error>(())
//! ```

use crate::cursor::Cursor;
use crate::error::{Error, Result};
use interphase_spectra::spectrum::{Metadata, Spectrum, XQuantity};

/// Whether the first non-comment line holds column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Header {
    /// A header if the line is not all numbers.
    #[default]
    Auto,
    /// Always a header.
    Yes,
    /// Never a header (names are `column 2`, `column 3`, ...).
    No,
}

/// Options of [`read_delimited`].
#[derive(Debug, Clone, PartialEq)]
pub struct DelimitedOptions {
    /// The delimiter; `None` detects it (tab, `;`, `,`, else whitespace).
    /// `Some(' ')` means any run of whitespace.
    pub delimiter: Option<char>,
    /// Lines starting with one of these (after leading blanks) are skipped.
    pub comment_prefixes: Vec<String>,
    /// Lines skipped before anything else (vendor preambles).
    pub skip_lines: usize,
    /// Header handling.
    pub header: Header,
    /// 0-based column of x.
    pub x_column: usize,
    /// 0-based intensity columns; `None`: every column but x.
    pub y_columns: Option<Vec<usize>>,
    /// Accept `284,8` as 284.8 (needs a delimiter other than `,`).
    pub decimal_comma: bool,
}

impl Default for DelimitedOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            comment_prefixes: vec!["#".into(), "%".into(), "//".into(), ";".into()],
            skip_lines: 0,
            header: Header::Auto,
            x_column: 0,
            y_columns: None,
            decimal_comma: false,
        }
    }
}

fn looks_like_decimal_comma(field: &str) -> bool {
    let mut parts = field.splitn(2, ',');
    let (a, b) = (parts.next().unwrap_or(""), parts.next());
    matches!(b, Some(b) if !b.is_empty() && b.chars().all(|ch| ch.is_ascii_digit() || ch == 'e' || ch == 'E' || ch == '-' || ch == '+'))
        && !a.is_empty()
        && a.trim_start_matches(['-', '+'])
            .chars()
            .all(|ch| ch.is_ascii_digit())
}

/// Parses delimited text into one spectrum per intensity column. `source`
/// names the input in error messages.
pub fn read_delimited(text: &str, o: &DelimitedOptions, source: &str) -> Result<Vec<Spectrum>> {
    if o.decimal_comma && o.delimiter == Some(',') {
        return Err(Error::Invalid(
            "decimal_comma needs a delimiter other than ','".into(),
        ));
    }
    let mut c = Cursor::new(text, source);
    c.skip(o.skip_lines.min(c.remaining()), "a preamble line")?;
    let is_comment = |l: &str| {
        o.comment_prefixes
            .iter()
            .any(|p| !p.is_empty() && l.starts_with(p.as_str()))
    };
    let mut delim = o.delimiter;
    let mut names: Option<Vec<String>> = None;
    let mut ncols = 0usize;
    // the data column by column (a file of thousands of spectra is read
    // into its spectra without a row table beside them)
    let mut cols: Vec<Vec<f64>> = Vec::new();
    let mut nrows = 0usize;
    let mut first_line = 0usize;
    while c.remaining() > 0 {
        let raw = c.next("a line")?;
        let ln = c.line();
        let line = raw.trim();
        if line.is_empty() || is_comment(line) {
            continue;
        }
        let d = *delim.get_or_insert_with(|| crate::text::delimiter_of(line));
        let fields = crate::text::fields(line, d);
        let parse = |f: &str| -> Option<f64> {
            let v = if o.decimal_comma {
                f.replace(',', ".").parse::<f64>().ok()
            } else {
                f.parse::<f64>().ok()
            };
            v.filter(|v| v.is_finite())
        };
        if nrows == 0 && names.is_none() {
            let numeric = fields.iter().all(|f| parse(f).is_some());
            let header = match o.header {
                Header::Yes => true,
                Header::No => false,
                Header::Auto => !numeric,
            };
            if header {
                names = Some(
                    fields
                        .iter()
                        .map(|s| s.trim_matches('"').to_string())
                        .collect(),
                );
                ncols = fields.len();
                continue;
            }
        }
        if ncols == 0 {
            ncols = fields.len();
            first_line = ln;
        }
        if first_line == 0 {
            first_line = ln;
        }
        if fields.len() != ncols {
            return Err(c.error(
                ln,
                format!(
                    "expected {ncols} columns (as on the first row), found {}",
                    fields.len()
                ),
            ));
        }
        if cols.len() != ncols {
            cols = vec![Vec::new(); ncols];
        }
        for (col, f) in fields.iter().enumerate() {
            match parse(f) {
                Some(v) => cols[col].push(v),
                None => {
                    let hint = if d != ',' && !o.decimal_comma && looks_like_decimal_comma(f) {
                        " (a decimal comma? set decimal_comma)"
                    } else {
                        ""
                    };
                    return Err(c.error(
                        ln,
                        format!(
                            "column {}: expected a finite number, found {f:?}{hint}",
                            col + 1
                        ),
                    ));
                }
            }
        }
        nrows += 1;
    }
    if nrows < 2 {
        return Err(c.error(
            c.line(),
            format!("found {nrows} data rows; a spectrum needs at least 2"),
        ));
    }
    if ncols < 2 {
        return Err(c.error(
            first_line,
            "a data row needs at least two columns (x and one intensity)",
        ));
    }
    if o.x_column >= ncols {
        return Err(Error::Invalid(format!(
            "x column {} does not exist: the data have {ncols} columns",
            o.x_column
        )));
    }
    let ycols: Vec<usize> = match &o.y_columns {
        Some(v) => {
            if let Some(&bad) = v.iter().find(|&&k| k >= ncols) {
                return Err(Error::Invalid(format!(
                    "y column {bad} does not exist: the data have {ncols} columns"
                )));
            }
            v.clone()
        }
        None => (0..ncols).filter(|&k| k != o.x_column).collect(),
    };
    let x: std::sync::Arc<[f64]> = cols[o.x_column].as_slice().into();
    let x_name = names
        .as_ref()
        .map(|n| n[o.x_column].clone())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(ycols.len());
    for (pos, &k) in ycols.iter().enumerate() {
        // moved out unless the column is asked for again
        let y: Vec<f64> = if ycols[pos + 1..].contains(&k) {
            cols[k].clone()
        } else {
            std::mem::take(&mut cols[k])
        };
        let name = names
            .as_ref()
            .map(|n| n[k].clone())
            .unwrap_or_else(|| format!("column {}", k + 1));
        let s = Spectrum::with_shared_x(x.clone(), y)
            .map_err(|e| c.error(first_line, format!("column {}: {e}", k + 1)))?;
        let mut meta = Metadata {
            name: name.clone(),
            x_quantity: XQuantity::from_label(&x_name),
            block: Some(name),
            ..Metadata::default()
        };
        if !x_name.is_empty() {
            meta.extra.insert("x_label".into(), x_name.clone());
        }
        out.push(s.with_meta(meta));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_line_and_column() {
        let o = DelimitedOptions::default();
        let e = read_delimited("x,y\n1,2\n2,abc\n", &o, "t.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:3: column 2: expected a finite number, found \"abc\""
        );
        let e = read_delimited("1;2,5\n2;3,5\n", &o, "t.csv").unwrap_err();
        assert!(e.to_string().contains("decimal comma"), "{e}");
        let ok = read_delimited(
            "1;2,5\n2;3,5\n",
            &DelimitedOptions {
                decimal_comma: true,
                ..o.clone()
            },
            "t",
        )
        .unwrap();
        assert_eq!(ok[0].y(), &[2.5, 3.5]);
        let e = read_delimited("1 2\n2 3 4\n", &o, "t").unwrap_err();
        assert!(e.to_string().starts_with("t:2: expected 2 columns"), "{e}");
        assert!(read_delimited("", &o, "t").is_err());
        assert!(read_delimited("1 2\n", &o, "t").is_err());
        assert!(read_delimited("1 nan\n2 3\n", &o, "t").is_err());
        // x not monotonic: reported with the index
        let e = read_delimited("1 2\n3 3\n2 4\n", &o, "t").unwrap_err();
        assert!(e.to_string().contains("index 2"), "{e}");
    }

    #[test]
    fn whitespace_trailing_delimiters_and_columns() {
        let o = DelimitedOptions {
            y_columns: Some(vec![2]),
            ..Default::default()
        };
        let s = read_delimited("  1.0   5  6 \n 2.0 7 8\n", &o, "t").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].y(), &[6.0, 8.0]);
        let s = read_delimited("1,5,\n2,7,\n", &DelimitedOptions::default(), "t").unwrap();
        assert_eq!(s[0].y(), &[5.0, 7.0]);
    }
}
