//! VAMAS (ISO 14976) files: every block of every experiment mode and both
//! scan modes, with the CasaXPS region and component lines of the block
//! comments parsed into [`CasaRegion`] and [`CasaComponent`].
//!
//! Layout (W. A. Dench, L. B. Hazell, M. P. Seah, *Surf. Interface Anal.* 13
//! (1988) 63; ISO 14976:1998): a header (identifiers, comment lines,
//! experiment mode `MAP|MAPDP|MAPSV|MAPSVDP|NORM|SDP|SDPSV|SEM`, scan mode
//! `REGULAR|IRREGULAR|MAPPING`, experimental variables, counts of optional
//! entries, number of blocks) followed by the blocks, whose optional lines
//! depend on the experiment mode and technique. In `REGULAR` mode the abscissa
//! is start + i·increment; in `IRREGULAR` mode the first corresponding
//! variable is taken as the abscissa (as CasaXPS and SpecsLab write it).
//! The value 1e37 means "not given" and is read as `None`.
//!
//! Not supported (an error says so): parameter inclusion/exclusion lists
//! (files that omit block parameters repeated from the first block).
//!
//! ```
//! use interphase_io::read_vamas;
//! # let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spectra/tests/data/minimal.vms");
//! let text = std::fs::read_to_string(path)?;
//! let file = read_vamas(&text, "minimal.vms")?;
//! assert_eq!(file.blocks.len(), 1);
//! let s = &file.spectra()?[0];
//! assert_eq!(s.meta.photon_energy, Some(1486.6));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cursor::Cursor;
use crate::error::{Error, Result};
use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

const IDENTIFIER: &str = "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4";

/// A parsed VAMAS file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VamasFile {
    /// Institution identifier.
    pub institution: String,
    /// Instrument model identifier.
    pub instrument: String,
    /// Operator identifier.
    pub operator: String,
    /// Experiment identifier.
    pub experiment: String,
    /// Header comment lines (CasaXPS and vendor notes live here).
    pub comments: Vec<String>,
    /// Experiment mode (`NORM`, `SDP`, `MAP`, ...).
    pub experiment_mode: String,
    /// Scan mode (`REGULAR`, `IRREGULAR`, `MAPPING`).
    pub scan_mode: String,
    /// Experimental variables (label, unit), e.g. etch time for depth profiles.
    pub experimental_variables: Vec<(String, String)>,
    /// The blocks.
    pub blocks: Vec<VamasBlock>,
}

/// One VAMAS block (a region or scan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VamasBlock {
    /// Block identifier (region name, e.g. `Ti 2p`).
    pub name: String,
    /// Sample identifier.
    pub sample: String,
    /// Year, month, day, hour, minute, second as written.
    pub date: [i64; 6],
    /// Hours in advance of GMT.
    pub gmt_offset: f64,
    /// Block comment lines.
    pub comments: Vec<String>,
    /// Technique as written (`XPS`, `AES diff`, `ELS`, ...).
    pub technique: String,
    /// Values of the header's experimental variables (e.g. etch time).
    pub experimental_values: Vec<f64>,
    /// Analysis source label (`Al`, `Mg`, `Al mono`, ...).
    pub source_label: String,
    /// Analysis source characteristic energy, eV.
    pub source_energy: Option<f64>,
    /// Analyser mode (`FAT`, `FRR`, ...).
    pub analyser_mode: String,
    /// Pass energy (FAT), retard ratio (FRR) or mass resolution.
    pub pass_energy: Option<f64>,
    /// Analyser work function or acceptance energy, eV.
    pub work_function: Option<f64>,
    /// Species label (`Ti`).
    pub species: String,
    /// Transition or charge-state label (`2p`).
    pub transition: String,
    /// Abscissa label (`Kinetic Energy`, `Binding Energy`, ...).
    pub x_label: String,
    /// Abscissa unit.
    pub x_unit: String,
    /// Abscissa values.
    pub x: Vec<f64>,
    /// Ordinate variables: (label, unit, values), one value per abscissa point.
    pub variables: Vec<(String, String, Vec<f64>)>,
    /// Signal mode (`pulse counting`, `analogue`).
    pub signal_mode: String,
    /// Signal collection time per point, s.
    pub collection_time: Option<f64>,
    /// Number of scans compiled into the block.
    pub scans: i64,
    /// Additional numerical parameters (label, unit, value).
    pub additional: Vec<(String, String, f64)>,
    /// CasaXPS regions (backgrounds) found in the block comment.
    pub casa_regions: Vec<CasaRegion>,
    /// CasaXPS components (peaks) found in the block comment.
    pub casa_components: Vec<CasaComponent>,
}

/// A CasaXPS region line: `CASA region (*name*) (*background*) start end RSF ...`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CasaRegion {
    /// Region name.
    pub name: String,
    /// Background type as written (`Shirley`, `Linear`, `U 3 Tougaard`, ...).
    pub background: String,
    /// Region start and end, on the file's abscissa (kinetic energy for most files).
    pub start: f64,
    /// Region end.
    pub end: f64,
    /// Relative sensitivity factor.
    pub rsf: Option<f64>,
    /// The remaining numbers of the line, in order.
    pub rest: Vec<String>,
}

/// A CasaXPS component line: `CASA comp (*name*) (*lineshape*) Area v lo hi ..
/// MFWHM v lo hi .. Position v lo hi ..`; each parameter is (value, lower
/// limit, upper limit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CasaComponent {
    /// Component name.
    pub name: String,
    /// Line shape as written (`GL(30)`, `SGL(30)`, `LF(0.54,10,80,100,6)`, ...).
    pub lineshape: String,
    /// Area (value, min, max).
    pub area: (f64, f64, f64),
    /// FWHM (value, min, max).
    pub fwhm: (f64, f64, f64),
    /// Position (value, min, max), on the file's abscissa.
    pub position: (f64, f64, f64),
    /// Other keyword → value pairs (`RSF`, `MASS`, `INDEX`, ...).
    pub extra: BTreeMap<String, String>,
}

fn given(v: f64) -> Option<f64> {
    if v.abs() >= 9.99e36 { None } else { Some(v) }
}

fn tokens(line: &str) -> Vec<String> {
    // `(*...*)` is one token; otherwise split on whitespace
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("(*") {
            match r.find("*)") {
                Some(end) => {
                    out.push(r[..end].to_string());
                    rest = r[end + 2..].trim_start();
                }
                None => {
                    out.push(r.to_string());
                    break;
                }
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// Parses a `CASA region` line (`None` if it is not one or is malformed).
pub fn parse_casa_region(line: &str) -> Option<CasaRegion> {
    let t = tokens(line);
    if t.len() < 6 || t[0] != "CASA" || t[1] != "region" {
        return None;
    }
    Some(CasaRegion {
        name: t[2].clone(),
        background: t[3].clone(),
        start: t[4].parse().ok()?,
        end: t[5].parse().ok()?,
        rsf: t.get(6).and_then(|v| v.parse().ok()),
        rest: t[7.min(t.len())..].to_vec(),
    })
}

/// Parses a `CASA comp` line (`None` if it is not one or lacks Area, FWHM or
/// Position).
pub fn parse_casa_component(line: &str) -> Option<CasaComponent> {
    let t = tokens(line);
    if t.len() < 4 || t[0] != "CASA" || t[1] != "comp" {
        return None;
    }
    let triple = |key: &str| -> Option<(f64, f64, f64)> {
        let i = t.iter().position(|w| w == key)?;
        Some((
            t.get(i + 1)?.parse().ok()?,
            t.get(i + 2)?.parse().ok()?,
            t.get(i + 3)?.parse().ok()?,
        ))
    };
    let mut extra = BTreeMap::new();
    for key in ["RSF", "MASS", "INDEX", "CONST", "UNCORRECTEDRSF"] {
        if let Some(i) = t.iter().position(|w| w == key)
            && let Some(v) = t.get(i + 1)
        {
            extra.insert(key.to_string(), v.clone());
        }
    }
    Some(CasaComponent {
        name: t[2].clone(),
        lineshape: t[3].clone(),
        area: triple("Area")?,
        fwhm: triple("MFWHM").or_else(|| triple("FWHM"))?,
        position: triple("Position")?,
        extra,
    })
}

fn int(c: &mut Cursor<'_>, what: &str) -> Result<i64> {
    let v = c.float(what)?;
    if v.fract() != 0.0 || v.abs() > 9.0e15 {
        return Err(c.error(c.line(), format!("expected {what} (an integer), found {v}")));
    }
    Ok(v as i64)
}

/// Parses VAMAS text. `source` names the input in error messages.
pub fn read_vamas(text: &str, source: &str) -> Result<VamasFile> {
    let mut c = Cursor::new(text, source);
    let id = c.next("the VAMAS format identifier")?.trim();
    if id != IDENTIFIER {
        return Err(c.error(1, format!("not a VAMAS file: the first line is {id:?}")));
    }
    let institution = c.next("the institution identifier")?.trim().to_string();
    let instrument = c
        .next("the instrument model identifier")?
        .trim()
        .to_string();
    let operator = c.next("the operator identifier")?.trim().to_string();
    let experiment = c.next("the experiment identifier")?.trim().to_string();
    let n = c.count("the number of comment lines", 1)?;
    let mut comments = Vec::with_capacity(n);
    for _ in 0..n {
        comments.push(c.next("a comment line")?.to_string());
    }
    let mode = c.next("the experiment mode")?.trim().to_string();
    let modes = [
        "MAP", "MAPDP", "MAPSV", "MAPSVDP", "NORM", "SDP", "SDPSV", "SEM",
    ];
    if !modes.contains(&mode.as_str()) {
        return Err(c.error(
            c.line(),
            format!("unknown experiment mode {mode:?} (expected one of {modes:?})"),
        ));
    }
    let scan = c.next("the scan mode")?.trim().to_string();
    if !["REGULAR", "IRREGULAR", "MAPPING"].contains(&scan.as_str()) {
        return Err(c.error(
            c.line(),
            format!("unknown scan mode {scan:?} (expected REGULAR, IRREGULAR or MAPPING)"),
        ));
    }
    let m = mode.as_str();
    if ["MAP", "MAPDP", "NORM", "SDP"].contains(&m) {
        c.count("the number of spectral regions", 0)?;
    }
    if ["MAP", "MAPDP"].contains(&m) {
        c.skip(3, "the analysis positions and map size")?;
    }
    let nv = c.count("the number of experimental variables", 2)?;
    let mut variables = Vec::with_capacity(nv);
    for _ in 0..nv {
        let label = c.next("an experimental variable label")?.trim().to_string();
        let unit = c.next("an experimental variable unit")?.trim().to_string();
        variables.push((label, unit));
    }
    let incl = int(
        &mut c,
        "the number of entries in the parameter inclusion/exclusion list",
    )?;
    if incl != 0 {
        return Err(c.error(
            c.line(),
            format!("parameter inclusion/exclusion lists ({incl} entries) are not supported"),
        ));
    }
    let manual = c.count("the number of manually entered items", 1)?;
    c.skip(manual, "a manually entered item")?;
    let fut_exp = c.count("the number of future upgrade experiment entries", 1)?;
    let fut_block = c.count("the number of future upgrade block entries", 0)?;
    c.skip(fut_exp, "a future upgrade experiment entry")?;
    let nb = c.count("the number of blocks", 1)?;
    let mut blocks = Vec::with_capacity(nb);
    for _ in 0..nb {
        blocks.push(read_block(&mut c, m, &scan, nv, fut_block)?);
    }
    Ok(VamasFile {
        institution,
        instrument,
        operator,
        experiment,
        comments,
        experiment_mode: mode,
        scan_mode: scan,
        experimental_variables: variables,
        blocks,
    })
}

fn read_block(
    c: &mut Cursor<'_>,
    mode: &str,
    scan: &str,
    nv: usize,
    fut_block: usize,
) -> Result<VamasBlock> {
    let start_line = c.line() + 1;
    let name = c.next("the block identifier")?.trim().to_string();
    let sample = c.next("the sample identifier")?.trim().to_string();
    let mut date = [0i64; 6];
    for (d, what) in date
        .iter_mut()
        .zip(["year", "month", "day", "hours", "minutes", "seconds"])
    {
        *d = int(c, what)?;
    }
    let gmt_offset = c.float("the hours in advance of GMT")?;
    let n = c.count("the number of block comment lines", 1)?;
    let mut comments = Vec::with_capacity(n);
    for _ in 0..n {
        comments.push(c.next("a block comment line")?.to_string());
    }
    let technique = c.next("the technique")?.trim().to_string();
    let tech = technique.to_ascii_uppercase();
    if ["MAP", "MAPDP", "MAPSV", "MAPSVDP", "SEM"].contains(&mode) {
        c.skip(2, "the x, y coordinates")?;
    }
    let mut experimental_values = Vec::with_capacity(nv);
    for _ in 0..nv {
        experimental_values.push(c.float("an experimental variable value")?);
    }
    let source_label = c.next("the analysis source label")?.trim().to_string();
    let sputter_techniques = [
        "FABMS",
        "FABMS ENERGY SPEC",
        "ISS",
        "SIMS",
        "SIMS ENERGY SPEC",
        "SNMS",
        "SNMS ENERGY SPEC",
    ];
    let depth = ["MAPDP", "MAPSVDP", "SDP", "SDPSV"].contains(&mode);
    if depth || sputter_techniques.contains(&tech.as_str()) {
        c.skip(3, "the sputtering ion Z, atoms and charge")?;
    }
    let source_energy = given(c.float("the analysis source characteristic energy")?);
    c.float("the analysis source strength")?;
    c.skip(2, "the analysis source beam widths")?;
    if ["MAP", "MAPDP", "MAPSV", "MAPSVDP", "SEM"].contains(&mode) {
        c.skip(2, "the field of view")?;
    }
    if ["MAPSV", "MAPSVDP", "SEM"].contains(&mode) {
        c.skip(6, "the linescan coordinates")?;
    }
    c.float("the analysis source polar angle of incidence")?;
    c.float("the analysis source azimuth")?;
    let analyser_mode = c.next("the analyser mode")?.trim().to_string();
    let pass_energy = given(c.float("the analyser pass energy")?);
    if tech == "AES DIFF" {
        c.float("the differential width")?;
    }
    c.float("the magnification of the analyser transfer lens")?;
    let work_function = given(c.float("the analyser work function")?);
    c.float("the target bias")?;
    c.skip(2, "the analysis widths")?;
    c.float("the analyser take-off polar angle")?;
    c.float("the analyser take-off azimuth")?;
    let species = c.next("the species label")?.trim().to_string();
    let transition = c.next("the transition label")?.trim().to_string();
    int(c, "the charge of the detected particle")?;
    let regular = scan == "REGULAR";
    let (mut x_label, mut x_unit, mut x0, mut dx) = (String::new(), String::new(), 0.0, 0.0);
    if regular {
        x_label = c.next("the abscissa label")?.trim().to_string();
        x_unit = c.next("the abscissa units")?.trim().to_string();
        x0 = c.float("the abscissa start")?;
        dx = c.float("the abscissa increment")?;
    }
    let ncv = c.count("the number of corresponding variables", 2)?;
    if ncv == 0 {
        return Err(c.error(
            c.line(),
            "a block needs at least one corresponding variable",
        ));
    }
    let mut labels = Vec::with_capacity(ncv);
    for _ in 0..ncv {
        let l = c.next("a corresponding variable label")?.trim().to_string();
        let u = c.next("a corresponding variable unit")?.trim().to_string();
        labels.push((l, u));
    }
    let signal_mode = c.next("the signal mode")?.trim().to_string();
    let collection_time = given(c.float("the signal collection time")?);
    let scans = int(c, "the number of scans")?;
    c.float("the signal time correction")?;
    let sputter_source = ["AES DIFF", "AES DIR", "EDX", "ELS", "UPS", "XPS", "XRF"];
    if depth && sputter_source.contains(&tech.as_str()) {
        c.skip(7, "the sputtering source parameters")?;
    }
    c.float("the sample normal polar angle of tilt")?;
    c.float("the sample normal tilt azimuth")?;
    c.float("the sample rotation angle")?;
    let na = c.count("the number of additional numerical parameters", 3)?;
    let mut additional = Vec::with_capacity(na);
    for _ in 0..na {
        let l = c.next("an additional parameter label")?.trim().to_string();
        let u = c.next("an additional parameter unit")?.trim().to_string();
        let v = c.float("an additional parameter value")?;
        additional.push((l, u, v));
    }
    c.skip(fut_block, "a future upgrade block entry")?;
    let nvals = c.count("the number of ordinate values", 1)?;
    if !nvals.is_multiple_of(ncv) {
        return Err(c.error(
            c.line(),
            format!("{nvals} ordinate values do not divide into {ncv} corresponding variables"),
        ));
    }
    c.skip(2 * ncv, "the minimum and maximum ordinate values")?;
    let npts = nvals / ncv;
    let mut cols: Vec<Vec<f64>> = (0..ncv).map(|_| Vec::with_capacity(npts)).collect();
    for _ in 0..npts {
        for col in cols.iter_mut() {
            col.push(c.float("an ordinate value")?);
        }
    }
    let x = if regular {
        (0..npts).map(|i| x0 + dx * i as f64).collect()
    } else {
        if ncv < 2 {
            return Err(c.error(
                start_line,
                "an IRREGULAR block needs the abscissa as its first corresponding variable and at least one more",
            ));
        }
        let (l, u) = labels.remove(0);
        x_label = l;
        x_unit = u;
        cols.remove(0)
    };
    let variables = labels
        .into_iter()
        .zip(cols)
        .map(|((l, u), v)| (l, u, v))
        .collect();
    let casa_regions = comments
        .iter()
        .filter_map(|l| parse_casa_region(l))
        .collect();
    let casa_components = comments
        .iter()
        .filter_map(|l| parse_casa_component(l))
        .collect();
    Ok(VamasBlock {
        name,
        sample,
        date,
        gmt_offset,
        comments,
        technique,
        experimental_values,
        source_label,
        source_energy,
        analyser_mode,
        pass_energy,
        work_function,
        species,
        transition,
        x_label,
        x_unit,
        x,
        variables,
        signal_mode,
        collection_time,
        scans,
        additional,
        casa_regions,
        casa_components,
    })
}

impl VamasBlock {
    /// The block as a [`Spectrum`]: the abscissa and the first ordinate
    /// variable. Metadata: name = block identifier, technique, x quantity from
    /// the abscissa label, photon energy = source energy, `counts` when the
    /// signal mode is pulse counting and the unit is not a rate; pass energy,
    /// analyser mode, species, transition, scans, sample and the other
    /// variables' names go to `meta.extra`.
    pub fn to_spectrum(&self) -> Result<Spectrum> {
        let (label, unit, y) = self.variables.first().ok_or_else(|| {
            Error::Invalid(format!(
                "VAMAS block {:?} has no ordinate variable",
                self.name
            ))
        })?;
        let s = Spectrum::new(self.x.clone(), y.clone())
            .map_err(|e| Error::Invalid(format!("VAMAS block {:?}: {e}", self.name)))?;
        let u = unit.to_ascii_lowercase();
        let rate =
            u.contains("/s") || u.contains("cps") || label.to_ascii_lowercase().contains("rate");
        let mut extra = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            if !v.is_empty() {
                extra.insert(k.to_string(), v);
            }
        };
        put("sample", self.sample.clone());
        put("x_label", self.x_label.clone());
        put("y_label", label.clone());
        put("source_label", self.source_label.clone());
        put("analyser_mode", self.analyser_mode.clone());
        put(
            "pass_energy",
            self.pass_energy.map(|v| v.to_string()).unwrap_or_default(),
        );
        put(
            "work_function",
            self.work_function
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
        put("species", self.species.clone());
        put("transition", self.transition.clone());
        put("scans", self.scans.to_string());
        put("signal_mode", self.signal_mode.clone());
        put(
            "collection_time",
            self.collection_time
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
        let [y0, mo, d, h, mi, se] = self.date;
        if y0 > 0 {
            put(
                "date",
                format!("{y0:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}"),
            );
        }
        for (k, v) in self.experimental_values.iter().enumerate() {
            put(&format!("experimental_variable_{k}"), v.to_string());
        }
        for (l, u, v) in &self.additional {
            put(&format!("param:{l}"), format!("{v} {u}").trim().to_string());
        }
        if self.variables.len() > 1 {
            put(
                "other_variables",
                self.variables[1..]
                    .iter()
                    .map(|v| v.0.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        let meta = Metadata {
            name: self.name.clone(),
            technique: Technique::from_label(&self.technique),
            x_quantity: XQuantity::from_label(&self.x_label),
            x_unit: self.x_unit.clone(),
            y_unit: unit.clone(),
            counts: self.signal_mode.eq_ignore_ascii_case("pulse counting") && !rate,
            photon_energy: self.source_energy,
            source: None,
            block: Some(self.name.clone()),
            extra,
        };
        Ok(s.with_meta(meta))
    }
}

impl VamasFile {
    /// Every block as a [`Spectrum`] ([`VamasBlock::to_spectrum`]).
    /// A block without an identifier is named from its species and transition
    /// (`Ti 2p`), else `block <index>`.
    pub fn spectra(&self) -> Result<Vec<Spectrum>> {
        self.blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let mut s = b.to_spectrum()?;
                if s.meta.name.is_empty() {
                    let st = format!("{} {}", b.species, b.transition).trim().to_string();
                    s.meta.name = if st.is_empty() {
                        format!("block {i}")
                    } else {
                        st
                    };
                }
                Ok(s)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casa_lines() {
        let r = parse_casa_region(
            "CASA region (*Fe 2p*) (*U 3 Tougaard*) 737.52081 786.7632 16.42 2 0 0",
        )
        .unwrap();
        assert_eq!(r.name, "Fe 2p");
        assert_eq!(r.background, "U 3 Tougaard");
        assert!((r.start - 737.52081).abs() < 1e-12);
        assert_eq!(r.rsf, Some(16.42));
        let c = parse_casa_component(
            "CASA comp (*Fe 2p*) (*SGL(30)*) Area 35837.064 1e-020 6383903.5 -1 1 MFWHM 8 1.07 8 -1 1 Position 770.61 770.61 772.61 -1 1 RSF 16.42",
        )
        .unwrap();
        assert_eq!(c.lineshape, "SGL(30)");
        assert_eq!(c.fwhm, (8.0, 1.07, 8.0));
        assert_eq!(c.extra["RSF"], "16.42");
        assert!(parse_casa_component("CASA comp (*x*) (*GL(30)*) Area 1 2").is_none());
        assert!(parse_casa_region("not casa").is_none());
    }
}
