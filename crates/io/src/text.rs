//! Text helpers shared by the readers: decoding, lines, fields, numbers.

/// Text from bytes: UTF-8 (a byte-order mark is dropped), or Latin-1 when the
/// bytes are not valid UTF-8 (EC-Lab, Gamry and many vendors write `µ`, `°`
/// and `²` as single bytes).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Lines with their 1-based numbers, `\r` dropped.
pub(crate) fn lines(text: &str) -> Vec<(usize, &str)> {
    text.trim_start_matches('\u{feff}')
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// The field delimiter of a data line: tab, then `;`, then `,`, else blanks.
pub(crate) fn delimiter_of(line: &str) -> char {
    if line.contains('\t') {
        '\t'
    } else if line.contains(';') {
        ';'
    } else if line.contains(',') {
        ','
    } else {
        ' '
    }
}

/// Fields of a line split at `delim` (`' '`: runs of blanks); a trailing
/// delimiter does not make an empty last field.
pub(crate) fn fields(line: &str, delim: char) -> Vec<&str> {
    let line = line.trim();
    let mut f: Vec<&str> = if delim == ' ' {
        line.split_whitespace().collect()
    } else {
        line.split(delim).map(str::trim).collect()
    };
    if f.len() > 1 && f.last().is_some_and(|s| s.is_empty()) {
        f.pop();
    }
    f
}

/// A finite number; with `decimal_comma` a field such as `100078,1` (a comma
/// and no point) reads as 100078.1.
pub(crate) fn number(field: &str, decimal_comma: bool) -> Option<f64> {
    let f = field.trim().trim_matches('"');
    let v = match f.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) if decimal_comma && f.contains(',') && !f.contains('.') => {
            f.replacen(',', ".", 1).parse::<f64>().ok()
        }
        Err(_) => None,
    }?;
    v.is_finite().then_some(v)
}

/// Whether every field of the line is a number (and there are at least `min`).
pub(crate) fn numeric_row(line: &str, min: usize) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    let d = delimiter_of(t);
    let f = fields(t, d);
    f.len() >= min && f.iter().all(|x| number(x, d != ',').is_some())
}

/// Column names of a header line: split at `delim`, or, for a header with no
/// delimiter in a table whose rows have one (ZPlot/Autolab: a quoted,
/// blank-aligned header over comma-separated rows), at runs of two or more
/// blanks. Surrounding double quotes are dropped.
pub(crate) fn header_names(line: &str, delim: char) -> Vec<String> {
    let t = line.trim().trim_matches('"').trim();
    let parts: Vec<&str> = if delim != ' ' && t.contains(delim) {
        fields(t, delim)
    } else if t.contains("  ") {
        t.split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        fields(t, if delim == ' ' { ' ' } else { delim })
    };
    parts
        .into_iter()
        .map(|s| s.trim().trim_matches('"').trim().to_string())
        .collect()
}

/// The columns of tab-separated rows under a header of `names`: every row
/// must have one field per name; decimal commas are read when
/// `decimal_comma`. Errors name the line and the column.
pub(crate) fn tab_columns(
    rows: &[(usize, &str)],
    names: &[String],
    decimal_comma: bool,
    source: &str,
) -> crate::Result<Vec<Vec<f64>>> {
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for &(ln, l) in rows {
        if l.trim().is_empty() {
            continue;
        }
        let f = fields(l, '\t');
        if f.len() != names.len() {
            return Err(crate::error::parse_err(
                source,
                ln,
                format!(
                    "{} fields, the header names {} columns",
                    f.len(),
                    names.len()
                ),
            ));
        }
        for (c, v) in f.iter().enumerate() {
            columns[c].push(number(v, decimal_comma).ok_or_else(|| {
                crate::error::parse_err(
                    source,
                    ln,
                    format!(
                        "column {} ({:?}): expected a number, found {v:?}",
                        c + 1,
                        names[c]
                    ),
                )
            })?);
        }
    }
    Ok(columns)
}

/// A file's stem, for naming its records (the whole name when it has none).
pub(crate) fn stem(source: &str) -> String {
    std::path::Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(source)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_fields() {
        assert_eq!(number("1e3", false), Some(1000.0));
        assert_eq!(number("100078,1", true), Some(100078.1));
        assert_eq!(number("100078,1", false), None);
        assert_eq!(number("1,000.5", true), None);
        assert_eq!(number("nan", true), None);
        assert_eq!(fields("1\t2\t3\t", '\t'), vec!["1", "2", "3"]);
        assert_eq!(fields("  1  2 3 ", ' '), vec!["1", "2", "3"]);
        assert!(numeric_row("1;2,5;3", 3));
        assert!(!numeric_row("f;re;im", 3));
        assert_eq!(
            header_names("\"  Freq (Hz)    Ampl   Z'(a)    Z''(b)\"", ','),
            vec!["Freq (Hz)", "Ampl", "Z'(a)", "Z''(b)"]
        );
    }
}
