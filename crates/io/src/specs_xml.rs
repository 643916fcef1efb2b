//! SPECS SpecsLab2 / Prodigy XML (`.xml`, "CORBA XML document created by
//! XMLSerializer"): every region of every group, one [`Spectrum`] per cycle
//! with its scans summed, the detector channels combined on the region's
//! energy grid.
//!
//! Layout: `RegionGroupSeq` → `RegionGroup` (`name`, `regions`) →
//! `RegionData` with `name`, the region definition `region` (`scan_mode`,
//! `num_scans`, `curves_per_scan`, `values_per_curve`, `dwell_time`,
//! `scan_delta`, `excitation_energy`, `kinetic_energy`, `pass_energy`,
//! `effective_workfunction`, ...), `mcd_head`, `mcd_tail`, the analyser's
//! `detectors` (`position`, `shift`, `gain`) and `cycles` → `scans` →
//! `ScanData` whose `counts` hold, for each of the `mcd_head +
//! values_per_curve + mcd_tail` analyser steps, one count per detector.
//!
//! **Channel combination** (fixed analyser transmission): step `i` sets the
//! analyser to kinetic energy `E₀ + (i − head)·δ` (`E₀` = `kinetic_energy`,
//! `δ` = `scan_delta`), and detector `d` then sees `E₀ + (i − head)·δ +
//! shift_d·E_pass`. The value at grid point `k` (energy `E₀ + k·δ`) is the
//! sum over detectors of each detector's counts linearly interpolated at step
//! `k + head − shift_d·E_pass/δ`; where SpecsLab rounded the head or tail
//! below a detector's offset, the first or last point takes that detector's
//! end value (a fraction of a step). The convention was established from the
//! data: in the sample file each detector's C 1s maximum sits
//! `shift_d·E_pass/δ` steps from the others, and after this combination the
//! survey and the C 1s region (pass energies 50 and 20 eV, steps 0.5 and
//! 0.05 eV) put C 1s at the same 284.0 eV and S 2p at 164.0 eV.
//!
//! **Energies.** SPECS kinetic energies are referenced to the Fermi level
//! (the effective work function is applied by the instrument; kept as
//! metadata), so an XPS or UPS region comes out in binding energy
//! `E_B = hν − E_K` (descending), any other method in kinetic energy.
//! Intensities are counts summed over the cycle's scans (`counts`, Poisson).
//!
//! Refused with the reason: scan modes other than fixed analyser
//! transmission (the detector offsets then change along the scan), several
//! curves per scan, detector gains other than 1, non-empty scaling factors,
//! a non-zero `kinetic_energy_base`, counts whose length is not `(head + n +
//! tail) × detectors`. Empty scans (an aborted acquisition) are skipped and
//! said in the spectrum's `warning`.
//!
//! ```
//! let xml = r#"<?xml version="1.0"?>
//! <!-- CORBA XML document created by XMLSerializer2 1.6 -->
//! <any version="1.6"><sequence length="1" type_name="RegionGroupSeq">
//! <struct type_name="RegionGroup"><string name="name">LLTO</string>
//! <sequence name="regions" length="1" type_name="RegionDataSeq">
//! <struct type_name="RegionData"><string name="name">Ti2p</string>
//! <struct name="region" type_name="RegionDef">
//!   <string name="analysis_method">XPS</string>
//!   <struct name="scan_mode" type_name="ScanMode"><string name="name">FixedAnalyzerTransmission</string></struct>
//!   <ulong name="num_scans">1</ulong><ulong name="curves_per_scan">1</ulong>
//!   <ulong name="values_per_curve">3</ulong><double name="dwell_time">0.1</double>
//!   <double name="scan_delta">0.5</double><double name="excitation_energy">1486.6</double>
//!   <double name="kinetic_energy">1026.6</double><double name="kinetic_energy_base">0</double>
//!   <double name="pass_energy">20</double>
//! </struct>
//! <ulong name="mcd_head">0</ulong><ulong name="mcd_tail">0</ulong>
//! <struct name="analyzer_info" type_name="AnalyzerInfo">
//!   <sequence name="detectors" length="1" type_name="DetectorSeq">
//!     <struct type_name="Detector"><double name="position">0</double>
//!       <double name="shift">0</double><double name="gain">1</double></struct>
//!   </sequence></struct>
//! <sequence name="cycles" length="1" type_name="CycleSeq"><struct type_name="Cycle">
//!   <sequence name="scans" length="1" type_name="ScanSeq"><struct type_name="ScanData">
//!     <sequence name="counts" length="3" type_name="CountsSeq"><ulong>10 40 12</ulong></sequence>
//!   </struct></sequence></struct></sequence>
//! </struct></sequence></struct></sequence></any>"#;
//! let s = interphase_io::specs_xml::read_specs_xml(xml, "llto.xml")?;
//! assert_eq!(s[0].meta.name, "Ti2p");
//! assert_eq!(s[0].x(), &[460.0, 459.5, 459.0]); // hν − E_K, descending
//! assert_eq!(s[0].y(), &[10.0, 40.0, 12.0]);
//! # Ok::<(), interphase_io::Error>(())
//! ```

use std::collections::BTreeMap;

use roxmltree::{Document, Node, ParsingOptions};

use crate::error::{Error, Result};
use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

/// Whether text looks like a SpecsLab2 / Prodigy XML document.
pub fn is_specs_xml(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with("<?xml")
        && (text.contains("XMLSerializer")
            || text.contains("IDL:specs.de/")
            || text.contains("RegionGroupSeq"))
}

/// The most points one region may hold (values × detectors × steps); a file
/// asking for more is refused before anything is allocated.
const MAX_VALUES: usize = 1 << 26;

struct Ctx<'d, 'i> {
    doc: &'d Document<'i>,
    source: &'d str,
}

impl<'d, 'i> Ctx<'d, 'i> {
    fn err(&self, n: Node, message: String) -> Error {
        Error::Parse {
            source_name: self.source.to_string(),
            line: self.doc.text_pos_at(n.range().start).row as usize,
            message,
        }
    }

    /// The element child named `name` (attribute `name`).
    fn field<'a>(&self, n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
        n.children()
            .find(|c| c.is_element() && c.attribute("name") == Some(name))
    }

    fn text<'a>(&self, n: Node<'a, 'i>, name: &str) -> Option<&'a str> {
        self.field(n, name).and_then(|f| f.text()).map(str::trim)
    }

    fn number(&self, n: Node, name: &str, what: &str) -> Result<f64> {
        let f = self
            .field(n, name)
            .ok_or_else(|| self.err(n, format!("{what}: no `{name}`")))?;
        let t = f.text().unwrap_or("").trim();
        let v: f64 = t
            .parse()
            .map_err(|_| self.err(f, format!("{what}: `{name}` = `{t}` is not a number")))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.err(f, format!("{what}: `{name}` is {v}")))
        }
    }

    fn count(&self, n: Node, name: &str, what: &str) -> Result<usize> {
        let v = self.number(n, name, what)?;
        if v < 0.0 || v.fract() != 0.0 || v > MAX_VALUES as f64 {
            let f = self.field(n, name).unwrap_or(n);
            return Err(self.err(
                f,
                format!("{what}: `{name}` = {v} is not a count (0 ..= {MAX_VALUES})"),
            ));
        }
        Ok(v as usize)
    }
}

/// Element children with `type_name` = `t`.
fn structs<'a, 'i>(n: Node<'a, 'i>, t: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.attribute("type_name") == Some(t))
}

struct Detector {
    shift: f64,
}

/// Reads every region of a SpecsLab2 / Prodigy XML document; `source` names
/// the file in messages and in each spectrum's `meta.source`.
pub fn read_specs_xml(text: &str, source: &str) -> Result<Vec<Spectrum>> {
    let opts = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| Error::Parse {
        source_name: source.to_string(),
        line: e.pos().row as usize,
        message: format!("not well-formed XML: {e}"),
    })?;
    let cx = Ctx { doc: &doc, source };
    let root = doc.root_element();
    let groups: Vec<Node> = root
        .descendants()
        .filter(|n| n.is_element() && n.attribute("type_name") == Some("RegionGroup"))
        .collect();
    if groups.is_empty() {
        return Err(cx.err(
            root,
            "no RegionGroup: not a SpecsLab2 / Prodigy region file".to_string(),
        ));
    }
    let mut out = Vec::new();
    for g in groups {
        let group = cx.text(g, "name").unwrap_or("").to_string();
        let Some(regions) = cx.field(g, "regions") else {
            continue;
        };
        for rd in structs(regions, "RegionData") {
            out.extend(read_region(&cx, rd, &group)?);
        }
    }
    if out.is_empty() {
        return Err(Error::Parse {
            source_name: source.to_string(),
            line: 0,
            message: "no region holds counts".to_string(),
        });
    }
    Ok(out)
}

fn read_region(cx: &Ctx, rd: Node, group: &str) -> Result<Vec<Spectrum>> {
    let name = cx.text(rd, "name").unwrap_or("").to_string();
    let what = format!("region {name:?}");
    let def = cx
        .field(rd, "region")
        .ok_or_else(|| cx.err(rd, format!("{what}: no region definition")))?;
    let mode = cx
        .field(def, "scan_mode")
        .and_then(|m| cx.text(m, "name"))
        .unwrap_or("")
        .to_string();
    if mode != "FixedAnalyzerTransmission" {
        return Err(cx.err(
            def,
            format!(
                "{what}: scan mode {mode:?} is not read (only FixedAnalyzerTransmission: in other modes the detector offsets change along the scan); export the region from SpecsLab as .xy or VAMAS"
            ),
        ));
    }
    let curves = cx.count(def, "curves_per_scan", &what)?;
    if curves != 1 {
        return Err(cx.err(
            def,
            format!("{what}: {curves} curves per scan are not read (one curve per scan is)"),
        ));
    }
    let n = cx.count(def, "values_per_curve", &what)?;
    let delta = cx.number(def, "scan_delta", &what)?;
    let e0 = cx.number(def, "kinetic_energy", &what)?;
    let hv = cx.number(def, "excitation_energy", &what)?;
    let ep = cx.number(def, "pass_energy", &what)?;
    if delta <= 0.0 || n == 0 {
        return Err(cx.err(
            def,
            format!("{what}: {n} values with a step of {delta} eV: no energy axis"),
        ));
    }
    if let Ok(base) = cx.number(def, "kinetic_energy_base", &what)
        && base != 0.0
    {
        return Err(cx.err(
            def,
            format!("{what}: kinetic_energy_base = {base} eV is not understood (0 is); export the region from SpecsLab as .xy or VAMAS"),
        ));
    }
    let head = cx.count(rd, "mcd_head", &what)?;
    let tail = cx.count(rd, "mcd_tail", &what)?;
    let steps = head + n + tail;
    let info = cx
        .field(rd, "analyzer_info")
        .and_then(|a| cx.field(a, "detectors"))
        .ok_or_else(|| cx.err(rd, format!("{what}: no analyser detectors")))?;
    let mut detectors = Vec::new();
    for d in structs(info, "Detector") {
        let gain = cx.number(d, "gain", &what)?;
        if (gain - 1.0).abs() > 1e-12 {
            return Err(cx.err(
                d,
                format!("{what}: detector {} has gain {gain}; gains other than 1 are not applied by this reader", detectors.len() + 1),
            ));
        }
        detectors.push(Detector {
            shift: cx.number(d, "shift", &what)?,
        });
    }
    let nd = detectors.len();
    if nd == 0 || steps.saturating_mul(nd) > MAX_VALUES {
        return Err(cx.err(
            info,
            format!("{what}: {nd} detectors × {steps} steps: nothing to read or too many values"),
        ));
    }

    let method = cx.text(def, "analysis_method").unwrap_or("XPS").to_string();
    let binding = matches!(method.to_ascii_uppercase().as_str(), "XPS" | "UPS") && hv > 0.0;
    let kinetic: Vec<f64> = (0..n).map(|k| e0 + k as f64 * delta).collect();
    let x: Vec<f64> = if binding {
        kinetic.iter().map(|e| hv - e).collect()
    } else {
        kinetic
    };

    let mut extra = BTreeMap::new();
    if !group.is_empty() {
        extra.insert("group".to_string(), group.to_string());
    }
    extra.insert("region".to_string(), name.clone());
    extra.insert("scan_mode".to_string(), mode);
    extra.insert("analysis_method".to_string(), method);
    for key in [
        "analyzer_lens",
        "analyzer_slit",
        "dwell_time",
        "scan_delta",
        "kinetic_energy",
        "pass_energy",
        "bias_voltage",
        "detector_voltage",
        "effective_workfunction",
    ] {
        if let Some(v) = cx.text(def, key) {
            extra.insert(key.to_string(), v.to_string());
        }
    }
    extra.insert("detectors".to_string(), nd.to_string());
    extra.insert(
        "detector_shifts".to_string(),
        detectors
            .iter()
            .map(|d| d.shift.to_string())
            .collect::<Vec<_>>()
            .join(" "),
    );
    extra.insert("mcd_head".to_string(), head.to_string());
    extra.insert("mcd_tail".to_string(), tail.to_string());
    if let Some(t) = cx.field(rd, "transmission")
        && t.attribute("length").is_some_and(|l| l != "0")
    {
        extra.insert(
            "transmission".to_string(),
            "in the file, not applied (counts are raw)".to_string(),
        );
    }

    // offsets of each detector in steps
    let offsets: Vec<f64> = detectors.iter().map(|d| d.shift * ep / delta).collect();
    let cycles: Vec<Node> = cx
        .field(rd, "cycles")
        .map(|c| structs(c, "Cycle").collect())
        .unwrap_or_default();
    let many = cycles.len() > 1;
    let mut out = Vec::new();
    for (ci, cycle) in cycles.iter().enumerate() {
        let mut total = vec![0.0; n];
        let mut used = 0usize;
        let mut empty = 0usize;
        let scans: Vec<Node> = cx
            .field(*cycle, "scans")
            .map(|s| structs(s, "ScanData").collect())
            .unwrap_or_default();
        for (si, scan) in scans.iter().enumerate() {
            let at = format!("{what}, cycle {ci}, scan {si}");
            if let Some(f) = cx.field(*scan, "scaling_factors")
                && f.attribute("length").is_some_and(|l| l != "0")
            {
                return Err(cx.err(
                    f,
                    format!("{at}: scaling factors are not applied by this reader"),
                ));
            }
            let counts_node = cx
                .field(*scan, "counts")
                .ok_or_else(|| cx.err(*scan, format!("{at}: no counts")))?;
            let counts = counts_of(cx, counts_node, &at, steps * nd)?;
            if counts.is_empty() {
                empty += 1;
                continue;
            }
            if counts.len() != steps * nd {
                return Err(cx.err(
                    counts_node,
                    format!(
                        "{at}: {} counts, expected ({head} head + {n} values + {tail} tail) × {nd} detectors = {}",
                        counts.len(),
                        steps * nd
                    ),
                ));
            }
            for (d, off) in offsets.iter().enumerate() {
                for (k, t) in total.iter_mut().enumerate() {
                    let j = (k as f64 + head as f64 - off).clamp(0.0, (steps - 1) as f64);
                    let lo = j.floor() as usize;
                    let hi = (lo + 1).min(steps - 1);
                    let w = j - lo as f64;
                    *t += (1.0 - w) * counts[lo * nd + d] + w * counts[hi * nd + d];
                }
            }
            used += 1;
        }
        if used == 0 {
            continue;
        }
        let mut meta = Metadata {
            name: if many {
                format!("{name} (cycle {ci})")
            } else {
                name.clone()
            },
            technique: Technique::from_label(&extra["analysis_method"]),
            x_quantity: if binding {
                XQuantity::BindingEnergy
            } else {
                XQuantity::KineticEnergy
            },
            x_unit: "eV".to_string(),
            y_unit: "counts".to_string(),
            counts: true,
            photon_energy: (hv > 0.0).then_some(hv),
            source: Some(cx.source.to_string()),
            block: Some(format!("{group} / {name} / cycle {ci}")),
            extra: extra.clone(),
        };
        meta.extra.insert("cycle".to_string(), ci.to_string());
        meta.extra.insert("scans".to_string(), used.to_string());
        if let Some(t) = cx.text(*cycle, "time") {
            meta.extra
                .insert("cycle_time_unix".to_string(), t.to_string());
        }
        if empty > 0 {
            meta.extra.insert(
                "warning".to_string(),
                format!("{empty} empty scan(s) skipped (an aborted acquisition)"),
            );
        }
        let s = Spectrum::new(x.clone(), total)
            .map_err(|e| cx.err(*cycle, format!("{what}, cycle {ci}: {e}")))?
            .with_meta(meta);
        out.push(s);
    }
    Ok(out)
}

/// The counts of a `counts` sequence: the whitespace-separated numbers of
/// its children, at most `limit`+1 of them read.
fn counts_of(cx: &Ctx, seq: Node, at: &str, limit: usize) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    for c in seq.children().filter(|c| c.is_element()) {
        for tok in c.text().unwrap_or("").split_ascii_whitespace() {
            if out.len() > limit {
                return Err(cx.err(
                    c,
                    format!("{at}: more than the {limit} counts the region defines"),
                ));
            }
            let v: f64 = tok
                .parse()
                .map_err(|_| cx.err(c, format!("{at}: count `{tok}` is not a number")))?;
            if !v.is_finite() || v < 0.0 {
                return Err(cx.err(c, format!("{at}: count {v} is not a count")));
            }
            out.push(v);
        }
    }
    Ok(out)
}
