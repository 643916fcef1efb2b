//! Readers and writers: delimited text (CSV/TSV/whitespace), VAMAS
//! (ISO 14976, `.vms`, with CasaXPS regions and components), EMSA/MSA
//! (ISO 22029, `.msa`), PANalytical XRDML (`.xrdml`), and CSV/JSON output.
//!
//! Every reader returns `Result` with the source name and 1-based line number of
//! the first problem, never panics on malformed input, and allocates only in
//! proportion to the input's actual size (counts claimed by a header are checked
//! against the lines that remain before anything is reserved). [`read_path`]
//! refuses files larger than [`MAX_FILE_BYTES`].
//!
//! ```
//! use interphase_spectra::io::{read_str, Format};
//! let text = "# C 1s, binding energy\nBE,counts\n290.0,120\n289.9,118\n289.8,131\n";
//! let spectra = read_str(text, Format::Delimited, "c1s.csv")?;
//! assert_eq!(spectra[0].len(), 3);
//! assert_eq!(spectra[0].meta.name, "counts");
//! let csv = interphase_spectra::io::write_csv(&spectra)?;
//! assert!(csv.starts_with("BE,counts\n290,120\n"));
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

pub mod delimited;
pub mod emsa;
pub mod vamas;
pub mod xrdml;

use std::path::Path;

use crate::error::{Error, Result};
use crate::spectrum::Spectrum;

pub use delimited::{DelimitedOptions, Header, read_delimited};
pub use emsa::read_emsa;
pub use vamas::{CasaComponent, CasaRegion, VamasBlock, VamasFile, read_vamas};
pub use xrdml::read_xrdml;

/// The largest file [`read_path`] reads (256 MiB): spectra are far smaller;
/// anything bigger is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text: CSV, TSV, whitespace columns.
    Delimited,
    /// VAMAS ISO 14976 (`.vms`).
    Vamas,
    /// EMSA/MSA ISO 22029 (`.msa`, `.emsa`).
    Emsa,
    /// PANalytical XRDML (`.xrdml`).
    Xrdml,
}

impl Format {
    /// The format a file name's extension suggests (`None` when unknown).
    pub fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "vms" | "npl" => Some(Self::Vamas),
            "msa" | "emsa" | "ems" | "mas" => Some(Self::Emsa),
            "xrdml" => Some(Self::Xrdml),
            "csv" | "tsv" | "txt" | "dat" | "xy" | "prn" => Some(Self::Delimited),
            _ => None,
        }
    }

    /// The format the text's first line announces (VAMAS identifier or EMSA
    /// `#FORMAT`), else delimited text.
    pub fn sniff(text: &str) -> Self {
        let first = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap_or("")
            .trim();
        if first.starts_with("VAMAS Surface Chemical Analysis Standard Data Transfer Format") {
            Self::Vamas
        } else if first.to_ascii_uppercase().starts_with("#FORMAT") {
            Self::Emsa
        } else if first.starts_with("<?xml") || first.starts_with("<xrdMeasurements") {
            Self::Xrdml
        } else {
            Self::Delimited
        }
    }
}

/// Text from bytes: UTF-8 (a byte-order mark is dropped), or Latin-1 when the
/// bytes are not valid UTF-8 (vendor software often writes `°` and `µ` so).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Reads a file: the format comes from the extension, or from the content
/// when the extension is unknown; delimited files use the default
/// [`DelimitedOptions`]. Every spectrum's `meta.source` is the path.
pub fn read_path(path: impl AsRef<Path>) -> Result<Vec<Spectrum>> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        message: e.to_string(),
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Error::Io {
            path: name,
            message: format!(
                "{len} bytes is more than the {MAX_FILE_BYTES}-byte limit for spectrum files"
            ),
        });
    }
    let text = decode(&std::fs::read(path).map_err(io)?);
    let format = Format::from_extension(path).unwrap_or_else(|| Format::sniff(&text));
    read_str(&text, format, &name)
}

/// Parses text in a given format; `source_name` appears in error messages and
/// in each spectrum's `meta.source`.
pub fn read_str(text: &str, format: Format, source_name: &str) -> Result<Vec<Spectrum>> {
    let mut spectra = match format {
        Format::Delimited => read_delimited(text, &DelimitedOptions::default(), source_name)?,
        Format::Vamas => read_vamas(text, source_name)?.spectra()?,
        Format::Emsa => vec![read_emsa(text, source_name)?],
        Format::Xrdml => read_xrdml(text, source_name)?,
    };
    for s in &mut spectra {
        s.meta.source = Some(source_name.to_string());
    }
    Ok(spectra)
}

/// CSV text: a header line `x,<name 1>[,<name 1>_sigma],<name 2>...` then one
/// row per point (numbers in Rust's shortest round-trip form, so reading the
/// file back gives the same f64 values). Every spectrum must share the first
/// one's x axis (to within 10⁻⁹ of the step); explicit σ gets its own column.
pub fn write_csv(spectra: &[Spectrum]) -> Result<String> {
    let first = spectra
        .first()
        .ok_or_else(|| Error::Invalid("nothing to write".into()))?;
    let n = first.len();
    let tol = 1e-9 * (first.x()[1] - first.x()[0]).abs();
    for (k, s) in spectra.iter().enumerate().skip(1) {
        if s.len() != n
            || s.x()
                .iter()
                .zip(first.x())
                .any(|(a, b)| (a - b).abs() > tol)
        {
            return Err(Error::Invalid(format!(
                "spectrum {k} has a different x axis from spectrum 0; write them to separate files"
            )));
        }
    }
    let clean = |s: &str| s.replace([',', '\n', '\r'], " ");
    let x_name = if first
        .meta
        .extra
        .get("x_label")
        .is_some_and(|l| !l.is_empty())
    {
        clean(&first.meta.extra["x_label"])
    } else {
        "x".to_string()
    };
    let mut out = x_name;
    for (k, s) in spectra.iter().enumerate() {
        let name = if s.meta.name.is_empty() {
            format!("y{k}")
        } else {
            clean(&s.meta.name)
        };
        out.push(',');
        out.push_str(&name);
        if s.sigma().is_some() {
            out.push_str(&format!(",{name}_sigma"));
        }
    }
    out.push('\n');
    for i in 0..n {
        out.push_str(&first.x()[i].to_string());
        for s in spectra {
            out.push(',');
            out.push_str(&s.y()[i].to_string());
            if let Some(sig) = s.sigma() {
                out.push(',');
                out.push_str(&sig[i].to_string());
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// JSON: an array of spectra in the serde form of [`Spectrum`]
/// (`{"x":[..],"y":[..],"sigma":[..]?,"meta":{..}}`), readable back with
/// `serde_json::from_str::<Vec<Spectrum>>` (which validates again).
pub fn write_json(spectra: &[Spectrum]) -> Result<String> {
    serde_json::to_string(spectra).map_err(|e| Error::Invalid(format!("JSON encoding failed: {e}")))
}

/// A line cursor with 1-based line numbers for error messages.
pub(crate) struct Cursor<'a> {
    lines: Vec<&'a str>,
    pos: usize,
    source: &'a str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str, source: &'a str) -> Self {
        let lines = text
            .trim_start_matches('\u{feff}')
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        Self {
            lines,
            pos: 0,
            source,
        }
    }

    /// 1-based number of the line last read.
    pub(crate) fn line(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.lines.len() - self.pos
    }

    pub(crate) fn error(&self, line: usize, message: impl Into<String>) -> Error {
        Error::Parse {
            source_name: self.source.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn next(&mut self, what: &str) -> Result<&'a str> {
        match self.lines.get(self.pos) {
            Some(l) => {
                self.pos += 1;
                Ok(l)
            }
            None => Err(self.error(
                self.pos + 1,
                format!("unexpected end of file: expected {what}"),
            )),
        }
    }

    pub(crate) fn float(&mut self, what: &str) -> Result<f64> {
        let l = self.next(what)?.trim();
        match l.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(
                self.pos,
                format!("expected {what} (a finite number), found {l:?}"),
            )),
        }
    }

    /// A non-negative integer count no larger than `max_per_line` × the lines
    /// that remain (so that nothing is reserved for data that is not there).
    pub(crate) fn count(&mut self, what: &str, lines_per_item: usize) -> Result<usize> {
        let l = self.next(what)?.trim();
        let v: f64 = l.parse().map_err(|_| {
            self.error(
                self.pos,
                format!("expected {what} (an integer), found {l:?}"),
            )
        })?;
        if !(v >= 0.0 && v.fract() == 0.0) {
            return Err(self.error(
                self.pos,
                format!("expected {what} (an integer ≥ 0), found {l:?}"),
            ));
        }
        let room = self.remaining() / lines_per_item.max(1);
        if v > room as f64 {
            return Err(self.error(
                self.pos,
                format!("{what} is {v}, but only {} lines follow", self.remaining()),
            ));
        }
        Ok(v as usize)
    }

    pub(crate) fn skip(&mut self, n: usize, what: &str) -> Result<()> {
        for _ in 0..n {
            self.next(what)?;
        }
        Ok(())
    }
}
