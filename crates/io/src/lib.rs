//! # interphase-io
//!
//! Instrument files, text and binary, in one place: the format is sniffed
//! from the bytes (signatures, first lines) before the extension, and the
//! file is read into typed records — spectra ([`Spectrum`], with axis kind,
//! unit, excitation energy and metadata) or impedance spectra
//! ([`ImpedanceRecord`]: data, cycle, technique, metadata). Several spectra
//! in a file stay several records.
//!
//! **Never wrong silently:** impedance tables are read by their header
//! (names, units, signs; [`columns`]), never by column position; a table
//! whose columns cannot be identified, a file of another kind than the one
//! asked for, a recognised format that is not read, a truncated binary: each
//! is an [`Error`] that says what was found (line, byte offset, the columns,
//! the technique) and how to choose. Raw bytes are never echoed.
//!
//! Read today — impedance: text of every common vendor ([`impedance`]: CSV/TSV
//! by header, BioLogic `.mpt`, Gamry `.DTA`, ZPlot `.z`, VersaStudio `.par`,
//! Autolab/Parstat/CH Instruments exports), BioLogic `.mpr` binaries
//! ([`mpr`]), Ivium `.idf` ([`ivium`]) and PalmSens `.pssession`
//! ([`palmsens`]; other techniques as tables); spectra: VAMAS ([`vamas`]),
//! EMSA/MSA ([`emsa`]), delimited text ([`delimited`]), PANalytical XRDML
//! ([`xrdml`]), SPECS `.xy` ([`specs_xy`]), CasaXPS tab ASCII, Scienta SES
//! text, Bruker UXD and Rigaku RAS ([`textspectra`]), Gatan DM3/DM4 spectra
//! and spectrum images ([`dm`]), Igor/Scienta `.ibw` ([`ibw`]), Bruker `.raw`
//! ([`bruker_raw`]), EDAX `.spc` ([`edax`]) and PHI MultiPak `.spe`/`.pro`
//! ([`phi`]), SPECS SpecsLab2/Prodigy `.xml` ([`specs_xml`]) and Princeton
//! WinSpec `.spe` ([`princeton`]), Bruker `.brml` ([`brml`]); writers in
//! [`write`](mod@write). Text in UTF-16 (a byte-order mark) is read like
//! UTF-8. Recognised and refused with their name: zip containers other than
//! Rigaku `.rasx` and Bruker `.brml`. See docs/formats.md for the table.
//!
//! ```
//! use interphase_io::{read_bytes, ReadOptions, Format};
//! let text = b"freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n1000\t10.5\t2.0\n10\t40.0\t15.0\n";
//! let file = read_bytes(text, "cell.txt", &ReadOptions::default())?;
//! assert_eq!(file.format, Format::ImpedanceText);
//! assert_eq!(file.impedance[0].spectrum.z()[1].im, -15.0); // −Im Z flipped
//! # Ok::<(), interphase_io::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

pub mod brml;
pub mod bruker_raw;
pub mod columns;
mod cursor;
pub mod delimited;
pub mod dm;
pub mod edax;
pub mod emsa;
mod error;
pub mod ibw;
pub mod impedance;
pub mod ivium;
pub mod mpr;
pub mod palmsens;
pub mod phi;
pub mod princeton;
pub mod specs_xml;
pub mod specs_xy;
pub mod text;
pub mod textspectra;
pub mod vamas;
pub mod write;
pub mod xrdml;
mod zip;

use std::path::Path;

pub use delimited::{DelimitedOptions, Header, read_delimited};
pub use emsa::read_emsa;
pub use error::{Error, Result};
pub use impedance::{ImpedanceFile, ImpedanceRecord};
pub use interphase_eis::ImpedanceSpectrum;
pub use interphase_spectra::Spectrum;
pub use text::decode;
pub use vamas::{CasaComponent, CasaRegion, VamasBlock, VamasFile, read_vamas};
pub use write::{write_csv, write_json};
pub use xrdml::read_xrdml;

/// The formats guide's examples (docs/formats.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/formats.md")]
pub struct FormatsDoctests;

use columns::ColumnChoice;

/// The largest file read (256 MiB): instrument files are far smaller;
/// anything bigger is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A file format, as recognised from its content (and extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// VAMAS ISO 14976 (`.vms`).
    Vamas,
    /// EMSA/MSA ISO 22029 (`.msa`).
    Emsa,
    /// PANalytical XRDML (`.xrdml`).
    Xrdml,
    /// Delimited text of spectra (x and intensity columns).
    SpectrumText,
    /// SPECS SpecsLab2 / Prodigy XY export (`.xy`).
    SpecsXy,
    /// CasaXPS tab-ASCII export.
    CasaTab,
    /// Scienta SES text export (`.txt`).
    ScientaTxt,
    /// Bruker DIFFRAC text (`.uxd`).
    BrukerUxd,
    /// Delimited impedance text read by its header (CSV, TSV, Autolab,
    /// Parstat, CH Instruments ...).
    ImpedanceText,
    /// BioLogic EC-Lab text export (`.mpt`).
    BiologicMpt,
    /// BioLogic EC-Lab binary (`.mpr`).
    BiologicMpr,
    /// Gamry Framework (`.DTA`).
    GamryDta,
    /// Scribner ZPlot/ZView (`.z`).
    ZPlot,
    /// VersaStudio (`.par`).
    VersaStudioPar,
    /// Gatan DigitalMicrograph 3 (`.dm3`): spectra and spectrum images.
    GatanDm3,
    /// Gatan DigitalMicrograph 4 (`.dm4`): spectra and spectrum images.
    GatanDm4,
    /// Igor Pro binary wave (`.ibw`, version 5; Scienta SES).
    IgorIbw,
    /// PHI MultiPak spectra (`.spe`) and depth profiles (`.pro`).
    PhiMultipak,
    /// SPECS SpecsLab2 / Prodigy XML (`.xml`): regions × cycles, detector
    /// channels combined.
    SpecsXml,
    /// EDAX `.spc` EDS spectra.
    EdaxSpc,
    /// Ivium `.idf`/`.ids` (impedance method).
    Ivium,
    /// Bruker `.raw` (versions 1, 2, 3 = RAW1.01 and 4 = RAW4.00).
    BrukerRaw,
    /// Rigaku `.ras` text.
    RigakuRas,
    /// Rigaku `.rasx` (zip of profiles and measurement conditions).
    RigakuRasx,
    /// Bruker DIFFRAC `.brml` (zip of XML): every 2θ scan.
    BrukerBrml,
    /// Another zip container: recognised, not read.
    Zip,
    /// Princeton Instruments WinSpec `.spe` spectra.
    PrincetonSpe,
    /// PalmSens PSTrace session (`.pssession`, UTF-16 JSON): EIS
    /// measurements as impedance, others as tables.
    PalmSens,
    /// A binary file of no known format.
    UnknownBinary,
}

impl Format {
    /// The formats read, for messages.
    pub const SUPPORTED: &'static str = "impedance text by header (CSV/TSV, Autolab, Parstat, CH Instruments), BioLogic .mpt and .mpr, Ivium .idf, PalmSens .pssession, Gamry .DTA, ZPlot .z, VersaStudio .par; spectra: Gatan .dm3/.dm4, EDAX .spc, PHI .spe/.pro, Igor/Scienta .ibw, VAMAS .vms, EMSA/MSA .msa, SPECS .xy and .xml, CasaXPS tab ASCII, Scienta SES .txt, PANalytical .xrdml, Bruker .raw, .brml and .uxd, Rigaku .ras and .rasx, Princeton .spe, delimited text";

    /// A name for messages and `interphase info`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vamas => "VAMAS (ISO 14976)",
            Self::Emsa => "EMSA/MSA (ISO 22029)",
            Self::Xrdml => "PANalytical XRDML",
            Self::SpectrumText => "delimited text (spectra)",
            Self::SpecsXy => "SPECS SpecsLab/Prodigy XY (.xy)",
            Self::CasaTab => "CasaXPS tab-ASCII export",
            Self::ScientaTxt => "Scienta SES text (.txt)",
            Self::BrukerUxd => "Bruker DIFFRAC text (.uxd)",
            Self::ImpedanceText => "delimited text (impedance)",
            Self::BiologicMpt => "BioLogic EC-Lab text (.mpt)",
            Self::BiologicMpr => "BioLogic EC-Lab binary (.mpr)",
            Self::GamryDta => "Gamry Framework (.DTA)",
            Self::ZPlot => "Scribner ZPlot/ZView (.z)",
            Self::VersaStudioPar => "VersaStudio (.par)",
            Self::GatanDm3 => "Gatan DigitalMicrograph 3 (.dm3)",
            Self::GatanDm4 => "Gatan DigitalMicrograph 4 (.dm4)",
            Self::IgorIbw => "Igor Pro binary wave (.ibw)",
            Self::PhiMultipak => "PHI MultiPak (.spe/.pro)",
            Self::SpecsXml => "SPECS Prodigy/SpecsLab XML",
            Self::EdaxSpc => "EDAX .spc",
            Self::Ivium => "Ivium (.idf/.ids)",
            Self::BrukerRaw => "Bruker .raw",
            Self::RigakuRas => "Rigaku .ras",
            Self::RigakuRasx => "Rigaku .rasx",
            Self::BrukerBrml => "Bruker .brml",
            Self::Zip => "zip container (not .rasx or .brml)",
            Self::PrincetonSpe => "Princeton Instruments WinSpec (.spe)",
            Self::PalmSens => "PalmSens .pssession",
            Self::UnknownBinary => "binary file of unknown format",
        }
    }

    /// A short lower-case identifier for JSON and scripts (`vamas`, `emsa`,
    /// `xrdml`, `delimited`, `biologic-mpr`, `gatan-dm4`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Self::Vamas => "vamas",
            Self::Emsa => "emsa",
            Self::Xrdml => "xrdml",
            Self::SpectrumText => "delimited",
            Self::SpecsXy => "specs-xy",
            Self::CasaTab => "casaxps-tab",
            Self::ScientaTxt => "scienta-txt",
            Self::BrukerUxd => "bruker-uxd",
            Self::ImpedanceText => "impedance-text",
            Self::BiologicMpt => "biologic-mpt",
            Self::BiologicMpr => "biologic-mpr",
            Self::GamryDta => "gamry-dta",
            Self::ZPlot => "zplot",
            Self::VersaStudioPar => "versastudio-par",
            Self::GatanDm3 => "gatan-dm3",
            Self::GatanDm4 => "gatan-dm4",
            Self::IgorIbw => "igor-ibw",
            Self::PhiMultipak => "phi-multipak",
            Self::SpecsXml => "specs-xml",
            Self::EdaxSpc => "edax-spc",
            Self::Ivium => "ivium",
            Self::BrukerRaw => "bruker-raw",
            Self::RigakuRas => "rigaku-ras",
            Self::RigakuRasx => "rigaku-rasx",
            Self::BrukerBrml => "bruker-brml",
            Self::Zip => "zip",
            Self::PrincetonSpe => "princeton-spe",
            Self::PalmSens => "palmsens",
            Self::UnknownBinary => "unknown-binary",
        }
    }

    /// Whether files of this format are read.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Self::Vamas
                | Self::Emsa
                | Self::Xrdml
                | Self::SpectrumText
                | Self::SpecsXy
                | Self::SpecsXml
                | Self::CasaTab
                | Self::ScientaTxt
                | Self::BrukerUxd
                | Self::RigakuRas
                | Self::RigakuRasx
                | Self::BrukerBrml
                | Self::PrincetonSpe
                | Self::GatanDm3
                | Self::GatanDm4
                | Self::IgorIbw
                | Self::BrukerRaw
                | Self::EdaxSpc
                | Self::Ivium
                | Self::PhiMultipak
                | Self::PalmSens
                | Self::ImpedanceText
                | Self::BiologicMpt
                | Self::BiologicMpr
                | Self::GamryDta
                | Self::ZPlot
                | Self::VersaStudioPar
        )
    }
}

/// Whether bytes look like binary data (a NUL byte, or many control bytes,
/// in the first 4 KiB).
fn is_binary(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    if head.contains(&0) {
        return true;
    }
    let ctrl = head
        .iter()
        .filter(|&&c| c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t' | 0x0C | 0x1A))
        .count();
    ctrl * 20 > head.len()
}

/// The format of a file from its bytes and, where the bytes cannot tell,
/// its extension. Delimited text is [`Format::SpectrumText`] here; the
/// readers decide between spectra and impedance by the header.
pub fn sniff(bytes: &[u8], path: &Path) -> Format {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let be32 = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    };
    if bytes.starts_with(b"BIO-LOGIC MODULAR FILE") {
        return Format::BiologicMpr;
    }
    if bytes.starts_with(b"SOFH") {
        return Format::PhiMultipak;
    }
    if bytes.starts_with(b"RAW1.01")
        || bytes.starts_with(b"RAW4.00")
        || bytes.starts_with(b"RAW2")
        || bytes.starts_with(b"RAW ")
    {
        return Format::BrukerRaw;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // Rigaku's container holds Data0/Profile0.txt
        let names = zip::entries(bytes, "").unwrap_or_default();
        return if names
            .iter()
            .any(|e| e.name.contains("/Profile") && e.name.ends_with(".txt"))
        {
            Format::RigakuRasx
        } else if brml::is_brml(&names) {
            Format::BrukerBrml
        } else {
            Format::Zip
        };
    }
    if bytes.starts_with(b"*RAS_DATA_START") {
        return Format::RigakuRas;
    }
    // Gatan: big-endian version 3 or 4, then (dm3) size and a byte-order flag 0/1
    match be32(0) {
        Some(3) if matches!(be32(8), Some(0 | 1)) => return Format::GatanDm3,
        Some(4) if matches!(be32(12), Some(0 | 1)) => return Format::GatanDm4,
        _ => {}
    }
    let binary = is_binary(bytes);
    if binary {
        return match ext.as_str() {
            "ibw" => Format::IgorIbw,
            "spc" => Format::EdaxSpc,
            "idf" | "ids" => Format::Ivium,
            "spe" => Format::PrincetonSpe,
            "pssession" => Format::PalmSens,
            "dm3" => Format::GatanDm3,
            "dm4" => Format::GatanDm4,
            "mpr" => Format::BiologicMpr,
            _ => Format::UnknownBinary,
        };
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    if first.starts_with("EC-Lab ASCII FILE") {
        Format::BiologicMpt
    } else if first.starts_with("EXPLAIN") {
        Format::GamryDta
    } else if first.starts_with("ZPLOT2 ASCII")
        || first.starts_with("ZPlotW Data File")
        || first.starts_with("Z60W Data File")
    {
        Format::ZPlot
    } else if specs_xy::is_specs_xy(&text) {
        Format::SpecsXy
    } else if textspectra::is_scienta_txt(&text) {
        Format::ScientaTxt
    } else if textspectra::is_casa_tab(&text) {
        Format::CasaTab
    } else if textspectra::is_uxd(&text) {
        Format::BrukerUxd
    } else if first.starts_with("VAMAS Surface Chemical Analysis") {
        Format::Vamas
    } else if first.to_ascii_uppercase().starts_with("#FORMAT") {
        Format::Emsa
    } else if text.contains("<xrdMeasurements") {
        Format::Xrdml
    } else if specs_xml::is_specs_xml(&text)
        || first.starts_with("<?xml")
            && (text.contains("SpecsLab") || text.contains("SL 2.") || text.contains("CORBA XML"))
    {
        Format::SpecsXml
    } else if first.starts_with('<') && text.contains("<Segment")
        || (ext == "par" && text.contains("Definition="))
    {
        Format::VersaStudioPar
    } else if first.starts_with("*RAS_") {
        Format::RigakuRas
    } else if ext == "pssession"
        || first.starts_with('{') && text.to_ascii_lowercase().contains("palmsens.datafiles")
    {
        Format::PalmSens
    } else {
        Format::SpectrumText
    }
}

/// Options of the readers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// Impedance columns chosen by the user (`--columns FREQ,RE,IM`), for
    /// tables whose header does not identify them.
    pub columns: Option<ColumnChoice>,
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct FileContents {
    /// The file name as given.
    pub source: String,
    /// The format recognised.
    pub format: Format,
    /// Spectra (XPS, EELS, EDS, XRD ...), in file order.
    pub spectra: Vec<Spectrum>,
    /// Impedance spectra, in file order.
    pub impedance: Vec<ImpedanceRecord>,
    /// Tables of other data (a BioLogic CV, GCPL or OCV run: time, potential,
    /// current ... columns), in file order.
    pub tables: Vec<Table>,
    /// Things the reader did that a user should know.
    pub warnings: Vec<String>,
}

/// Named columns of numbers that are neither spectra nor impedance spectra:
/// the records of an electrochemical technique (BioLogic CV, CA, CP, GCPL,
/// OCV, WAIT ...), with the technique and the file's metadata. `Display`
/// prints the name, technique and row count and, per column, its range and
/// how many values are not finite.
///
/// ```
/// use interphase_io::Table;
/// let t = Table {
///     name: "ocv".into(),
///     technique: Some("OCV".into()),
///     columns: vec![
///         ("time/s".into(), vec![0.0, 10.0, 20.0]),
///         ("Ewe/V".into(), vec![3.1, 3.05, f64::NAN]),
///     ],
///     metadata: Default::default(),
/// };
/// assert_eq!(t.rows(), 3);
/// println!("{t}");
/// assert!(t.to_string().contains("Ewe/V"));
/// assert!(t.to_string().contains("1 not finite"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A name (the file stem).
    pub name: String,
    /// The technique, where the file names it.
    pub technique: Option<String>,
    /// Column names (as the instrument writes them, units included) and values.
    pub columns: Vec<(String, Vec<f64>)>,
    /// What else the file says.
    pub metadata: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use interphase_fit::format_significant as sig;
        writeln!(
            f,
            "[[Table]] {}{}, {} rows, {} columns",
            self.name,
            self.technique
                .as_ref()
                .map_or(String::new(), |t| format!(" ({t})")),
            self.rows(),
            self.columns.len()
        )?;
        for (name, v) in &self.columns {
            let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            let bad = v.len() - finite.len();
            let range = if finite.is_empty() {
                "no finite value".to_string()
            } else {
                let (lo, hi) = finite
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    });
                format!("{} … {}", sig(lo, 6), sig(hi, 6))
            };
            let bad = if bad > 0 {
                format!(", {bad} not finite")
            } else {
                String::new()
            };
            writeln!(f, "    {name:<24} {range}{bad}")?;
        }
        Ok(())
    }
}

impl Table {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.1.len())
    }
}

impl FileContents {
    /// A one-line description of what the file holds.
    pub fn summary(&self) -> String {
        if !self.impedance.is_empty() {
            format!("{} impedance spectra", self.impedance.len())
        } else if let (false, Some(t)) = (self.spectra.is_empty(), self.tables.first()) {
            format!(
                "{} spectra and a table of {} rows × {} columns",
                self.spectra.len(),
                t.rows(),
                t.columns.len()
            )
        } else if let Some(t) = self.tables.first() {
            format!(
                "a table of {} rows × {} columns{}",
                t.rows(),
                t.columns.len(),
                t.technique
                    .as_ref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            )
        } else {
            format!("{} spectra", self.spectra.len())
        }
    }
}

/// Reads a file's bytes (refusing files above [`MAX_FILE_BYTES`]).
pub fn read_file_bytes(path: &Path) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        message: e.to_string(),
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Error::Io {
            path: name,
            message: format!("{len} bytes is more than the {MAX_FILE_BYTES}-byte limit"),
        });
    }
    std::fs::read(path).map_err(io)
}

/// Reads any supported file.
pub fn read_path(path: impl AsRef<Path>, o: &ReadOptions) -> Result<FileContents> {
    let path = path.as_ref();
    let bytes = read_file_bytes(path)?;
    read_bytes_at(&bytes, path, o)
}

/// Reads a file given as bytes; `name` names it in messages and decides the
/// format where the content cannot (by its extension).
pub fn read_bytes(bytes: &[u8], name: &str, o: &ReadOptions) -> Result<FileContents> {
    read_bytes_at(bytes, Path::new(name), o)
}

fn read_bytes_at(bytes: &[u8], path: &Path, o: &ReadOptions) -> Result<FileContents> {
    let source = path.display().to_string();
    // UTF-16 text (a byte-order mark) is read as the same text in UTF-8
    let utf8 = text::utf16(bytes).map(String::into_bytes);
    let bytes = utf8.as_deref().unwrap_or(bytes);
    let format = sniff(bytes, path);
    let imp = |f: ImpedanceFile| FileContents {
        source: source.clone(),
        format: f.format,
        spectra: Vec::new(),
        impedance: f.records,
        tables: Vec::new(),
        warnings: f.warnings,
    };
    let table = |format, t: Table| FileContents {
        source: source.clone(),
        format,
        spectra: Vec::new(),
        impedance: Vec::new(),
        tables: vec![t],
        warnings: Vec::new(),
    };
    let spectra = |format, s: Vec<Spectrum>| FileContents {
        source: source.clone(),
        format,
        warnings: s
            .iter()
            .filter_map(|x| x.meta.extra.get("warning").cloned())
            .collect(),
        spectra: s,
        impedance: Vec::new(),
        tables: Vec::new(),
    };
    match format {
        Format::BiologicMpr => match mpr::read_mpr_impedance(bytes, &source) {
            Ok(f) => Ok(imp(f)),
            // another technique: its records as a table
            Err(Error::WrongKind { .. }) => Ok(table(format, mpr::read_mpr_table(bytes, &source)?)),
            Err(e) => Err(e),
        },
        Format::Ivium => Ok(imp(ivium::read_ivium(bytes, &source)?)),
        Format::PhiMultipak => {
            let (s, tables) = phi::read_phi_all(bytes, &source)?;
            Ok(FileContents {
                tables,
                ..spectra(format, s)
            })
        }
        Format::GatanDm3 | Format::GatanDm4 => {
            Ok(spectra(format, dm::read_dm_spectra(bytes, &source)?))
        }
        Format::IgorIbw => Ok(spectra(format, ibw::read_ibw(bytes, &source)?)),
        Format::BrukerRaw => Ok(spectra(
            format,
            bruker_raw::read_bruker_raw(bytes, &source)?,
        )),
        Format::EdaxSpc => Ok(spectra(format, edax::read_spc(bytes, &source)?)),
        Format::PalmSens => {
            let s = palmsens::read_pssession(&text::decode(bytes), &source)?;
            Ok(FileContents {
                source: source.clone(),
                format,
                spectra: Vec::new(),
                impedance: s.impedance,
                tables: s.tables,
                warnings: s.warnings,
            })
        }
        Format::RigakuRasx => Ok(spectra(format, textspectra::read_rasx(bytes, &source)?)),
        Format::BrukerBrml => Ok(spectra(format, brml::read_brml(bytes, &source)?)),
        Format::PrincetonSpe => Ok(spectra(format, princeton::read_winspec(bytes, &source)?)),
        Format::BiologicMpt | Format::GamryDta | Format::ZPlot | Format::VersaStudioPar => {
            let text = text::decode(bytes);
            match impedance::read_impedance_text(&text, &source, o) {
                Ok(f) => Ok(imp(f)),
                Err(Error::WrongKind { .. }) if format == Format::BiologicMpt => {
                    Ok(table(format, impedance::read_mpt_table(&text, &source)?))
                }
                Err(e) => Err(e),
            }
        }
        Format::SpecsXy
        | Format::SpecsXml
        | Format::CasaTab
        | Format::ScientaTxt
        | Format::BrukerUxd
        | Format::RigakuRas => {
            let text = text::decode(bytes);
            let s = match format {
                Format::SpecsXy => specs_xy::read_specs_xy(&text, &source)?,
                Format::SpecsXml => specs_xml::read_specs_xml(&text, &source)?,
                Format::CasaTab => textspectra::read_casa_tab(&text, &source)?,
                Format::ScientaTxt => textspectra::read_scienta_txt(&text, &source)?,
                Format::BrukerUxd => textspectra::read_uxd(&text, &source)?,
                _ => textspectra::read_ras(&text, &source)?,
            };
            Ok(spectra(format, s))
        }
        Format::Vamas | Format::Emsa | Format::Xrdml => {
            let text = text::decode(bytes);
            Ok(spectra(format, read_text(&text, format, &source)?))
        }
        Format::SpectrumText | Format::ImpedanceText => {
            let text = text::decode(bytes);
            // impedance when the user chose columns or the header names them
            match impedance::read_impedance_text(&text, &source, o) {
                Ok(f) => Ok(imp(f)),
                Err(e @ (Error::Parse { .. } | Error::Columns { .. })) if o.columns.is_none() => {
                    match read_text(&text, Format::SpectrumText, &source) {
                        Ok(s) => Ok(spectra(Format::SpectrumText, s)),
                        Err(se) if !looks_like_impedance_attempt(&text) => Err(se),
                        Err(_) => Err(e),
                    }
                }
                Err(e) => Err(e),
            }
        }
        other => Err(Error::Unsupported {
            source_name: source,
            detected: other.name().to_string(),
        }),
    }
}

/// Spectra from text in one of the spectrum text formats ([`Format::Vamas`],
/// [`Format::Emsa`], [`Format::Xrdml`], [`Format::SpectrumText`] with the
/// default [`DelimitedOptions`]); `source` names the text in messages and in
/// each spectrum's `meta.source`.
pub fn read_text(text: &str, format: Format, source: &str) -> Result<Vec<Spectrum>> {
    let mut out = match format {
        Format::Vamas => read_vamas(text, source)?.spectra()?,
        Format::Emsa => vec![read_emsa(text, source)?],
        Format::Xrdml => read_xrdml(text, source)?,
        Format::SpectrumText => read_delimited(text, &DelimitedOptions::default(), source)?,
        other => {
            return Err(Error::Invalid(format!(
                "read_text reads VAMAS, EMSA, XRDML and delimited spectra, not {}",
                other.name()
            )));
        }
    };
    for s in &mut out {
        s.meta.source = Some(source.to_string());
    }
    Ok(out)
}

/// Whether a text mentions impedance-like column names (for choosing which
/// reader's error to report).
fn looks_like_impedance_attempt(text: &str) -> bool {
    // the first 8 KiB, cut at a character boundary
    let mut end = text.len().min(8192);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let t = text[..end].to_ascii_lowercase();
    t.contains("freq")
        && (t.contains("z'") || t.contains("zre") || t.contains("re(z)") || t.contains("imag"))
}

/// Reads a file that must hold impedance spectra; a file of spectra (or an
/// empty one) is refused with what it holds.
pub fn read_impedance(path: impl AsRef<Path>, o: &ReadOptions) -> Result<ImpedanceFile> {
    let c = read_path(path, o)?;
    into_impedance(c)
}

/// The impedance spectra of [`FileContents`], or the refusal that names
/// what the file holds instead.
pub fn into_impedance(c: FileContents) -> Result<ImpedanceFile> {
    if let (true, Some(t)) = (c.impedance.is_empty(), c.tables.first()) {
        return Err(Error::WrongKind {
            source_name: c.source,
            message: format!(
                "{} of technique {}: it holds no impedance data (columns: {})",
                c.format.name(),
                t.technique.as_deref().unwrap_or("not named"),
                t.columns
                    .iter()
                    .map(|x| x.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if c.impedance.is_empty() {
        let what = c
            .spectra
            .first()
            .map(|s| {
                format!(
                    " ({} x axis{})",
                    match s.meta.x_quantity {
                        interphase_spectra::spectrum::XQuantity::Other => "an unnamed".to_string(),
                        q => format!("a {q:?}"),
                    },
                    if s.meta.name.is_empty() {
                        String::new()
                    } else {
                        format!(", first column {:?}", s.meta.name)
                    }
                )
            })
            .unwrap_or_default();
        return Err(Error::WrongKind {
            source_name: c.source,
            message: format!(
                "needs impedance data (frequency, Re Z, Im Z), but the file ({}) holds {} spectra{what}; if it is impedance data, name its columns with --columns FREQ,RE,IM",
                c.format.name(),
                c.spectra.len()
            ),
        });
    }
    Ok(ImpedanceFile {
        source: c.source,
        format: c.format,
        records: c.impedance,
        warnings: c.warnings,
    })
}

/// Reads a file that must hold exactly one impedance spectrum (a file with
/// several is an error that lists them: pick one with
/// [`impedance::select`]).
pub fn read_impedance_spectrum(path: impl AsRef<Path>) -> Result<ImpedanceSpectrum> {
    let f = read_impedance(path, &ReadOptions::default())?;
    if f.records.len() > 1 {
        return Err(Error::Invalid(format!(
            "{}: the file holds {} impedance spectra ({}); choose one (--spectrum N)",
            f.source,
            f.records.len(),
            f.records
                .iter()
                .take(5)
                .map(|r| r.spectrum.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(f.records
        .into_iter()
        .next()
        .map(|r| r.spectrum)
        .unwrap_or_else(|| unreachable!("into_impedance checks for none")))
}

/// Reads a file that must hold spectra; an impedance file is refused.
pub fn read_spectra(path: impl AsRef<Path>) -> Result<Vec<Spectrum>> {
    let c = read_path(path, &ReadOptions::default())?;
    into_spectra(c)
}

/// The spectrum images and line scans among spectra read from a file: each
/// run of consecutive spectra from one block (`meta.block`) that carries an
/// `image_shape` entry `ny,nx` (the DigitalMicrograph reader writes it for
/// every image of more than one pixel) becomes one
/// [`SpectrumImage`](interphase_spectra::eels::SpectrumImage) of that shape,
/// pixels row-major (x fastest). Spectra without the entry are skipped; use
/// [`SpectrumImage::from_spectra`](interphase_spectra::eels::SpectrumImage::from_spectra)
/// with a shape of your choice for them. Errors when a run does not fill its
/// shape or its spectra do not share one energy axis.
pub fn spectrum_images(
    spectra: &[Spectrum],
) -> Result<Vec<interphase_spectra::eels::SpectrumImage>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < spectra.len() {
        let Some(shape) = spectra[i].meta.extra.get("image_shape") else {
            i += 1;
            continue;
        };
        let block = &spectra[i].meta.block;
        let mut j = i + 1;
        while j < spectra.len()
            && spectra[j].meta.block == *block
            && spectra[j].meta.extra.get("image_shape") == Some(shape)
        {
            j += 1;
        }
        let bad = || Error::Invalid(format!("spectrum {i}: image_shape {shape:?} is not NY,NX"));
        let (ny, nx) = shape.split_once(',').ok_or_else(bad)?;
        let (ny, nx): (usize, usize) = (
            ny.trim().parse().map_err(|_| bad())?,
            nx.trim().parse().map_err(|_| bad())?,
        );
        let mut img =
            interphase_spectra::eels::SpectrumImage::from_spectra(&spectra[i..j], (ny, nx))
                .map_err(|e| Error::Invalid(format!("spectra {i}..{j} ({:?}): {e}", block)))?;
        // the image keeps the pixel-independent name
        img.meta.extra.remove("pixel");
        if let Some(title) = img.meta.name.rsplit_once(" (").map(|(t, _)| t.to_string()) {
            img.meta.name = title;
        }
        out.push(img);
        i = j;
    }
    Ok(out)
}

/// The spectra of [`FileContents`], or the refusal that names what the file
/// holds instead.
pub fn into_spectra(c: FileContents) -> Result<Vec<Spectrum>> {
    if let Some(t) = c.tables.first() {
        return Err(Error::WrongKind {
            source_name: c.source,
            message: format!(
                "needs a spectrum, but the file ({}) holds a table of technique {} ({} rows)",
                c.format.name(),
                t.technique.as_deref().unwrap_or("not named"),
                t.rows()
            ),
        });
    }
    if !c.impedance.is_empty() {
        return Err(Error::WrongKind {
            source_name: c.source,
            message: format!(
                "needs a spectrum (an energy or angle axis and intensities), but the file ({}) holds {} impedance spectra; use the `eis` commands",
                c.format.name(),
                c.impedance.len()
            ),
        });
    }
    Ok(c.spectra)
}
