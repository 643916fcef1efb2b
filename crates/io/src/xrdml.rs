//! PANalytical XRDML (`.xrdml`, XML; schema versions 1.x–2.x): one
//! [`Spectrum`] per `<scan>` with 2θ in degrees and the counts.
//!
//! Read per scan: `<dataPoints>` → `<positions axis="2Theta">` with either
//! `<startPosition>`/`<endPosition>` (equally spaced points) or
//! `<listPositions>`, and `<intensities>` (schema ≤ 1.x) or `<counts>`
//! (schema 2.x) — whitespace-separated numbers. `commonCountingTime` and the
//! `usedWavelength` block (`kAlpha1`, `kAlpha2`, `ratioKAlpha2KAlpha1`) go to
//! `meta.extra`; the sample name to `meta.name`. Metadata: technique XRD,
//! x quantity 2θ (`deg`), counts.
//!
//! ```
//! use interphase_io::read_xrdml;
//! let text = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.1">
//!   <sample><id>LLTO-1</id></sample>
//!   <xrdMeasurement measurementType="Scan">
//!     <usedWavelength intended="K-Alpha 1"><kAlpha1 unit="Angstrom">1.5405980</kAlpha1></usedWavelength>
//!     <scan scanAxis="Gonio"><dataPoints>
//!       <positions axis="2Theta" unit="deg"><startPosition>20</startPosition><endPosition>20.04</endPosition></positions>
//!       <commonCountingTime unit="seconds">1.0</commonCountingTime>
//!       <counts unit="counts">10 12 30 12 11</counts>
//!     </dataPoints></scan>
//!   </xrdMeasurement>
//! </xrdMeasurements>"#;
//! let s = read_xrdml(text, "llto.xrdml")?;
//! assert_eq!(s[0].len(), 5);
//! assert!((s[0].x()[4] - 20.04).abs() < 1e-12);
//! assert_eq!(s[0].meta.extra["kAlpha1"], "1.5405980");
//! # Ok::<(), interphase_io::Error>(())
//! ```

use roxmltree::{Document, Node, ParsingOptions};

use crate::error::{Error, Result};
use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

fn err(source: &str, doc: Option<(&Document, Node)>, message: String) -> Error {
    let line = doc
        .map(|(d, n)| d.text_pos_at(n.range().start).row as usize)
        .unwrap_or(0);
    Error::Parse {
        source_name: source.to_string(),
        line,
        message,
    }
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn numbers(doc: &Document, n: Node, source: &str, what: &str) -> Result<Vec<f64>> {
    let text = n.text().unwrap_or("");
    let mut out = Vec::with_capacity(text.len() / 2 + 1);
    for (i, tok) in text.split_ascii_whitespace().enumerate() {
        let v: f64 = tok.parse().map_err(|_| {
            err(
                source,
                Some((doc, n)),
                format!("{what}: value {i} `{tok}` is not a number"),
            )
        })?;
        if !v.is_finite() {
            return Err(err(
                source,
                Some((doc, n)),
                format!("{what}: value {i} is {v}"),
            ));
        }
        out.push(v);
    }
    Ok(out)
}

fn scalar(doc: &Document, n: Node, source: &str, what: &str) -> Result<f64> {
    let v = numbers(doc, n, source, what)?;
    match v.as_slice() {
        [x] => Ok(*x),
        _ => Err(err(
            source,
            Some((doc, n)),
            format!("{what}: expected one number, found {}", v.len()),
        )),
    }
}

/// Parses XRDML text; `source_name` labels errors (with the 1-based line of
/// the offending element).
pub fn read_xrdml(text: &str, source_name: &str) -> Result<Vec<Spectrum>> {
    let opts = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| Error::Parse {
        source_name: source_name.to_string(),
        line: e.pos().row as usize,
        message: format!("not well-formed XML: {e}"),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "xrdMeasurements" {
        return Err(err(
            source_name,
            Some((&doc, root)),
            format!(
                "root element is <{}>, not <xrdMeasurements>: not an XRDML file",
                root.tag_name().name()
            ),
        ));
    }
    let sample = child(root, "sample")
        .and_then(|s| child(s, "name").or_else(|| child(s, "id")))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let mut out = Vec::new();
    for meas in root
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "xrdMeasurement")
    {
        let mut extra = std::collections::BTreeMap::new();
        if let Some(w) = child(meas, "usedWavelength") {
            if let Some(i) = w.attribute("intended") {
                extra.insert("intendedWavelength".to_string(), i.to_string());
            }
            for key in ["kAlpha1", "kAlpha2", "kBeta", "ratioKAlpha2KAlpha1"] {
                if let Some(t) = child(w, key).and_then(|n| n.text()) {
                    extra.insert(key.to_string(), t.trim().to_string());
                }
            }
        }
        for scan in meas
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "scan")
        {
            let dp = child(scan, "dataPoints").ok_or_else(|| {
                err(
                    source_name,
                    Some((&doc, scan)),
                    "<scan> without <dataPoints>".into(),
                )
            })?;
            let y_node = child(dp, "counts")
                .or_else(|| child(dp, "intensities"))
                .ok_or_else(|| {
                    err(
                        source_name,
                        Some((&doc, dp)),
                        "<dataPoints> without <counts> or <intensities>".into(),
                    )
                })?;
            let y = numbers(&doc, y_node, source_name, "counts")?;
            if y.is_empty() {
                return Err(err(source_name, Some((&doc, y_node)), "no counts".into()));
            }
            let pos = dp
                .children()
                .find(|c| {
                    c.is_element()
                        && c.tag_name().name() == "positions"
                        && c.attribute("axis")
                            .is_some_and(|a| a.eq_ignore_ascii_case("2Theta"))
                })
                .ok_or_else(|| {
                    err(
                        source_name,
                        Some((&doc, dp)),
                        "<dataPoints> without <positions axis=\"2Theta\">".into(),
                    )
                })?;
            let x = if let Some(list) = child(pos, "listPositions") {
                let x = numbers(&doc, list, source_name, "listPositions")?;
                if x.len() != y.len() {
                    return Err(err(
                        source_name,
                        Some((&doc, list)),
                        format!("{} positions for {} counts", x.len(), y.len()),
                    ));
                }
                x
            } else {
                let (s, e) = match (child(pos, "startPosition"), child(pos, "endPosition")) {
                    (Some(s), Some(e)) => (
                        scalar(&doc, s, source_name, "startPosition")?,
                        scalar(&doc, e, source_name, "endPosition")?,
                    ),
                    _ => {
                        return Err(err(
                            source_name,
                            Some((&doc, pos)),
                            "2θ positions need <startPosition> and <endPosition> or <listPositions>"
                                .into(),
                        ));
                    }
                };
                let n = y.len();
                if n == 1 {
                    vec![s]
                } else {
                    (0..n)
                        .map(|i| s + (e - s) * i as f64 / (n - 1) as f64)
                        .collect()
                }
            };
            let mut ex = extra.clone();
            if let Some(t) = child(dp, "commonCountingTime").and_then(|n| n.text()) {
                ex.insert("commonCountingTime".to_string(), t.trim().to_string());
            }
            if let Some(m) = scan.attribute("scanAxis") {
                ex.insert("scanAxis".to_string(), m.to_string());
            }
            let index = out.len();
            let meta = Metadata {
                name: sample.clone().unwrap_or_else(|| format!("scan {index}")),
                technique: Technique::Xrd,
                x_quantity: XQuantity::TwoTheta,
                x_unit: "deg".into(),
                y_unit: y_node.attribute("unit").unwrap_or("counts").to_string(),
                counts: y_node.attribute("unit").is_none_or(|u| u == "counts"),
                block: Some(format!("scan {index}")),
                extra: ex,
                ..Metadata::default()
            };
            let s = Spectrum::new(x, y)
                .map_err(|e| err(source_name, Some((&doc, scan)), e.to_string()))?
                .with_meta(meta);
            out.push(s);
        }
    }
    if out.is_empty() {
        return Err(err(
            source_name,
            None,
            "no <xrdMeasurement>/<scan> with data".into(),
        ));
    }
    Ok(out)
}
