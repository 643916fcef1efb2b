//! Readers of impedance data: delimited text (frequency, Re Z, Im Z), BioLogic
//! EC-Lab `.mpt` text exports, Gamry `.DTA` and Scribner ZPlot/ZView `.z`.
//!
//! Each returns an [`ImpedanceSpectrum`] or an error naming the file and the
//! 1-based line; files are decoded as UTF-8 or, failing that, Latin-1 (EC-Lab
//! and Gamry write `µ`, `²` and `°` as single bytes); [`read_path`] refuses
//! files above [`MAX_FILE_BYTES`]. Nothing is reserved from header claims.
//!
//! ```
//! use interphase_eis::io::{read_delimited, ImagSign};
//! // EC-Lab style columns: f, Re Z, −Im Z (positive for capacitive points)
//! let text = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n1000\t10.5\t2.0\n10\t40.0\t15.0\n";
//! let s = read_delimited(text, "cell.txt", ImagSign::Auto)?;
//! assert_eq!(s.z()[1].im, -15.0); // detected as −Im Z and flipped
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::path::Path;

use crate::data::ImpedanceSpectrum;
use crate::error::{Error, Result};

/// The largest file [`read_path`] reads (64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What the third column of delimited data holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImagSign {
    /// Decide from the header (`-Im`, `-Z''`, `-Zimag`) or, without one, from
    /// the data: if most values are positive the column is taken as −Im Z
    /// (capacitive data have Im Z < 0).
    #[default]
    Auto,
    /// The column is Im Z.
    AsIs,
    /// The column is −Im Z.
    Negated,
}

/// Text from bytes: UTF-8, else Latin-1.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

fn perr(source: &str, line: usize, message: impl Into<String>) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line,
        message: message.into(),
    }
}

/// A number, accepting a decimal comma when the field has no point.
fn num(field: &str) -> Option<f64> {
    let f = field.trim();
    let v = f.parse::<f64>().ok().or_else(|| {
        if f.contains(',') && !f.contains('.') {
            f.replace(',', ".").parse::<f64>().ok()
        } else {
            None
        }
    })?;
    v.is_finite().then_some(v)
}

fn split(line: &str) -> Vec<&str> {
    let line = line.trim();
    let d = if line.contains('\t') {
        '\t'
    } else if line.contains(';') {
        ';'
    } else if line.contains(',') {
        ','
    } else {
        ' '
    };
    if d == ' ' {
        line.split_whitespace().collect()
    } else {
        line.split(d).map(str::trim).collect()
    }
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// Rows of numbers from `rows`, taking columns `cols` (f, Re, Im).
fn columns<'a>(
    rows: impl Iterator<Item = (usize, &'a str)>,
    cols: [usize; 3],
    source: &str,
    stop_at_text: bool,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let (mut f, mut re, mut im) = (Vec::new(), Vec::new(), Vec::new());
    for (ln, line) in rows {
        if line.trim().is_empty() {
            continue;
        }
        let fields = split(line);
        let need = cols.iter().max().copied().unwrap_or(0) + 1;
        if fields.len() < need {
            if stop_at_text && num(fields[0]).is_none() {
                break;
            }
            return Err(perr(
                source,
                ln,
                format!("expected at least {need} columns, found {}", fields.len()),
            ));
        }
        let mut v = [0.0; 3];
        for (k, &c) in cols.iter().enumerate() {
            match num(fields[c]) {
                Some(x) => v[k] = x,
                None => {
                    if stop_at_text && k == 0 {
                        return Ok((f, re, im));
                    }
                    return Err(perr(
                        source,
                        ln,
                        format!("column {}: expected a number, found {:?}", c + 1, fields[c]),
                    ));
                }
            }
        }
        f.push(v[0]);
        re.push(v[1]);
        im.push(v[2]);
    }
    Ok((f, re, im))
}

fn finish(source: &str, f: Vec<f64>, re: Vec<f64>, im: Vec<f64>) -> Result<ImpedanceSpectrum> {
    if f.is_empty() {
        return Err(perr(source, 0, "no data rows"));
    }
    let mut s =
        ImpedanceSpectrum::from_parts(f, &re, &im).map_err(|e| perr(source, 0, e.to_string()))?;
    s.name = Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(source)
        .to_string();
    Ok(s)
}

/// Delimited text with columns frequency (Hz), Re Z (Ω), Im Z or −Im Z (Ω):
/// comma, tab, semicolon or blanks; `#`/`%` comment lines and one optional
/// header line; extra columns are ignored.
pub fn read_delimited(text: &str, source: &str, sign: ImagSign) -> Result<ImpedanceSpectrum> {
    let mut header: Option<String> = None;
    let mut body = Vec::new();
    for (ln, line) in lines(text) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('%') {
            continue;
        }
        if body.is_empty() && header.is_none() && split(t).first().is_some_and(|f| num(f).is_none())
        {
            header = Some(t.to_string());
            continue;
        }
        body.push((ln, line));
    }
    let (f, re, mut im) = columns(body.into_iter(), [0, 1, 2], source, false)?;
    let negated = match sign {
        ImagSign::AsIs => false,
        ImagSign::Negated => true,
        ImagSign::Auto => match &header {
            Some(h) => {
                let cols = split(h);
                let c = cols
                    .get(2)
                    .map(|s| s.replace(' ', "").to_ascii_lowercase())
                    .unwrap_or_default();
                c.starts_with('-') || c.starts_with("−")
            }
            None => im.iter().filter(|v| **v > 0.0).count() * 2 > im.len(),
        },
    };
    if negated {
        im.iter_mut().for_each(|v| *v = -*v);
    }
    finish(source, f, re, im)
}

/// BioLogic EC-Lab ASCII export (`.mpt`): `Nb header lines : N`, the column
/// names on line N, columns `freq/Hz`, `Re(Z)/Ohm`, `-Im(Z)/Ohm`.
pub fn read_biologic(text: &str, source: &str) -> Result<ImpedanceSpectrum> {
    let all: Vec<(usize, &str)> = lines(text).collect();
    if !all
        .first()
        .is_some_and(|(_, l)| l.trim().starts_with("EC-Lab ASCII FILE"))
    {
        return Err(perr(
            source,
            1,
            "not an EC-Lab ASCII file (the first line is not \"EC-Lab ASCII FILE\")",
        ));
    }
    let (hl, n) = all
        .iter()
        .take(10)
        .find_map(|(ln, l)| {
            let t = l.trim();
            t.strip_prefix("Nb header lines").map(|r| {
                (
                    *ln,
                    r.trim_start_matches([' ', ':'])
                        .trim()
                        .parse::<usize>()
                        .ok(),
                )
            })
        })
        .ok_or_else(|| perr(source, 0, "no \"Nb header lines\" line"))?;
    let n = n.filter(|&n| n >= 3 && n <= all.len()).ok_or_else(|| {
        perr(
            source,
            hl,
            format!("bad header line count (the file has {} lines)", all.len()),
        )
    })?;
    let names: Vec<&str> = all[n - 1].1.split('\t').map(str::trim).collect();
    let find = |want: &str| names.iter().position(|c| *c == want);
    let cols = [find("freq/Hz"), find("Re(Z)/Ohm"), find("-Im(Z)/Ohm")];
    let [Some(cf), Some(cr), Some(ci)] = cols else {
        return Err(perr(
            source,
            n,
            format!("the column header lacks freq/Hz, Re(Z)/Ohm or -Im(Z)/Ohm: {names:?}"),
        ));
    };
    let (f, re, mut im) = columns(all[n..].iter().copied(), [cf, cr, ci], source, false)?;
    im.iter_mut().for_each(|v| *v = -*v);
    finish(source, f, re, im)
}

/// Gamry Framework `.DTA`: the `ZCURVE TABLE` block with columns `Freq`,
/// `Zreal`, `Zimag` (signed) after a names row and a units row.
pub fn read_gamry(text: &str, source: &str) -> Result<ImpedanceSpectrum> {
    let all: Vec<(usize, &str)> = lines(text).collect();
    let start = all
        .iter()
        .position(|(_, l)| l.trim_start().starts_with("ZCURVE"))
        .ok_or_else(|| perr(source, 0, "no ZCURVE table (not a Gamry EIS file?)"))?;
    let (ln, names) = all
        .get(start + 1)
        .copied()
        .ok_or_else(|| perr(source, all.len(), "ZCURVE without a column header"))?;
    // rows and names start with a tab; both are split after trimming it
    let names: Vec<&str> = names.trim().split('\t').map(str::trim).collect();
    let find = |want: &str| names.iter().position(|c| c.eq_ignore_ascii_case(want));
    let [Some(cf), Some(cr), Some(ci)] = [find("Freq"), find("Zreal"), find("Zimag")] else {
        return Err(perr(
            source,
            ln,
            format!("the ZCURVE header lacks Freq, Zreal or Zimag: {names:?}"),
        ));
    };
    // data rows start with a tab; the block ends at the first line that does not
    let rows = all[(start + 3).min(all.len())..]
        .iter()
        .copied()
        .take_while(|(_, l)| l.starts_with('\t') || l.starts_with(' '));
    let (f, re, im) = columns(rows, [cf, cr, ci], source, false)?;
    finish(source, f, re, im)
}

/// Scribner ZPlot/ZView `.z` ("ZPLOT2 ASCII"): rows after `End Comments`,
/// columns 1 = frequency, 5 = Z′, 6 = Z″ (signed).
pub fn read_zplot(text: &str, source: &str) -> Result<ImpedanceSpectrum> {
    let all: Vec<(usize, &str)> = lines(text).collect();
    let start = all
        .iter()
        .position(|(_, l)| l.trim() == "End Comments")
        .ok_or_else(|| perr(source, 0, "no \"End Comments\" line (not a ZPlot file?)"))?;
    let (f, re, im) = columns(all[start + 1..].iter().copied(), [0, 4, 5], source, false)?;
    finish(source, f, re, im)
}

/// Reads a file by extension (`.mpt`, `.dta`, `.z`, else delimited text with
/// [`ImagSign::Auto`]) or, for text, by its first line.
pub fn read_path(path: impl AsRef<Path>) -> Result<ImpedanceSpectrum> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        message: e.to_string(),
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Error::Io {
            path: name,
            message: format!("{len} bytes is more than the {MAX_FILE_BYTES}-byte limit"),
        });
    }
    let text = decode(&std::fs::read(path).map_err(io)?);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = text.lines().next().unwrap_or("").trim();
    if ext == "mpt" || first.starts_with("EC-Lab ASCII FILE") {
        read_biologic(&text, &name)
    } else if ext == "dta" || first.starts_with("EXPLAIN") {
        read_gamry(&text, &name)
    } else if ext == "z" || first.starts_with("ZPLOT") {
        read_zplot(&text, &name)
    } else {
        read_delimited(&text, &name, ImagSign::Auto)
    }
}
