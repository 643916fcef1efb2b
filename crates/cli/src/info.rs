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
