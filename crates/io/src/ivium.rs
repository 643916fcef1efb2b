//! Ivium `.idf` / `.ids` data files: a binary preamble, `key=value`
//! settings (`Method`, `Technique`, `Title` ...) and data sections; the
//! impedance data are the `primary_data` section: a column count, a row
//! count, then rows of Z′ (Ω), Z″ (Ω, signed) and frequency (Hz), the layout
//! Ivium writes for `Method=Impedance` (checked against pyimpspec's test
//! data, the same measurement exported by EC-Lab). A file of another method
//! is refused with the method named.

use std::collections::BTreeMap;

use crate::Format;
use crate::error::{Error, Result, parse_err};
use crate::impedance::{ImpedanceFile, Splitter, records};
use crate::text::{fields, number};

/// Reads the impedance spectrum of an Ivium file.
pub fn read_ivium(b: &[u8], source: &str) -> Result<ImpedanceFile> {
    // Latin-1 keeps byte positions and line numbers whatever the preamble holds
    let text: String = b.iter().map(|&c| c as char).collect();
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    let mut meta = BTreeMap::new();
    for (_, l) in &lines {
        if let Some((k, v)) = l.split_once('=')
            && !k.contains('\0')
            && meta.len() < 400
            && !k.contains('.')
        {
            meta.entry(k.trim().to_string())
                .or_insert_with(|| v.trim().to_string());
        }
    }
    let method = meta.get("Method").cloned().unwrap_or_default();
    if !method.eq_ignore_ascii_case("Impedance") {
        return Err(Error::WrongKind {
            source_name: source.to_string(),
            message: format!("an Ivium file of method {method:?}: it holds no impedance data"),
        });
    }
    let start = lines
        .iter()
        .position(|(_, l)| l.trim() == "primary_data")
        .ok_or_else(|| parse_err(source, 0, "no primary_data section"))?;
    let int = |k: usize, what: &str| -> Result<usize> {
        let (ln, l) = lines.get(k).copied().ok_or_else(|| {
            parse_err(source, lines.len(), format!("the file ends before {what}"))
        })?;
        l.trim()
            .parse::<usize>()
            .map_err(|_| parse_err(source, ln, format!("expected {what}, found {:?}", l.trim())))
    };
    let ncols = int(start + 1, "the column count")?;
    let nrows = int(start + 2, "the row count")?;
    if ncols < 3 {
        return Err(parse_err(
            source,
            start + 2,
            format!("{ncols} columns; impedance data need Z', Z'' and frequency"),
        ));
    }
    if nrows > lines.len() {
        return Err(parse_err(
            source,
            start + 3,
            format!(
                "{nrows} rows announced but the file has {} lines",
                lines.len()
            ),
        ));
    }
    let mut split = Splitter::default();
    let mut zero = 0usize;
    for k in 0..nrows {
        let (ln, l) = lines.get(start + 3 + k).copied().ok_or_else(|| {
            parse_err(
                source,
                lines.len(),
                "the file ends inside primary_data (truncated?)",
            )
        })?;
        let v: Option<Vec<f64>> = fields(l, ' ').iter().map(|f| number(f, false)).collect();
        let v = v.filter(|v| v.len() == ncols).ok_or_else(|| {
            parse_err(
                source,
                ln,
                format!("expected {ncols} numbers, found {:?}", l.trim()),
            )
        })?;
        let (re, im, f) = (v[0], v[1], v[2]);
        if f == 0.0 {
            zero += 1;
            continue;
        }
        split.push(ln, f, re, im, None);
    }
    meta.insert("columns".into(), "primary_data: Z', Z'', frequency".into());
    let mut warnings = Vec::new();
    if zero > 0 {
        warnings.push(format!(
            "{zero} rows with frequency 0 (not impedance data) were skipped"
        ));
    }
    if split.sweeps.is_empty() {
        return Err(parse_err(
            source,
            start + 1,
            "primary_data holds no impedance rows",
        ));
    }
    let technique = meta.get("Technique").cloned();
    Ok(ImpedanceFile {
        source: source.to_string(),
        format: Format::Ivium,
        records: records(source, split.sweeps, technique.as_deref(), &meta)?,
        warnings,
    })
}
