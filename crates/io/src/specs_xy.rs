//! SPECS SpecsLab2 / Prodigy XY exports (`.xy`): every region, cycle, curve
//! and scan as its own spectrum, with the export settings and each region's
//! header as metadata.
//!
//! Layout: `#`-prefixed export settings (`Energy Axis: Binding Energy` in
//! Prodigy, `Kinetic Energy Axis: yes` in SpecsLab2, `Count Rate` /
//! `Counts Per Second`), then per region `# Region: NAME` and its header
//! (`Excitation Energy`, `Analysis Method`, `Pass Energy`, `Eff.
//! Workfunction` ...), then per curve `# Cycle: c, Curve: k[, Scan: s]`,
//! `# ColumnLabels: energy counts/s [transmission|scaling ...]` and rows of
//! numbers. Columns after the intensity (transmission, external channels,
//! scaling) are named in the metadata and not read as further spectra.
//!
//! ```
//! let text = concat!(
//!     "# Created by:        SpecsLab Prodigy, Version 4.1\n",
//!     "#   Energy Axis:              Binding Energy\n",
//!     "# Region:                       C 1s\n",
//!     "# Excitation Energy:            1486.61\n",
//!     "# Analysis Method:              XPS\n",
//!     "# Cycle: 0, Curve: 0, Scan: 0\n",
//!     "# ColumnLabels:                 energy counts/s\n",
//!     "290 120\n289 150\n288 130\n",
//! );
//! let s = interphase_io::specs_xy::read_specs_xy(text, "c1s.xy")?;
//! assert_eq!(s[0].meta.name, "C 1s");
//! assert_eq!(s[0].meta.photon_energy, Some(1486.61));
//! assert_eq!(s[0].meta.x_quantity, interphase_spectra::XQuantity::BindingEnergy);
//! # Ok::<(), interphase_io::Error>(())
//! ```

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Result, parse_err};
use crate::text::{fields, lines, number};

/// Whether text looks like a SPECS XY export.
pub fn is_specs_xy(text: &str) -> bool {
    text.lines().take(6).any(|l| {
        let l = l.trim();
        l.starts_with('#')
            && (l.contains("SpecsLab") || l.contains("Prodigy") || l.contains("XY-Serializer"))
    })
}

struct Curve {
    line: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    label: String,
    extra_columns: Vec<String>,
}

/// Reads every curve of a SPECS XY export.
pub fn read_specs_xy(text: &str, source: &str) -> Result<Vec<Spectrum>> {
    let all = lines(text);
    let mut kinetic: Option<bool> = None;
    let mut rate = true;
    let mut region = String::new();
    let mut header: BTreeMap<String, String> = BTreeMap::new();
    let mut curves: Vec<(String, BTreeMap<String, String>, Curve)> = Vec::new();
    let mut current: Option<Curve> = None;
    let mut label = String::new();
    let flush = |cur: &mut Option<Curve>,
                 out: &mut Vec<(String, BTreeMap<String, String>, Curve)>,
                 region: &str,
                 header: &BTreeMap<String, String>| {
        if let Some(c) = cur.take()
            && !c.x.is_empty()
        {
            out.push((region.to_string(), header.clone(), c));
        }
    };
    for &(ln, l) in &all {
        let t = l.trim();
        if let Some(h) = t.strip_prefix('#') {
            let h = h.trim();
            let (k, v) = match h.split_once(':') {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (h, ""),
            };
            match k {
                "Energy Axis" => kinetic = Some(v.to_ascii_lowercase().starts_with("kinetic")),
                "Kinetic Energy Axis" => kinetic = Some(v.eq_ignore_ascii_case("yes")),
                "Count Rate" => rate = v.to_ascii_lowercase().contains("per second"),
                "Counts Per Second" => rate = v.eq_ignore_ascii_case("yes"),
                "Region" => {
                    flush(&mut current, &mut curves, &region, &header);
                    region = v.to_string();
                    header.clear();
                }
                "ColumnLabels" => {
                    flush(&mut current, &mut curves, &region, &header);
                    let columns: Vec<&str> = v.split_whitespace().collect();
                    current = Some(Curve {
                        line: ln + 1,
                        x: Vec::new(),
                        y: Vec::new(),
                        label: label.clone(),
                        extra_columns: columns.iter().skip(2).map(|c| c.to_string()).collect(),
                    });
                }
                _ if k.starts_with("Cycle") => {
                    flush(&mut current, &mut curves, &region, &header);
                    label = h.to_string();
                }
                _ if !k.is_empty()
                    && !v.is_empty()
                    && !k.starts_with("Parameter")
                    && header.len() < 200 =>
                {
                    header.entry(k.to_string()).or_insert_with(|| v.to_string());
                }
                _ => {}
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let Some(c) = current.as_mut() else {
            return Err(parse_err(
                source,
                ln,
                "a row of numbers before any \"# ColumnLabels:\" line",
            ));
        };
        let f = fields(t, ' ');
        if f.len() < 2 {
            return Err(parse_err(
                source,
                ln,
                format!("expected energy and intensity, found {t:?}"),
            ));
        }
        let (Some(x), Some(y)) = (number(f[0], false), number(f[1], false)) else {
            return Err(parse_err(
                source,
                ln,
                format!("expected two numbers, found {t:?}"),
            ));
        };
        c.x.push(x);
        c.y.push(y);
    }
    flush(&mut current, &mut curves, &region, &header);
    if curves.is_empty() {
        return Err(parse_err(
            source,
            0,
            "no curve (\"# ColumnLabels:\" and rows) found",
        ));
    }
    let per_region = |r: &str| curves.iter().filter(|(x, _, _)| x == r).count();
    let mut out = Vec::with_capacity(curves.len());
    for (region, header, c) in &curves {
        let s = Spectrum::new(c.x.clone(), c.y.clone())
            .map_err(|e| parse_err(source, c.line, format!("region {region:?}: {e}")))?;
        let name = if per_region(region) > 1 {
            format!("{region} ({})", c.label)
        } else {
            region.clone()
        };
        let mut extra = header.clone();
        if !c.label.is_empty() {
            extra.insert("curve".into(), c.label.clone());
        }
        if !c.extra_columns.is_empty() {
            extra.insert("columns not read".into(), c.extra_columns.join(" "));
        }
        let x_quantity = match kinetic {
            Some(true) => XQuantity::KineticEnergy,
            Some(false) => XQuantity::BindingEnergy,
            None => XQuantity::Energy,
        };
        let meta = Metadata {
            name,
            technique: header
                .get("Analysis Method")
                .map(|m| Technique::from_label(m))
                .unwrap_or(Technique::Xps),
            x_quantity,
            x_unit: "eV".into(),
            y_unit: if rate {
                "counts/s".into()
            } else {
                "counts".into()
            },
            counts: !rate,
            photon_energy: header
                .get("Excitation Energy")
                .and_then(|v| number(v, false)),
            source: Some(source.to_string()),
            block: Some(region.clone()),
            extra,
        };
        out.push(s.with_meta(meta));
    }
    Ok(out)
}
