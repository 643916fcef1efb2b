//! EMSA/MAS spectral data files (ISO 22029; `.msa`), the exchange format of
//! EDS and EELS software.
//!
//! Header lines are `#KEYWORD [-unit] : value`; `#SPECTRUM` starts the data,
//! `#ENDOFDATA` ends them. `#DATATYPE : Y` gives intensities only (x = OFFSET +
//! i·XPERCHAN, `#NCOLUMNS` values per line), `XY` gives x, y pairs. Values may
//! be separated by commas and/or spaces, with trailing commas (as NIST
//! DTSA-II writes them). `#SIGNALTYPE` sets the technique (EDS, ELS → EELS,
//! XPS, ...); every keyword is kept in `meta.extra` (user keywords with `##`
//! keep one `#`; Oxford's `##SPECTRUM` starts the data). A data block longer
//! than `#NPOINTS` is read whole and `meta.extra["warning"]` says so (as
//! rosettasciio reads it); a shorter one is an error (a truncated file).
//!
//! ```
//! use interphase_io::read_emsa;
//! let text = "#FORMAT : EMSA/MAS Spectral Data File\n#VERSION : 1.0\n#NPOINTS : 3\n\
//!             #NCOLUMNS : 1\n#XUNITS : eV\n#YUNITS : counts\n#DATATYPE : Y\n\
//!             #XPERCHAN : 10.0\n#OFFSET : -20.0\n#SIGNALTYPE : EDS\n#SPECTRUM :\n4,\n9,\n7,\n#ENDOFDATA :\n";
//! let s = read_emsa(text, "tiny.msa")?;
//! assert_eq!(s.x(), &[-20.0, -10.0, 0.0]);
//! assert_eq!(s.y(), &[4.0, 9.0, 7.0]);
//! assert!(s.meta.counts);
//! # Ok::<(), interphase_io::Error>(())
//! ```

use std::collections::BTreeMap;

use crate::cursor::Cursor;
use crate::error::Result;
use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

/// Parses EMSA/MAS text into one spectrum.
pub fn read_emsa(text: &str, source: &str) -> Result<Spectrum> {
    let mut c = Cursor::new(text, source);
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut key_line: BTreeMap<String, usize> = BTreeMap::new();
    let mut in_data = false;
    let mut values: Vec<f64> = Vec::new();
    let mut ended = false;
    let mut first_data_line = 0;
    while c.remaining() > 0 {
        let raw = c.next("a line")?;
        let line = raw.trim();
        let ln = c.line();
        if let Some(h) = line.strip_prefix('#') {
            let (k, v) = match h.find(':') {
                Some(i) => (h[..i].trim(), h[i + 1..].trim()),
                None => (h.trim(), ""),
            };
            // "#BEAMKV -kV: 20" → keyword BEAMKV, unit kV
            let k = k
                .split(|ch: char| ch.is_whitespace() || ch == '-')
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            // Oxford INCA/AZtec write the data markers as user keywords
            // (`##SPECTRUM`); rosettasciio strips every leading '#'
            let marker = k.trim_start_matches('#');
            let k = if marker == "SPECTRUM" || marker == "ENDOFDATA" {
                marker.to_string()
            } else {
                k
            };
            match k.as_str() {
                "SPECTRUM" => {
                    in_data = true;
                    first_data_line = ln + 1;
                }
                "ENDOFDATA" => {
                    ended = true;
                    break;
                }
                _ => {
                    if in_data {
                        return Err(
                            c.error(ln, format!("header keyword #{k} inside the data block"))
                        );
                    }
                    key_line.insert(k.clone(), ln);
                    keys.insert(k, v.to_string());
                }
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if !in_data {
            return Err(c.error(
                ln,
                format!("expected a #KEYWORD : value header line, found {line:?}"),
            ));
        }
        for (col, field) in line
            .split([',', ' ', '\t', ';'])
            .filter(|f| !f.is_empty())
            .enumerate()
        {
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(v),
                _ => {
                    return Err(c.error(
                        ln,
                        format!("field {}: expected a number, found {field:?}", col + 1),
                    ));
                }
            }
        }
    }
    if !keys.contains_key("FORMAT") {
        return Err(c.error(1, "not an EMSA/MAS file: no #FORMAT line"));
    }
    if !in_data {
        return Err(c.error(c.line(), "no #SPECTRUM line: the file has no data"));
    }
    if !ended {
        // tolerated (some writers omit it), but a truncated file must not pass
        // silently: NPOINTS is checked below
    }
    let num = |k: &str| -> Result<Option<f64>> {
        match keys.get(k) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => v
                .split_whitespace()
                .next()
                .unwrap_or("")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    c.error(key_line[k], format!("#{k}: expected a number, found {v:?}"))
                }),
        }
    };
    let datatype = keys
        .get("DATATYPE")
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_else(|| "Y".into());
    let (x, y) = match datatype.as_str() {
        "Y" => {
            let step = num("XPERCHAN")?.unwrap_or(1.0);
            let off = num("OFFSET")?.unwrap_or(0.0);
            let x = (0..values.len()).map(|i| off + step * i as f64).collect();
            (x, values)
        }
        "XY" => {
            if !values.len().is_multiple_of(2) {
                return Err(c.error(
                    first_data_line,
                    format!(
                        "DATATYPE XY needs x, y pairs; found {} values",
                        values.len()
                    ),
                ));
            }
            let x = values.iter().step_by(2).copied().collect();
            let y = values.iter().skip(1).step_by(2).copied().collect();
            (x, y)
        }
        other => {
            return Err(c.error(
                key_line["DATATYPE"],
                format!("#DATATYPE must be Y or XY, found {other:?}"),
            ));
        }
    };
    // fewer points than #NPOINTS: a truncated file; more: read them all and
    // say so (rosettasciio reads them all; writers miscount NPOINTS)
    let mut warning = None;
    if let Some(n) = num("NPOINTS")?
        && (n - y.len() as f64).abs() > 0.5
    {
        if (y.len() as f64) < n {
            return Err(c.error(
                key_line["NPOINTS"],
                format!(
                    "#NPOINTS says {n} but the data block holds {} points (truncated file?)",
                    y.len()
                ),
            ));
        }
        warning = Some(format!(
            "#NPOINTS says {n} but the data block holds {} points; all {} were read",
            y.len(),
            y.len()
        ));
    }
    let signal = keys.get("SIGNALTYPE").cloned().unwrap_or_default();
    let technique = Technique::from_label(&signal);
    let x_unit = keys.get("XUNITS").cloned().unwrap_or_default();
    let y_unit = keys.get("YUNITS").cloned().unwrap_or_default();
    let x_quantity = match technique {
        Technique::Eels => XQuantity::EnergyLoss,
        Technique::Eds => XQuantity::Energy,
        _ => XQuantity::from_label(keys.get("XLABEL").map(String::as_str).unwrap_or("")),
    };
    let s =
        Spectrum::new(x, y).map_err(|e| c.error(first_data_line, format!("data block: {e}")))?;
    if let Some(w) = warning {
        keys.insert("warning".into(), w);
    }
    let meta = Metadata {
        name: keys.get("TITLE").cloned().unwrap_or_default(),
        technique,
        x_quantity,
        counts: y_unit.to_ascii_lowercase().starts_with("count"),
        x_unit,
        y_unit,
        photon_energy: None,
        source: None,
        block: None,
        extra: keys,
    };
    Ok(s.with_meta(meta))
}
