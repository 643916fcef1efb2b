//! `interphase info FILE...`: what a file holds — the format recognised from
//! its bytes, each spectrum or impedance spectrum with its name, points,
//! axis range, cycle, technique and the columns read, and the reader's
//! warnings. JSON: `{"files":[{"file","format","spectra":[{"name","kind",
//! "points","x_min","x_max","x_quantity"|"cycle","technique","columns"}],
//! "warnings":[..]}]}`. A file that cannot be read is reported with its
//! error (exit status 2 once every file has been listed).

use std::path::PathBuf;

use clap::Args;
use interphase::io as files;
use serde::Serialize;

use crate::Failure;
use crate::output::Format;

/// `info` arguments.
#[derive(Args, Debug, Clone)]
pub struct InfoArgs {
    /// Files of any supported format.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Impedance columns for tables whose header does not identify them
    /// (FREQ,RE,IM; see `eis fit --help`).
    #[arg(long, value_name = "FREQ,RE,IM", allow_hyphen_values = true)]
    pub columns: Option<String>,
}

#[derive(Serialize)]
struct Entry {
    name: String,
    kind: &'static str,
    points: usize,
    x_min: f64,
    x_max: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_quantity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycle: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    technique: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    columns: Option<String>,
}

#[derive(Serialize)]
struct FileInfo {
    file: String,
    format: &'static str,
    spectra: Vec<Entry>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn describe(c: &files::FileContents) -> Vec<Entry> {
    let mut out = Vec::new();
    for r in &c.impedance {
        let (lo, hi) = r.spectrum.freq_range();
        out.push(Entry {
            name: r.spectrum.name.clone(),
            kind: "impedance",
            points: r.spectrum.len(),
            x_min: lo,
            x_max: hi,
            x_quantity: Some("frequency (Hz)".into()),
            cycle: r.cycle,
            technique: r.technique.clone(),
            columns: r.metadata.get("columns").cloned(),
        });
    }
    for s in &c.spectra {
        let (lo, hi) = s.x_range();
        out.push(Entry {
            name: s.meta.name.clone(),
            kind: "spectrum",
            points: s.len(),
            x_min: lo,
            x_max: hi,
            x_quantity: Some(format!(
                "{:?}{}",
                s.meta.x_quantity,
                if s.meta.x_unit.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", s.meta.x_unit)
                }
            )),
            cycle: None,
            technique: Some(s.meta.technique.name().to_string()).filter(|t| *t != "other"),
            columns: None,
        });
    }
    // tables last: the spectra keep the numbers `--spectrum N` uses
    for t in &c.tables {
        let first = t.columns.first().map(|c| c.1.as_slice()).unwrap_or(&[]);
        let lo = first.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = first.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        out.push(Entry {
            name: t.name.clone(),
            kind: "table",
            points: t.rows(),
            x_min: if lo.is_finite() { lo } else { 0.0 },
            x_max: if hi.is_finite() { hi } else { 0.0 },
            x_quantity: t.columns.first().map(|c| c.0.clone()),
            cycle: None,
            technique: t.technique.clone(),
            columns: Some(
                t.columns
                    .iter()
                    .map(|c| c.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        });
    }
    out
}

/// Runs `info`: prints every file's description; fails (status 2) when a
/// file could not be read.
pub fn run(a: &InfoArgs, format: Format) -> Result<(), Failure> {
    let mut o = files::ReadOptions::default();
    if let Some(c) = &a.columns {
        o.columns = Some(
            files::columns::ColumnChoice::parse(c).map_err(|e| Failure::input(e.to_string()))?,
        );
    }
    let mut infos = Vec::new();
    let mut failed = 0;
    for p in &a.files {
        let file = p.display().to_string();
        match files::read_path(p, &o) {
            Ok(c) => infos.push(FileInfo {
                file,
                format: c.format.name(),
                spectra: describe(&c),
                warnings: c.warnings.clone(),
                error: None,
            }),
            Err(e) => {
                failed += 1;
                let bytes = std::fs::read(p).unwrap_or_default();
                infos.push(FileInfo {
                    file,
                    format: files::sniff(&bytes, p).name(),
                    spectra: Vec::new(),
                    warnings: Vec::new(),
                    error: Some(e.to_string()),
                });
            }
        }
    }
    crate::emit(|out| {
        use std::io::Write;
        match format {
            Format::Json => writeln!(out, "{}", serde_json::json!({ "files": infos })),
            _ => {
                for f in &infos {
                    writeln!(out, "{}: {}", f.file, f.format)?;
                    if let Some(e) = &f.error {
                        writeln!(out, "  error: {e}")?;
                    }
                    for (k, s) in f.spectra.iter().enumerate() {
                        write!(
                            out,
                            "  {:>3}  {:<28} {:<9} {:>6} points  {} {:.6e} … {:.6e}",
                            k + 1,
                            s.name,
                            s.kind,
                            s.points,
                            s.x_quantity.as_deref().unwrap_or(""),
                            s.x_min,
                            s.x_max
                        )?;
                        if let Some(c) = s.cycle {
                            write!(out, "  cycle {c}")?;
                        }
                        if let Some(t) = &s.technique {
                            write!(out, "  {t}")?;
                        }
                        writeln!(out)?;
                    }
                    if let Some(c) = f.spectra.first().and_then(|s| s.columns.as_deref()) {
                        writeln!(out, "  columns: {c}")?;
                    }
                    for w in &f.warnings {
                        writeln!(out, "  warning: {w}")?;
                    }
                }
                Ok(())
            }
        }
    })?;
    if failed > 0 {
        return Err(Failure::input(format!(
            "{failed} of {} files could not be read",
            a.files.len()
        )));
    }
    Ok(())
}

/// What `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum To {
    /// Spectra: `x,<name>...` on a shared axis; impedance:
    /// `spectrum,frequency_hz,re_z_ohm,im_z_ohm` (the spectrum's 1-based
    /// number, Im Z signed), which reads back by its header.
    Csv,
    /// Spectra or impedance spectra in their serde form.
    Json,
}

/// `convert` arguments.
#[derive(Args, Debug, Clone)]
pub struct ConvertArgs {
    /// A file of any supported format.
    pub file: PathBuf,
    /// Output format (written to stdout).
    #[arg(long, value_enum)]
    pub to: To,
    /// Only this spectrum (1-based number or name, as `info` lists them).
    #[arg(long, value_name = "N|NAME")]
    pub spectrum: Option<String>,
    /// Impedance columns for tables whose header does not identify them.
    #[arg(long, value_name = "FREQ,RE,IM", allow_hyphen_values = true)]
    pub columns: Option<String>,
    /// Write the file's table instead of its spectra (a PHI depth profile's
    /// per-cycle sputter times and areas). A file that holds only a table
    /// (a BioLogic CV, GCPL ... run) writes it without this flag.
    #[arg(long, conflicts_with = "spectrum")]
    pub table: bool,
}

/// Runs `convert`: the file's spectra (or impedance spectra) as CSV or JSON
/// on stdout; numbers in shortest round-trip form.
pub fn run_convert(a: &ConvertArgs) -> Result<(), Failure> {
    let input = |e: files::Error| Failure::input(e.to_string());
    let mut o = files::ReadOptions::default();
    if let Some(c) = &a.columns {
        o.columns = Some(files::columns::ColumnChoice::parse(c).map_err(input)?);
    }
    let mut c = files::read_path(&a.file, &o).map_err(input)?;
    for w in &c.warnings {
        eprintln!("warning: {}: {w}", a.file.display());
    }
    if let Some(which) = &a.spectrum {
        let names: Vec<String> = if c.impedance.is_empty() {
            c.spectra.iter().map(|s| s.meta.name.clone()).collect()
        } else {
            c.impedance
                .iter()
                .map(|r| r.spectrum.name.clone())
                .collect()
        };
        let k = match which.parse::<usize>() {
            Ok(n) if (1..=names.len()).contains(&n) => n - 1,
            _ => names.iter().position(|n| n == which).ok_or_else(|| {
                Failure::input(format!(
                    "{}: --spectrum {which:?}: the file holds {} (1 to {}): {}",
                    a.file.display(),
                    names.len(),
                    names.len(),
                    names.join(", ")
                ))
            })?,
        };
        if c.impedance.is_empty() {
            c.spectra = vec![c.spectra.swap_remove(k)];
        } else {
            c.impedance = vec![c.impedance.swap_remove(k)];
        }
    }
    let only_table = c.spectra.is_empty() && c.impedance.is_empty();
    if a.table && c.tables.is_empty() {
        return Err(Failure::input(format!(
            "{}: --table: the file holds no table ({})",
            a.file.display(),
            c.summary()
        )));
    }
    let table = c.tables.first().filter(|_| a.table || only_table);
    let text = if let Some(t) = table {
        match a.to {
            To::Json => serde_json::to_string(&serde_json::json!({
                "name": t.name,
                "technique": t.technique,
                "columns": t.columns.iter().map(|(n, v)| serde_json::json!({"name": n, "values": v})).collect::<Vec<_>>(),
            }))
            .map_err(|e| Failure::other(e.to_string()))?,
            To::Csv => {
                let clean = |s: &str| s.replace([',', '\n', '\r'], " ");
                let mut s = t.columns.iter().map(|c| clean(&c.0)).collect::<Vec<_>>().join(",");
                s.push('\n');
                for i in 0..t.rows() {
                    let row: Vec<String> = t.columns.iter().map(|c| c.1[i].to_string()).collect();
                    s.push_str(&row.join(","));
                    s.push('\n');
                }
                s
            }
        }
    } else if !c.impedance.is_empty() {
        let spectra: Vec<_> = c.impedance.iter().map(|r| r.spectrum.clone()).collect();
        match a.to {
            To::Json => {
                serde_json::to_string(&spectra).map_err(|e| Failure::other(e.to_string()))?
            }
            To::Csv => {
                let mut s = String::from("spectrum,frequency_hz,re_z_ohm,im_z_ohm\n");
                for (k, sp) in spectra.iter().enumerate() {
                    for (f, z) in sp.freq().iter().zip(sp.z()) {
                        s.push_str(&format!("{},{f},{},{}\n", k + 1, z.re, z.im));
                    }
                }
                s
            }
        }
    } else {
        match a.to {
            To::Json => files::write_json(&c.spectra).map_err(input)?,
            To::Csv => files::write_csv(&c.spectra).map_err(|e| {
                Failure::input(format!(
                    "{}: {e} (choose one with --spectrum N, or --to json)",
                    a.file.display()
                ))
            })?,
        }
    };
    crate::emit(|out| {
        use std::io::Write;
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        Ok(())
    })
}
