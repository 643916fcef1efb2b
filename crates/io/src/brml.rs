//! Bruker DIFFRAC `.brml`: a zip of XML. Every scan the manifest lists is
//! read as a diffractogram on 2θ, with its columns located from the file's
//! own description of them, never by position.
//!
//! Layout: `Experiment0/DataContainer.xml` lists the scans in
//! `<RawDataReferenceList><string>Experiment0/RawData0.xml</string>…` (read in
//! that order: an archive's member order is not the scan order). A
//! `RawData<N>.xml` holds `<DataRoutes><DataRoute RouteFlag="Measured">` with
//! `ScanInformation`, one `<Datum>` of comma-separated numbers per point, and
//! `<DataViews>` saying which column is what: `FixedRawDataView` with
//! `LogicName` `MeasuredTime` or `AbsorptionFactor` at `Start`;
//! `VaryingRawDataView` whose `FieldDefinitions` (`AxisId`, else `FieldName`)
//! name the stepped axes at `Start`, `Start + 1`, …; `RecordedRawDataView`
//! (`Length` 1, `<Unit Base="Counts"/>`) the intensity.
//!
//! Read: the `Measured` route (or the only one); 2θ from the `TwoTheta` field;
//! the intensity as stored. Bruker stores the intensity with the absorber
//! factor already applied (in real files y / a is an integer count where a
//! varies), so when an `AbsorptionFactor` column is not 1 everywhere the
//! spectrum carries σ = a·√max(y/a, 1) rather than being marked as counts.
//! Sample name, scan name, time per step, wavelengths (`WaveLengthAlpha1`,
//! `WaveLengthAlpha2`, `WaveLengthRatio` anywhere in the scan or the
//! measurement container, Å) as metadata.
//!
//! Refused with the reason: several routes of which not exactly one is
//! `Measured`; a recorded view of more than one channel (a
//! position-sensitive-detector frame, not a profile); a scan that steps no
//! 2θ (named: a rocking curve, χ/φ/ψ tilts, a z scan ...); rows shorter than
//! the columns the views declare; a manifest that names a missing member.
//!
//! The layout was learnt from public descriptions of real files (other
//! projects' readers and their notes); no `.brml` sample was available here,
//! so the reader is tested on byte-built archives that follow it.

use std::collections::BTreeMap;

use roxmltree::{Document, Node};

use crate::error::{Error, Result};
use crate::zip;
use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

fn err(source: &str, message: String) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line: 0,
        message,
    }
}

/// Whether zip entry names look like a `.brml` archive.
pub(crate) fn is_brml(names: &[zip::Entry]) -> bool {
    names.iter().any(|e| {
        e.name.ends_with("DataContainer.xml")
            || (e.name.contains("RawData") && e.name.ends_with(".xml"))
    })
}

fn parse<'i>(xml: &'i str, source: &str, member: &str) -> Result<Document<'i>> {
    Document::parse(xml).map_err(|e| {
        err(
            source,
            format!("{member}: not well-formed XML at line {}: {e}", e.pos().row),
        )
    })
}

fn xsi_type(n: Node) -> &'static str {
    let t = n
        .attributes()
        .find(|a| a.name() == "type")
        .map(|a| a.value())
        .unwrap_or("");
    let t = t.rsplit(':').next().unwrap_or("");
    match t {
        "FixedRawDataView" => "fixed",
        "VaryingRawDataView" => "varying",
        "RecordedRawDataView" => "recorded",
        _ => "other",
    }
}

/// What a stepped axis that is not 2θ measures.
fn other_axis(id: &str) -> Option<&'static str> {
    Some(match id.to_ascii_lowercase().as_str() {
        "theta" | "omega" => "a rocking curve (ω)",
        "chi" => "a χ tilt",
        "phi" => "a φ rotation",
        "psi" => "a ψ tilt",
        "x" | "y" => "a specimen translation",
        "z" => "a specimen height scan",
        _ => return None,
    })
}

/// Reads every scan of a `.brml` archive.
pub fn read_brml(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    let entries = zip::entries(b, source)?;
    let text_of = |name: &str| -> Result<String> {
        let e = entries.iter().find(|e| e.name == name).ok_or_else(|| {
            err(
                source,
                format!("the manifest names {name:?}, which the archive does not contain"),
            )
        })?;
        Ok(crate::text::decode(&zip::read(b, e, source)?))
    };
    let manifest = entries
        .iter()
        .find(|e| e.name.ends_with("DataContainer.xml"))
        .ok_or_else(|| {
            err(
                source,
                "no DataContainer.xml (the manifest naming the scans): not a Bruker .brml".into(),
            )
        })?
        .name
        .clone();
    let mtext = text_of(&manifest)?;
    let mdoc = parse(&mtext, source, &manifest)?;
    let sample = mdoc
        .descendants()
        .find(|n| n.has_tag_name("MeasurementInfo"))
        .and_then(|n| n.attribute("SampleName"))
        .map(str::to_string);
    let scans: Vec<String> = mdoc
        .descendants()
        .filter(|n| n.has_tag_name("RawDataReferenceList"))
        .flat_map(|l| l.children().filter(Node::is_element))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect();
    if scans.is_empty() {
        return Err(err(
            source,
            format!("{manifest} lists no raw data (<RawDataReferenceList> is empty)"),
        ));
    }
    // wavelengths from the measurement container, when there is one
    let mut common = BTreeMap::new();
    let container = manifest.replace("DataContainer.xml", "MeasurementContainer.xml");
    if entries.iter().any(|e| e.name == container)
        && let Ok(t) = text_of(&container)
        && let Ok(d) = Document::parse(&t)
    {
        wavelengths(&d, &mut common);
    }
    let mut out = Vec::new();
    for (k, member) in scans.iter().enumerate() {
        let t = text_of(member)?;
        let d = parse(&t, source, member)?;
        let mut extra = common.clone();
        wavelengths(&d, &mut extra);
        out.push(read_scan(
            &d,
            member,
            source,
            k,
            scans.len(),
            sample.as_deref(),
            extra,
        )?);
    }
    Ok(out)
}

fn wavelengths(d: &Document, extra: &mut BTreeMap<String, String>) {
    for (tag, key) in [
        ("WaveLengthAlpha1", "kAlpha1"),
        ("WaveLengthAlpha2", "kAlpha2"),
        ("WaveLengthRatio", "ratioKAlpha2KAlpha1"),
        ("TubeMaterial", "anode"),
    ] {
        if let Some(v) = d
            .descendants()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.attribute("Value").or_else(|| n.text()))
        {
            extra.insert(key.to_string(), v.trim().to_string());
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn read_scan(
    d: &Document,
    member: &str,
    source: &str,
    k: usize,
    n_scans: usize,
    sample: Option<&str>,
    mut extra: BTreeMap<String, String>,
) -> Result<Spectrum> {
    let at = |m: String| err(source, format!("{member}: {m}"));
    let routes: Vec<Node> = d
        .descendants()
        .filter(|n| n.has_tag_name("DataRoute"))
        .collect();
    let measured: Vec<&Node> = routes
        .iter()
        .filter(|r| r.attribute("RouteFlag") == Some("Measured"))
        .collect();
    let route = match (measured.as_slice(), routes.as_slice()) {
        ([r], _) => **r,
        (_, [r]) => *r,
        ([], []) => return Err(at("no <DataRoute>: no measured points".into())),
        _ => {
            return Err(at(format!(
                "{} data routes and not exactly one marked Measured: which is the measurement is not known",
                routes.len()
            )));
        }
    };
    let (mut two_theta, mut intensity, mut time, mut absorber) = (None, None, None, None);
    let mut unit = String::new();
    // other single-value recordings (a temperature): name, unit, column
    let mut others: Vec<(String, String, usize)> = Vec::new();
    let mut stepped = Vec::new();
    for v in route
        .descendants()
        .filter(|n| n.has_tag_name("RawDataView"))
    {
        let num = |a: &str| -> Result<usize> {
            v.attribute(a)
                .and_then(|s| s.trim().parse().ok())
                .filter(|&x: &usize| x < 1 << 20)
                .ok_or_else(|| at(format!("a <RawDataView> without a usable {a}")))
        };
        let start = num("Start")?;
        match xsi_type(v) {
            "fixed" => match v.attribute("LogicName").unwrap_or("") {
                "MeasuredTime" => time = Some(start),
                "AbsorptionFactor" => absorber = Some(start),
                _ => {}
            },
            "varying" => {
                for (i, f) in v
                    .descendants()
                    .filter(|n| n.has_tag_name("FieldDefinitions"))
                    .enumerate()
                {
                    let id = f
                        .attribute("AxisId")
                        .filter(|s| !s.trim().is_empty())
                        .or_else(|| f.attribute("FieldName"))
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    if id.eq_ignore_ascii_case("TwoTheta") && two_theta.is_none() {
                        two_theta = Some(start + i);
                    }
                    stepped.push(id);
                }
            }
            "recorded" => {
                let len = num("Length")?;
                let recording = v.descendants().find(|n| n.has_tag_name("Recording"));
                let category = recording.and_then(|r| r.attribute("Category"));
                let base = v
                    .descendants()
                    .find(|n| n.has_tag_name("Unit"))
                    .and_then(|u| u.attribute("Base"))
                    .unwrap_or("")
                    .to_string();
                // a counter is the intensity: by its category where the file
                // gives one (a temperature or other recording beside it is
                // kept as metadata), else the first recorded view
                let counter = category.is_none_or(|c| c.eq_ignore_ascii_case("Count"));
                if counter && intensity.is_none() {
                    if len != 1 {
                        return Err(at(format!(
                            "the recorded view holds {len} channels per point: a position-sensitive-detector frame, not a profile; export the integrated scan"
                        )));
                    }
                    intensity = Some(start);
                    unit = base;
                } else if len == 1 {
                    let name = recording
                        .and_then(|r| r.attribute("LogicName"))
                        .unwrap_or("recorded")
                        .to_string();
                    others.push((name, base, start));
                }
            }
            _ => {}
        }
    }
    let Some(iy) = intensity else {
        return Err(at(if others.is_empty() {
            "no RecordedRawDataView: no column is the measured intensity".into()
        } else {
            format!(
                "no recording of category Count among the recorded views ({}): which is the intensity is not known",
                others
                    .iter()
                    .map(|o| o.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }));
    };
    let Some(ix) = two_theta else {
        let what = stepped
            .iter()
            .find_map(|s| other_axis(s).map(|w| format!("{w} ({s})")))
            .unwrap_or_else(|| format!("axes {stepped:?}"));
        return Err(at(format!(
            "the scan steps no 2θ but {what}; only 2θ scans are read"
        )));
    };
    let need = [Some(ix), Some(iy), time, absorber]
        .into_iter()
        .flatten()
        .chain(others.iter().map(|o| o.2))
        .max()
        .unwrap_or(0)
        + 1;
    let (mut x, mut y, mut a, mut t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut other_sums = vec![(0.0f64, 0usize); others.len()];
    for (row, datum) in route
        .children()
        .filter(|n| n.has_tag_name("Datum"))
        .enumerate()
    {
        let text = datum.text().unwrap_or("");
        let v: Vec<f64> = text
            .split(',')
            .take(need)
            .map(|s| s.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                at(format!(
                    "<Datum> {} is not comma-separated numbers: {:.60}",
                    row + 1,
                    text
                ))
            })?;
        if v.len() < need {
            return Err(at(format!(
                "<Datum> {} holds {} values but the views declare columns up to {}",
                row + 1,
                v.len(),
                need
            )));
        }
        x.push(v[ix]);
        y.push(v[iy]);
        for ((_, _, col), (sum, n)) in others.iter().zip(other_sums.iter_mut()) {
            if v[*col].is_finite() {
                *sum += v[*col];
                *n += 1;
            }
        }
        if let Some(i) = absorber {
            a.push(v[i]);
        }
        if let Some(i) = time {
            t.push(v[i]);
        }
    }
    if x.is_empty() {
        return Err(at("no <Datum> rows".into()));
    }
    let attenuated = a.iter().any(|&f| (f - 1.0).abs() > 1e-12);
    if attenuated && a.iter().any(|&f| !(f.is_finite() && f > 0.0)) {
        return Err(at(
            "an AbsorptionFactor that is not a positive number".into()
        ));
    }
    let counts = unit.is_empty() || unit.eq_ignore_ascii_case("counts");
    if let Some(s) = route
        .descendants()
        .find(|n| n.has_tag_name("ScanInformation"))
    {
        for key in ["ScanName", "VisibleName"] {
            if let Some(v) = s.attribute(key) {
                extra.insert(key.to_string(), v.to_string());
            }
        }
        if let Some(v) = s
            .descendants()
            .find(|n| n.has_tag_name("TimePerStep"))
            .and_then(|n| n.text())
        {
            extra.insert("TimePerStep".into(), v.trim().to_string());
        }
    }
    if let (Some(first), true) = (t.first(), !t.is_empty()) {
        let same = t.iter().all(|v| (v - first).abs() <= 1e-12 * first.abs());
        extra.insert(
            "MeasuredTime".into(),
            if same {
                first.to_string()
            } else {
                "varies by point".into()
            },
        );
    }
    if attenuated {
        extra.insert(
            "AbsorptionFactor".into(),
            "varies: intensities as stored (absorber applied), σ = a·√(y/a)".into(),
        );
    }
    if !unit.is_empty() {
        extra.insert("intensity unit".into(), unit.clone());
    }
    for ((name, unit, _), (sum, n)) in others.iter().zip(&other_sums) {
        if *n > 0 {
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" ({unit})")
            };
            extra.insert(format!("{name} mean{unit}"), (sum / *n as f64).to_string());
        }
    }
    // the fixed drives' positions: what tells the scans of a series apart
    // (ψ tilt, specimen position ...)
    for drive in d.descendants().filter(|n| {
        n.has_tag_name("InfoData")
            && n.attributes()
                .any(|a| a.name() == "type" && a.value().ends_with("FixedDriveInfoData"))
    }) {
        let (Some(logic), Some(pos)) = (
            drive.attribute("LogicName"),
            drive.children().find(|c| c.has_tag_name("Position")),
        ) else {
            continue;
        };
        let Some(value) = pos.attribute("Value") else {
            continue;
        };
        let shown = drive
            .attribute("VisibleName")
            .filter(|v| *v != logic)
            .map(|v| format!(" / {v}"))
            .unwrap_or_default();
        let unit = pos
            .attribute("Unit")
            .filter(|u| !u.is_empty())
            .map(|u| format!(" ({u})"))
            .unwrap_or_default();
        extra.insert(
            format!("drive {logic}{shown}{unit}"),
            value.trim().to_string(),
        );
    }
    extra.insert("member".into(), member.to_string());
    let name = match (sample, n_scans) {
        (Some(s), 1) if !s.is_empty() => s.to_string(),
        (Some(s), _) if !s.is_empty() => format!("{s} #{}", k + 1),
        _ => crate::text::stem(member),
    };
    let sigma = attenuated.then(|| {
        y.iter()
            .zip(&a)
            .map(|(yi, ai)| ai * (yi / ai).max(1.0).sqrt())
            .collect::<Vec<f64>>()
    });
    let mut s = Spectrum::new(x, y).map_err(|e| at(e.to_string()))?;
    if let Some(sig) = sigma {
        s = s.with_sigma(sig).map_err(|e| at(e.to_string()))?;
    }
    Ok(s.with_meta(Metadata {
        name,
        technique: Technique::Xrd,
        x_quantity: XQuantity::TwoTheta,
        x_unit: "deg".into(),
        y_unit: if counts { "counts".into() } else { unit },
        counts: counts && !attenuated,
        photon_energy: None,
        source: Some(source.to_string()),
        block: Some(member.to_string()),
        extra,
    }))
}
