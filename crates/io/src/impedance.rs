//! Impedance files, text: delimited tables read by their header (CSV, TSV,
//! semicolons, decimal commas; Autolab/Nova, CH Instruments, Parstat and
//! pyimpspec-style exports), BioLogic EC-Lab `.mpt` (any version), Gamry
//! `.DTA` (every `ZCURVE` table), Scribner ZPlot/ZView `.z` (`ZPLOT2 ASCII`
//! with `End Comments`, and the `ZPlotW`/`Z60W` "Data File" layout with a
//! header) and VersaStudio `.par` (every `<Segment>`).
//!
//! Columns are found by their names and units ([`crate::columns`]), never by
//! position; a table whose columns cannot be identified is an error that
//! lists the columns and says how to choose them ([`ReadOptions::columns`]).
//! Several sweeps stay several spectra: a new spectrum starts where a cycle
//! column (`cycle number`, `cycle`, `sweep`, `spectrum`) changes or where the
//! frequency sweep restarts.
//! Rows with frequency 0 (other techniques' rows in a sequence, potential
//! records in Parstat exports) are skipped and counted in a warning.
//!
//! ```
//! use interphase_io::impedance::read_impedance_text;
//! use interphase_io::ReadOptions;
//! let text = "f,Z' (Ω),-Z'' (Ω)\n1000,10,2\n100,12,5\n10,20,9\n1000,10.5,2\n100,12.5,5\n";
//! let file = read_impedance_text(text, "two.csv", &ReadOptions::default())?;
//! assert_eq!(file.records.len(), 2); // the sweep restarts at row 4
//! assert_eq!(file.records[0].spectrum.z()[1].im, -5.0); // −Z″ flipped
//! # Ok::<(), interphase_io::Error>(())
//! ```

use std::collections::BTreeMap;

use interphase_eis::ImpedanceSpectrum;

use crate::columns::{ColumnChoice, Mapping, from_header};
use crate::error::{Error, Result, parse_err};
use crate::text::{delimiter_of, fields, header_names, lines, number, numeric_row};
use crate::{Format, ReadOptions};

/// One impedance spectrum of a file with what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpedanceRecord {
    /// The data (its `name`: the file stem, with `#k` when the file holds
    /// several spectra).
    pub spectrum: ImpedanceSpectrum,
    /// 0-based position among the file's impedance spectra.
    pub index: usize,
    /// The cycle (loop) number the file gives, if any.
    pub cycle: Option<f64>,
    /// The technique the file names (BioLogic `PEIS`, Gamry `EISPOT`, ...).
    pub technique: Option<String>,
    /// The 1-based line (text) where the spectrum's first row is, 0 for
    /// binary files.
    pub first_line: usize,
    /// What else is known (instrument, software version, which columns were
    /// read, drift correction ...), as text.
    pub metadata: BTreeMap<String, String>,
}

/// The impedance spectra of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpedanceFile {
    /// The file name as given.
    pub source: String,
    /// The format recognised.
    pub format: Format,
    /// The spectra, in file order.
    pub records: Vec<ImpedanceRecord>,
    /// Things the reader did that a user should know (skipped rows ...).
    pub warnings: Vec<String>,
}

impl ImpedanceFile {
    /// The spectra alone.
    pub fn spectra(&self) -> Vec<ImpedanceSpectrum> {
        self.records.iter().map(|r| r.spectrum.clone()).collect()
    }
}

/// Rows of one sweep before validation.
#[derive(Default)]
pub(crate) struct Sweep {
    pub(crate) f: Vec<f64>,
    pub(crate) re: Vec<f64>,
    pub(crate) im: Vec<f64>,
    pub(crate) cycle: Option<f64>,
    pub(crate) first_line: usize,
}

/// Splits rows into sweeps: a new one where `cycle` changes or where the
/// frequency reverses the direction of the sweep so far.
#[derive(Default)]
pub(crate) struct Splitter {
    pub(crate) sweeps: Vec<Sweep>,
    /// +1 rising, −1 falling, 0 not known yet.
    dir: i8,
}

impl Splitter {
    pub(crate) fn push(&mut self, line: usize, f: f64, re: f64, im: f64, cycle: Option<f64>) {
        let last = self.sweeps.last().and_then(|s| s.f.last().copied());
        let step = last.map_or(0, |l| {
            if f > l {
                1i8
            } else if f < l {
                -1
            } else {
                0
            }
        });
        let new = match self.sweeps.last() {
            None => true,
            Some(s) => {
                let cycle_changed = match (s.cycle, cycle) {
                    (Some(a), Some(b)) => a.to_bits() != b.to_bits(),
                    _ => false,
                };
                cycle_changed || (self.dir != 0 && step == -self.dir)
            }
        };
        if new {
            self.sweeps.push(Sweep {
                cycle,
                first_line: line,
                ..Sweep::default()
            });
            self.dir = 0;
        } else if self.dir == 0 {
            self.dir = step;
        }
        if let Some(s) = self.sweeps.last_mut() {
            s.f.push(f);
            s.re.push(re);
            s.im.push(im);
        }
    }
}

/// The records of a file from its sweeps (names `stem` or `stem #k`).
pub(crate) fn records(
    source: &str,
    sweeps: Vec<Sweep>,
    technique: Option<&str>,
    meta: &BTreeMap<String, String>,
) -> Result<Vec<ImpedanceRecord>> {
    let stem = crate::text::stem(source);
    let n = sweeps.len();
    let mut out = Vec::with_capacity(n);
    for (k, s) in sweeps.into_iter().enumerate() {
        let line = s.first_line;
        let mut spectrum = ImpedanceSpectrum::from_parts(s.f, &s.re, &s.im).map_err(|e| {
            if line > 0 {
                parse_err(
                    source,
                    line,
                    format!("spectrum {} starting here: {e}", k + 1),
                )
            } else {
                Error::Invalid(format!("{source}: spectrum {}: {e}", k + 1))
            }
        })?;
        spectrum.name = if n > 1 {
            format!("{stem} #{}", k + 1)
        } else {
            stem.clone()
        };
        out.push(ImpedanceRecord {
            spectrum,
            index: k,
            cycle: s.cycle,
            technique: technique.map(str::to_string),
            first_line: line,
            metadata: meta.clone(),
        });
    }
    Ok(out)
}

/// Reads data rows with a column mapping: frequency 0 rows are skipped and
/// counted; when both Re/Im and |Z|/phase columns exist, every row is
/// checked for agreement (a sign read the wrong way is caught here).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_rows(
    rows: &[(usize, &str)],
    delim: char,
    mapping: &Mapping,
    cycle_col: Option<usize>,
    max_fields: Option<usize>,
    source: &str,
    split: &mut Splitter,
    zero_rows: &mut usize,
) -> Result<()> {
    let width = mapping.width().max(cycle_col.map_or(0, |c| c + 1));
    let dc = delim != ',';
    for &(ln, line) in rows {
        if line.trim().is_empty() {
            continue;
        }
        let fs = fields(line, delim);
        if fs.len() < width {
            return Err(parse_err(
                source,
                ln,
                format!("expected at least {width} fields, found {}", fs.len()),
            ));
        }
        if let Some(m) = max_fields
            && fs.len() > m
        {
            return Err(parse_err(
                source,
                ln,
                format!(
                    "{} fields but the header names {m} columns: the header does not describe the rows",
                    fs.len()
                ),
            ));
        }
        let get = |c: usize| -> Result<f64> {
            number(fs[c], dc).ok_or_else(|| {
                parse_err(
                    source,
                    ln,
                    format!(
                        "column {}: expected a finite number, found {:?}",
                        c + 1,
                        fs[c]
                    ),
                )
            })
        };
        let (fc, fr) = mapping.frequency;
        let f = fr.value(get(fc)?);
        let rect = match &mapping.rect {
            Some([(rc, rr), (ic, ir)]) => Some((rr.value(get(*rc)?), ir.value(get(*ic)?))),
            None => None,
        };
        let polar = match &mapping.polar {
            Some([(mc, mr), (pc, pr)]) => Some((mr.value(get(*mc)?), pr.value(get(*pc)?))),
            None => None,
        };
        if f == 0.0 {
            *zero_rows += 1;
            continue;
        }
        let (re, im) = match (rect, polar) {
            (Some((re, im)), Some((m, ph))) => {
                check_polar(re, im, m, ph).map_err(|msg| parse_err(source, ln, msg))?;
                (re, im)
            }
            (Some(r), None) => r,
            (None, Some((m, ph))) => {
                let (s, c) = ph.to_radians().sin_cos();
                (m * c, m * s)
            }
            (None, None) => unreachable!("a mapping has Re/Im or |Z|/phase"),
        };
        let cycle = match cycle_col {
            Some(c) => Some(get(c)?),
            None => None,
        };
        split.push(ln, f, re, im, cycle);
    }
    Ok(())
}

/// Re/Im against |Z|/phase: |Z| within 0.1 % (plus 10⁻⁹ of |Z| for
/// rounding), phase within 1° where |Z| is not tiny.
pub(crate) fn check_polar(re: f64, im: f64, m: f64, ph: f64) -> std::result::Result<(), String> {
    let r = re.hypot(im);
    let scale = r.max(m.abs());
    // an exporter that leaves |Z| and phase at 0 has not filled them
    if scale == 0.0 || (m == 0.0 && ph == 0.0) {
        return Ok(());
    }
    if (r - m.abs()).abs() > 1e-3 * scale + 1e-12 {
        return Err(format!(
            "Re/Im give |Z| = {r:.6e} but the |Z| column says {m:.6e}: the columns disagree"
        ));
    }
    let calc = im.atan2(re).to_degrees();
    let mut d = (calc - ph).rem_euclid(360.0);
    if d > 180.0 {
        d = 360.0 - d;
    }
    if d > 1.0 && im.abs() > 1e-3 * scale {
        return Err(format!(
            "Re/Im give a phase of {calc:.3}° but the phase column says {ph:.3}°: is the imaginary column's sign (Im Z or −Im Z) right? choose it with --columns"
        ));
    }
    Ok(())
}

fn zero_warning(n: usize, warnings: &mut Vec<String>) {
    if n > 0 {
        warnings.push(format!(
            "{n} rows with frequency 0 (not impedance data) were skipped"
        ));
    }
}

/// Reads impedance text in any of the formats this module knows, chosen
/// from the content (see [`crate::sniff`]).
pub fn read_impedance_text(text: &str, source: &str, o: &ReadOptions) -> Result<ImpedanceFile> {
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if first.starts_with("EC-Lab ASCII FILE") {
        read_mpt(text, source, o)
    } else if first.starts_with("EXPLAIN") {
        read_gamry(text, source, o)
    } else if first.starts_with("ZPLOT2 ASCII") {
        read_zplot2(text, source, o)
    } else if first.trim_matches('"').starts_with("ZPlotW Data File")
        || first.trim_matches('"').starts_with("Z60W Data File")
    {
        read_table(text, source, o, Format::ZPlot)
    } else if first.starts_with('<') && text.contains("<Segment") && text.contains("Definition=") {
        read_par(text, source, o)
    } else {
        read_table(text, source, o, Format::ImpedanceText)
    }
}

/// The column mapping from the user's choice or the header.
fn mapping_for(
    o: &ReadOptions,
    names: &[String],
    ncols: usize,
    source: &str,
    header_line: usize,
) -> Result<Mapping> {
    match &o.columns {
        Some(c) => c.mapping(names, ncols, source),
        None => {
            if names.is_empty() {
                Err(Error::Columns {
                    source_name: source.to_string(),
                    line: 0,
                    found: (1..=ncols).map(|k| format!("column {k}")).collect(),
                    message: "the table has no header, so its columns cannot be identified (impedance.py's CSV convention is --columns 1,2,3: frequency, Re Z, Im Z)".into(),
                })
            } else {
                from_header(names, source, header_line)
            }
        }
    }
}

/// A delimited table (or several, one after the other): each block of
/// numeric rows with the header line above it.
pub(crate) fn read_table(
    text: &str,
    source: &str,
    o: &ReadOptions,
    format: Format,
) -> Result<ImpedanceFile> {
    let all = lines(text);
    let is_comment = |l: &str| {
        let t = l.trim_start();
        t.starts_with('#') || t.starts_with('%') || t.starts_with("//")
    };
    let mut split = Splitter::default();
    let mut zero = 0usize;
    let mut i = 0usize;
    let mut blocks = 0usize;
    let mut meta = BTreeMap::new();
    let mut described = Vec::new();
    let mut warnings = Vec::new();
    while i < all.len() {
        // a block starts at two consecutive numeric rows of equal width ≥ 3
        let width = |l: &str| fields(l.trim(), delimiter_of(l.trim())).len();
        let starts = numeric_row(all[i].1, 3)
            && (i + 1 >= all.len()
                || all[i + 1].1.trim().is_empty()
                || (numeric_row(all[i + 1].1, 3) && width(all[i + 1].1) == width(all[i].1)));
        if !starts || is_comment(all[i].1) {
            i += 1;
            continue;
        }
        let delim = delimiter_of(all[i].1.trim());
        let ncols = fields(all[i].1, delim).len();
        // the header: the nearest non-empty, non-comment line above
        let header = all[..i]
            .iter()
            .rev()
            .find(|(_, l)| !l.trim().is_empty() && !is_comment(l));
        let (names, hl) = match header {
            Some((ln, l)) if !numeric_row(l, 1) => (header_names(l, delim), *ln),
            _ => (Vec::new(), 0),
        };
        let mapping = mapping_for(o, &names, ncols, source, hl)?;
        let end = all[i..]
            .iter()
            .position(|(_, l)| !l.trim().is_empty() && !numeric_row(l, 1))
            .map_or(all.len(), |k| i + k);
        let max = (!names.is_empty()).then_some(names.len());
        // a cycle / sweep / spectrum-number column separates the spectra
        let cycle = names.iter().position(|n| {
            matches!(
                n.trim().to_ascii_lowercase().as_str(),
                "cycle" | "cycle number" | "cycle_number" | "sweep" | "spectrum"
            )
        });
        read_rows(
            &all[i..end],
            delim,
            &mapping,
            cycle,
            max,
            source,
            &mut split,
            &mut zero,
        )?;
        // ZPlot "Data File" layouts give the point count on the line above the header
        if let Some(&(_, count)) = all[..i]
            .iter()
            .rev()
            .filter(|(_, l)| !l.trim().is_empty())
            .nth(1)
            .filter(|_| hl > 0)
            && let Ok(n) = count.trim().parse::<usize>()
        {
            let got = all[i..end]
                .iter()
                .filter(|(_, l)| !l.trim().is_empty())
                .count();
            if n != got {
                warnings.push(format!(
                    "the file announces {n} points but {got} rows follow (truncated?)"
                ));
            }
        }
        described.push(mapping.describe(&names));
        blocks += 1;
        i = end;
    }
    if blocks == 0 {
        return Err(parse_err(
            source,
            0,
            "no table of numbers with at least 3 columns found",
        ));
    }
    meta.insert("columns".to_string(), described.join("; "));
    zero_warning(zero, &mut warnings);
    if split.sweeps.is_empty() {
        return Err(parse_err(
            source,
            0,
            "no impedance rows (every row has frequency 0)",
        ));
    }
    Ok(ImpedanceFile {
        source: source.to_string(),
        format,
        records: records(source, split.sweeps, None, &meta)?,
        warnings,
    })
}

/// BioLogic EC-Lab ASCII export (`.mpt`), any version: `Nb header lines : N`,
/// the header block (technique on line 4, settings as `key : value`), the
/// column names on line N; columns by name (`freq/Hz`, `Re(Z)/Ohm`,
/// `-Im(Z)/Ohm`, `|Z|/Ohm`, `Phase(Z)/deg`), sweeps split by `cycle number`
/// and by frequency restarts, rows with frequency 0 skipped. A file of a
/// technique without impedance columns (CV, CA, GCPL, OCV ...) is refused
/// with its technique named.
pub fn read_mpt(text: &str, source: &str, o: &ReadOptions) -> Result<ImpedanceFile> {
    let all = lines(text);
    if !all
        .first()
        .is_some_and(|(_, l)| l.trim().starts_with("EC-Lab ASCII FILE"))
    {
        return Err(parse_err(
            source,
            1,
            "not an EC-Lab ASCII file (the first line is not \"EC-Lab ASCII FILE\")",
        ));
    }
    let (hl, n) = all
        .iter()
        .take(10)
        .find_map(|(ln, l)| {
            l.trim().strip_prefix("Nb header lines").map(|r| {
                (
                    *ln,
                    r.trim_start_matches([' ', ':'])
                        .trim()
                        .parse::<usize>()
                        .ok(),
                )
            })
        })
        .ok_or_else(|| parse_err(source, 0, "no \"Nb header lines\" line"))?;
    let n = n.filter(|&n| n >= 3 && n <= all.len()).ok_or_else(|| {
        parse_err(
            source,
            hl,
            format!("bad header line count (the file has {} lines)", all.len()),
        )
    })?;
    let mut meta = BTreeMap::new();
    let technique = all
        .get(3)
        .filter(|_| n > 4)
        .map(|(_, l)| l.trim().to_string())
        .filter(|t| !t.is_empty() && !t.contains(" : "));
    for (_, l) in &all[2..n - 1] {
        if let Some((k, v)) = l.split_once(" : ") {
            let k = k.trim();
            if !k.is_empty() && meta.len() < 200 {
                meta.entry(k.to_string())
                    .or_insert_with(|| v.trim().to_string());
            }
        } else if l.trim_start().starts_with("EC-Lab for windows") || l.contains("(software)") {
            meta.insert("software".into(), l.trim().to_string());
        }
    }
    let names: Vec<String> = all[n - 1]
        .1
        .trim_end_matches(['\t', ' '])
        .split('\t')
        .map(|s| s.trim().to_string())
        .collect();
    let mapping = match mapping_for(o, &names, names.len(), source, n) {
        Ok(m) => m,
        Err(e @ Error::Columns { .. }) => {
            let has_f = names.iter().any(|c| c == "freq/Hz");
            let has_z = names.iter().any(|c| c == "Re(Z)/Ohm");
            return Err(match &technique {
                Some(t) if !has_f && !has_z => Error::WrongKind {
                    source_name: source.to_string(),
                    message: format!(
                        "a BioLogic file of technique {t:?}: it holds no impedance data (no freq/Hz, Re(Z)/Ohm, -Im(Z)/Ohm columns)"
                    ),
                },
                _ => e,
            });
        }
        Err(e) => return Err(e),
    };
    let cycle = names.iter().position(|c| c == "cycle number");
    let mut split = Splitter::default();
    let mut zero = 0;
    read_rows(
        &all[n..],
        '\t',
        &mapping,
        cycle,
        Some(names.len()),
        source,
        &mut split,
        &mut zero,
    )?;
    meta.insert("columns".into(), mapping.describe(&names));
    let mut warnings = Vec::new();
    zero_warning(zero, &mut warnings);
    if split.sweeps.is_empty() {
        return Err(parse_err(source, n + 1, "no impedance rows"));
    }
    Ok(ImpedanceFile {
        source: source.to_string(),
        format: Format::BiologicMpt,
        records: records(source, split.sweeps, technique.as_deref(), &meta)?,
        warnings,
    })
}

/// Gamry Framework `.DTA`: every `ZCURVE...` table (columns `Freq`, `Zreal`,
/// `Zimag` signed, after a names row and a units row; the drift-corrected
/// `ZrealDrCor`/`ZimagDrCor` when the file has them), decimal commas as the
/// file's locale wrote them; `TAG`, `TITLE`, `DATE`, `TIME` and other
/// `KEY<tab>TYPE<tab>VALUE` lines as metadata.
pub fn read_gamry(text: &str, source: &str, _o: &ReadOptions) -> Result<ImpedanceFile> {
    let all = lines(text);
    let mut meta = BTreeMap::new();
    let mut split = Splitter::default();
    let mut zero = 0;
    let mut tables = 0;
    let mut i = 0;
    let mut drift = false;
    while i < all.len() {
        let (ln, l) = all[i];
        let parts: Vec<&str> = l.split('\t').collect();
        if parts.len() >= 2 && !l.starts_with('\t') && parts[1] != "TABLE" && meta.len() < 200 {
            let v = if parts.len() == 2 { parts[1] } else { parts[2] };
            meta.entry(parts[0].trim().to_string())
                .or_insert_with(|| v.trim().to_string());
        }
        if !(parts.len() >= 2 && parts[0].starts_with("ZCURVE") && parts[1].trim() == "TABLE") {
            i += 1;
            continue;
        }
        let (hl, header) = *all
            .get(i + 1)
            .ok_or_else(|| parse_err(source, ln, "ZCURVE without a column header"))?;
        let names: Vec<String> = header
            .trim()
            .split('\t')
            .map(|s| s.trim().to_string())
            .collect();
        let find = |want: &str| names.iter().position(|c| c.eq_ignore_ascii_case(want));
        let (re, im) = match (find("ZrealDrCor"), find("ZimagDrCor")) {
            (Some(a), Some(b)) => {
                drift = true;
                (Some(a), Some(b))
            }
            _ => (find("Zreal"), find("Zimag")),
        };
        let (Some(cf), Some(cr), Some(ci)) = (find("Freq"), re, im) else {
            return Err(Error::Columns {
                source_name: source.to_string(),
                line: hl,
                found: names,
                message: "the ZCURVE header lacks Freq, Zreal or Zimag".into(),
            });
        };
        let role = |q| crate::columns::Role {
            quantity: q,
            negated: false,
            scale: 1.0,
        };
        use crate::columns::Quantity::*;
        let mapping = Mapping {
            frequency: (cf, role(Frequency)),
            rect: Some([(cr, role(Real)), (ci, role(Imag))]),
            polar: None,
        };
        let start = (i + 3).min(all.len());
        let end = all[start..]
            .iter()
            .position(|(_, l)| !(l.starts_with('\t') || l.starts_with(' ')) || l.trim().is_empty())
            .map_or(all.len(), |k| start + k);
        let mut s = Splitter::default();
        read_rows(
            &all[start..end],
            '\t',
            &mapping,
            None,
            Some(names.len()),
            source,
            &mut s,
            &mut zero,
        )?;
        // one table is one curve, even if its frequencies go up and down
        if let Some(first) = s.sweeps.first().map(|x| x.first_line) {
            let mut merged = Sweep {
                first_line: first,
                ..Sweep::default()
            };
            for sw in s.sweeps {
                merged.f.extend(sw.f);
                merged.re.extend(sw.re);
                merged.im.extend(sw.im);
            }
            split.sweeps.push(merged);
        }
        tables += 1;
        i = end;
    }
    if tables == 0 {
        return Err(parse_err(
            source,
            0,
            "no ZCURVE table (not a Gamry EIS file?)",
        ));
    }
    if drift {
        meta.insert(
            "columns".into(),
            "Freq, ZrealDrCor, ZimagDrCor (drift-corrected)".into(),
        );
    } else {
        meta.insert("columns".into(), "Freq, Zreal, Zimag".into());
    }
    let technique = meta.get("TAG").cloned();
    let mut warnings = Vec::new();
    zero_warning(zero, &mut warnings);
    if split.sweeps.is_empty() {
        return Err(parse_err(source, 0, "the ZCURVE tables hold no rows"));
    }
    Ok(ImpedanceFile {
        source: source.to_string(),
        format: Format::GamryDta,
        records: records(source, split.sweeps, technique.as_deref(), &meta)?,
        warnings,
    })
}

/// Scribner ZPlot/ZView `ZPLOT2 ASCII` (`.z`): rows after `End Comments`,
/// in the format's fixed layout (frequency, amplitude, bias, time, Z′, Z″
/// signed, ...). ZPlot files without `End Comments` carry a header line and
/// are read by it (see [`read_impedance_text`]).
pub fn read_zplot2(text: &str, source: &str, o: &ReadOptions) -> Result<ImpedanceFile> {
    let all = lines(text);
    let Some(start) = all.iter().position(|(_, l)| l.trim() == "End Comments") else {
        // no End Comments: a header-described table
        return read_table(text, source, o, Format::ZPlot);
    };
    let mut meta = BTreeMap::new();
    for (_, l) in &all[1..start] {
        if let Some((k, v)) = l.split_once(':')
            && meta.len() < 200
        {
            let k = k.trim();
            if !k.is_empty() {
                meta.entry(k.to_string())
                    .or_insert_with(|| v.trim().to_string());
            }
        }
    }
    let mapping = match &o.columns {
        Some(c) => c.mapping(&[], 9, source)?,
        None => {
            let role = |q| crate::columns::Role {
                quantity: q,
                negated: false,
                scale: 1.0,
            };
            use crate::columns::Quantity::*;
            Mapping {
                frequency: (0, role(Frequency)),
                rect: Some([(4, role(Real)), (5, role(Imag))]),
                polar: None,
            }
        }
    };
    let rows = &all[start + 1..];
    let delim = rows
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .map_or('\t', |(_, l)| delimiter_of(l.trim()));
    let mut split = Splitter::default();
    let mut zero = 0;
    read_rows(
        rows, delim, &mapping, None, None, source, &mut split, &mut zero,
    )?;
    meta.insert(
        "columns".into(),
        "ZPLOT2 layout: frequency (1), Z' (5), Z'' (6)".into(),
    );
    let mut warnings = Vec::new();
    zero_warning(zero, &mut warnings);
    if split.sweeps.is_empty() {
        return Err(parse_err(
            source,
            start + 1,
            "no data rows after End Comments",
        ));
    }
    Ok(ImpedanceFile {
        source: source.to_string(),
        format: Format::ZPlot,
        records: records(source, split.sweeps, None, &meta)?,
        warnings,
    })
}

/// Princeton Applied Research VersaStudio `.par`: every `<SegmentN>` block,
/// columns from its `Definition=` line (`Frequency(Hz)`, `Z Real`, `Z Imag`
/// signed; a second channel's `Z2 Real`/`Z2 Imag` ignored).
pub fn read_par(text: &str, source: &str, o: &ReadOptions) -> Result<ImpedanceFile> {
    let all = lines(text);
    let mut meta = BTreeMap::new();
    let mut split = Splitter::default();
    let mut zero = 0;
    let mut segments = 0;
    let mut i = 0;
    let mut described = String::new();
    while i < all.len() {
        let l = all[i].1.trim();
        if let Some((k, v)) = l.split_once('=')
            && !k.contains(',')
            && meta.len() < 200
        {
            meta.entry(k.trim().to_string())
                .or_insert_with(|| v.trim().to_string());
        }
        if !l.starts_with("<Segment") || l.starts_with("</") {
            i += 1;
            continue;
        }
        let close = format!("</{}", &l[1..]);
        let end = all[i..]
            .iter()
            .position(|(_, x)| x.trim() == close)
            .map_or(all.len(), |k| i + k);
        let (dl, def) = all[i..end]
            .iter()
            .find(|(_, x)| x.trim_start().starts_with("Definition="))
            .copied()
            .ok_or_else(|| parse_err(source, all[i].0, "a <Segment> block without Definition="))?;
        let mut names: Vec<String> = def
            .trim()
            .trim_start_matches("Definition=")
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let data_start = all[i..end]
            .iter()
            .position(|(_, x)| numeric_row(x, 3))
            .map_or(end, |k| i + k);
        let ncols = all.get(data_start).map_or(0, |(_, x)| fields(x, ',').len());
        // the Definition line ends with a count that is not a column
        while names.len() > ncols && names.last().is_some_and(|n| number(n, false).is_some()) {
            names.pop();
        }
        let mapping = mapping_for(o, &names, ncols.max(names.len()), source, dl)?;
        read_rows(
            &all[data_start..end],
            ',',
            &mapping,
            None,
            Some(names.len()),
            source,
            &mut split,
            &mut zero,
        )?;
        described = mapping.describe(&names);
        segments += 1;
        i = end + 1;
    }
    if segments == 0 {
        return Err(parse_err(source, 0, "no <Segment> block"));
    }
    meta.insert("columns".into(), described);
    let mut warnings = Vec::new();
    zero_warning(zero, &mut warnings);
    if split.sweeps.is_empty() {
        return Err(parse_err(source, 0, "the segments hold no impedance rows"));
    }
    let technique = meta.get("Name").cloned();
    Ok(ImpedanceFile {
        source: source.to_string(),
        format: Format::VersaStudioPar,
        records: records(source, split.sweeps, technique.as_deref(), &meta)?,
        warnings,
    })
}

/// Picks one spectrum of a file by `--spectrum`: a 1-based number or a name
/// (the record's name, or `cycle N`).
pub fn select(file: &ImpedanceFile, which: &str) -> Result<ImpedanceRecord> {
    let n = file.records.len();
    if let Ok(k) = which.trim().parse::<usize>() {
        if k == 0 || k > n {
            return Err(Error::Invalid(format!(
                "{}: --spectrum {k}: the file holds {n} impedance spectra (1 to {n})",
                file.source
            )));
        }
        return Ok(file.records[k - 1].clone());
    }
    file.records
        .iter()
        .find(|r| {
            r.spectrum.name == which
                || r.cycle
                    .is_some_and(|c| format!("cycle {c}") == which.trim())
        })
        .cloned()
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{}: --spectrum {which:?}: no such spectrum; the file holds: {}",
                file.source,
                file.records
                    .iter()
                    .map(|r| r.spectrum.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// A [`ColumnChoice`] from `--columns` text (re-exported for callers).
pub fn columns(text: &str) -> Result<ColumnChoice> {
    ColumnChoice::parse(text)
}

/// An EC-Lab `.mpt` export of a technique without impedance data (CV, CA,
/// CP, GCPL, OCV, WAIT ...) as a table: every column by its header name,
/// decimal commas read, the technique from the header block.
pub fn read_mpt_table(text: &str, source: &str) -> Result<crate::Table> {
    let all = lines(text);
    let n = all
        .iter()
        .take(10)
        .find_map(|(_, l)| {
            l.trim().strip_prefix("Nb header lines").and_then(|r| {
                r.trim_start_matches([' ', ':'])
                    .trim()
                    .parse::<usize>()
                    .ok()
            })
        })
        .filter(|&n| n >= 3 && n <= all.len())
        .ok_or_else(|| parse_err(source, 2, "no valid \"Nb header lines\" line"))?;
    let technique = all
        .get(3)
        .filter(|_| n > 4)
        .map(|(_, l)| l.trim().to_string())
        .filter(|t| !t.is_empty() && !t.contains(" : "));
    let names: Vec<String> = all[n - 1]
        .1
        .trim_end_matches(['\t', ' '])
        .split('\t')
        .map(|s| s.trim().to_string())
        .collect();
    let columns = crate::text::tab_columns(&all[n..], &names, true, source)?;
    let name = crate::text::stem(source);
    Ok(crate::Table {
        name,
        technique,
        columns: names.into_iter().zip(columns).collect(),
        metadata: BTreeMap::new(),
    })
}
