//! BioLogic EC-Lab binary files (`.mpr`), from EC-Lab 10.x to 11.50 and
//! later: the `VMP Set` (technique, comments), `VMP data` (column-ID table
//! and records) and `VMP LOG` modules; the module header of EC-Lab ≥ 11.50
//! (a `max length` of 0xFFFFFFFF before the length) and the older one; data
//! module versions 0 (with one-byte or two-byte column IDs), 2, 3 and the
//! ≥ 11.50 layout.
//!
//! The layout is not published by BioLogic. What is used here are public
//! facts from the galvani and yadg projects' format notes (module headers,
//! record offsets, the column-ID table with data types and units, the
//! technique byte), checked on their public example files against EC-Lab's
//! own `.mpt` exports of the same measurements. Every column of every
//! technique is decoded ([`MprFile`]); [`read_mpr_impedance`] takes the
//! impedance columns (`freq/Hz`, `Re(Z)/Ohm`, `-Im(Z)/Ohm`), splits sweeps by
//! `cycle number` and frequency restarts, skips frequency-0 rows, and refuses
//! a file of another technique (CV, CA, CP, GCPL, OCV, WAIT ...) naming it.
//!
//! Every offset is checked against the file's length; a truncated or
//! corrupted file is an error with the byte offset; nothing is allocated
//! beyond what the file's length justifies.

use std::collections::BTreeMap;

use crate::Format;
use crate::error::{Result, bin_err};
use crate::impedance::{ImpedanceFile, Splitter, records};

const MAGIC: &[u8] = b"BIO-LOGIC MODULAR FILE\x1a";
const FILE_HEADER: usize = 52;

/// Storage type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    F4,
    F8,
    U1,
    U2,
    U4,
}

impl Ty {
    fn size(self) -> usize {
        match self {
            Ty::U1 => 1,
            Ty::U2 => 2,
            Ty::F4 | Ty::U4 => 4,
            Ty::F8 => 8,
        }
    }
}

/// Column IDs: storage type, EC-Lab's name (as in its `.mpt` export). From
/// the public column tables of galvani and yadg (see the module docs).
fn column(id: u16) -> Option<(Ty, &'static str)> {
    use Ty::*;
    Some(match id {
        4 => (F8, "time/s"),
        5 => (F4, "control/V/mA"),
        6 => (F4, "Ewe/V"),
        7 => (F8, "dq/mA.h"),
        8 => (F4, "I/mA"),
        9 => (F4, "Ece/V"),
        11 => (F8, "<I>/mA"),
        13 => (F8, "(Q-Qo)/mA.h"),
        16 => (F4, "Analog IN 1/V"),
        17 => (F4, "Analog IN 2/V"),
        19 => (F4, "control/V"),
        20 => (F4, "control/mA"),
        23 => (F8, "dQ/mA.h"),
        24 => (F8, "cycle number"),
        26 => (F4, "Rapp/Ohm"),
        27 => (F4, "Ewe-Ece/V"),
        32 => (F4, "freq/Hz"),
        33 => (F4, "|Ewe|/V"),
        34 => (F4, "|I|/A"),
        35 => (F4, "Phase(Z)/deg"),
        36 => (F4, "|Z|/Ohm"),
        37 => (F4, "Re(Z)/Ohm"),
        38 => (F4, "-Im(Z)/Ohm"),
        39 => (U2, "I Range"),
        69 => (F4, "R/Ohm"),
        70 => (F4, "P/W"),
        74 => (F8, "|Energy|/W.h"),
        75 => (F4, "Analog OUT/V"),
        76 => (F4, "<I>/mA"),
        77 => (F4, "<Ewe>/V"),
        78 => (F4, "Cs-2/µF-2"),
        96 => (F4, "|Ece|/V"),
        98 => (F4, "Phase(Zce)/deg"),
        99 => (F4, "|Zce|/Ohm"),
        100 => (F4, "Re(Zce)/Ohm"),
        101 => (F4, "-Im(Zce)/Ohm"),
        123 => (F8, "Energy charge/W.h"),
        124 => (F8, "Energy discharge/W.h"),
        125 => (F8, "Capacitance charge/µF"),
        126 => (F8, "Capacitance discharge/µF"),
        131 => (U2, "Ns"),
        163 => (F4, "|Estack|/V"),
        168 => (F4, "Rcmp/Ohm"),
        169 => (F4, "Cs/µF"),
        172 => (F4, "Cp/µF"),
        173 => (F4, "Cp-2/µF-2"),
        174 => (F4, "<Ewe>/V"),
        178 => (F4, "(Q-Qo)/C"),
        179 => (F4, "dQ/C"),
        182 => (F8, "step time/s"),
        211 => (F8, "Q charge/discharge/C"),
        217 => (F4, "THD Ewe/%"),
        241 => (F4, "|E1|/V"),
        242 => (F4, "|E2|/V"),
        271 => (F4, "Phase(Z1)/deg"),
        272 => (F4, "Phase(Z2)/deg"),
        295 => (U2, "I Range"),
        301 => (F4, "|Z1|/Ohm"),
        302 => (F4, "|Z2|/Ohm"),
        326 => (F4, "P/W"),
        331 => (F4, "Re(Z1)/Ohm"),
        332 => (F4, "Re(Z2)/Ohm"),
        361 => (F4, "-Im(Z1)/Ohm"),
        362 => (F4, "-Im(Z2)/Ohm"),
        379 => (F8, "Energy charge/W.h"),
        391 => (F4, "<E1>/V"),
        392 => (F4, "<E2>/V"),
        422 => (F4, "Phase(Zstack)/deg"),
        423 => (F4, "|Zstack|/Ohm"),
        424 => (F4, "Re(Zstack)/Ohm"),
        425 => (F4, "-Im(Zstack)/Ohm"),
        426 => (F4, "<Estack>/V"),
        430 => (F4, "Phase(Zwe-ce)/deg"),
        431 => (F4, "|Zwe-ce|/Ohm"),
        432 => (F4, "Re(Zwe-ce)/Ohm"),
        433 => (F4, "-Im(Zwe-ce)/Ohm"),
        434 => (F4, "(Q-Qo)/C"),
        435 => (F4, "dQ/C"),
        441 => (F4, "<Ece>/V"),
        462 => (F4, "Temperature/°C"),
        467 => (F8, "Q charge/discharge/mA.h"),
        468 => (U4, "half cycle"),
        469 => (U4, "z cycle"),
        471 => (F4, "<Ece>/V"),
        473 => (F4, "THD Ewe/%"),
        474 => (F4, "THD I/%"),
        475 => (F4, "THD Ece/%"),
        476 => (F4, "NSD Ewe/%"),
        477 => (F4, "NSD I/%"),
        478 => (F4, "NSD Ece/%"),
        479 => (F4, "NSR Ewe/%"),
        480 => (F4, "NSR I/%"),
        481 => (F4, "NSR Ece/%"),
        486..=491 => (F4, "|Ewe h|/V"),
        492..=497 => (F4, "|I h|/A"),
        498..=503 => (F4, "|Ece h|/V"),
        _ => return None,
    })
}

/// Flag columns share one byte (the first flag's position): ID → (name, mask).
fn flag(id: u16) -> Option<(&'static str, u8)> {
    Some(match id {
        1 => ("mode", 0x03),
        2 => ("ox/red", 0x04),
        3 => ("error", 0x08),
        21 => ("control changes", 0x10),
        31 => ("Ns changes", 0x20),
        65 => ("counter inc.", 0x80),
        _ => return None,
    })
}

/// The technique byte of the `VMP Set` module.
fn technique(id: u8) -> Option<(&'static str, &'static str)> {
    Some(match id {
        0x04 | 0x77 => ("GCPL", "Galvanostatic Cycling with Potential Limitation"),
        0x06 | 0x30 => ("CV", "Cyclic Voltammetry"),
        0x0B => ("OCV", "Open Circuit Voltage"),
        0x16 => ("MP", "Modular Potentio"),
        0x18 => ("CA", "Chronoamperometry"),
        0x19 => ("CP", "Chronopotentiometry"),
        0x1C => ("WAIT", "Wait"),
        0x1D => ("PEIS", "Potentio Electrochemical Impedance Spectroscopy"),
        0x1E => ("GEIS", "Galvano Electrochemical Impedance Spectroscopy"),
        0x32 => ("ZIR", "IR compensation (PEIS)"),
        0x33 => ("CVA", "Cyclic Voltammetry Advanced"),
        0x6C => ("LSV", "Linear Sweep Voltammetry"),
        0x75 => ("coV", "Constant Voltage"),
        0x76 => ("coC", "Constant Current"),
        0x7F => ("MB", "Modulo Bat"),
        _ => return None,
    })
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
}

/// One module of the file.
#[derive(Debug, Clone, PartialEq)]
struct Module<'a> {
    short: String,
    version: u32,
    date: String,
    data: &'a [u8],
    /// Byte offset of `data` in the file.
    offset: usize,
}

fn modules<'a>(b: &'a [u8], source: &str) -> Result<Vec<Module<'a>>> {
    let mut out = Vec::new();
    let mut pos = FILE_HEADER;
    while pos < b.len() {
        if b.get(pos..pos + 6) != Some(b"MODULE".as_slice()) {
            return Err(bin_err(
                source,
                pos,
                "expected the start of a module (\"MODULE\")",
            ));
        }
        let h = pos + 6;
        let text = |o: usize, n: usize| -> Result<String> {
            let s = b
                .get(o..o + n)
                .ok_or_else(|| bin_err(source, o, "the file ends inside a module header"))?;
            Ok(String::from_utf8_lossy(s)
                .trim_end_matches([' ', '\0'])
                .to_string())
        };
        let short = text(h, 10)?;
        let v2 = b.get(h + 35..h + 39) == Some([0xFF; 4].as_slice());
        let (length, version, date, header) = if v2 {
            let length = u32_at(b, h + 39);
            let version = u32_at(b, h + 43);
            (length, version, text(h + 51, 8)?, 59)
        } else {
            (u32_at(b, h + 35), u32_at(b, h + 39), text(h + 43, 8)?, 51)
        };
        let (Some(length), Some(version)) = (length, version) else {
            return Err(bin_err(
                source,
                h + 35,
                "the file ends inside a module header",
            ));
        };
        let start = h + header;
        let end = start
            .checked_add(length as usize)
            .filter(|&e| e <= b.len())
            .ok_or_else(|| {
                bin_err(
                    source,
                    start,
                    format!(
                        "module {short:?} claims {length} bytes but the file has {} after its header (truncated?)",
                        b.len().saturating_sub(start)
                    ),
                )
            })?;
        out.push(Module {
            short,
            version,
            date,
            data: &b[start..end],
            offset: start,
        });
        pos = end;
    }
    Ok(out)
}

/// A decoded `.mpr` file: every column of every record, as f64 (f32 values
/// are widened exactly).
#[derive(Debug, Clone, PartialEq)]
pub struct MprFile {
    /// The technique's short name (`PEIS`, `GEIS`, `CV`, `GCPL` ...), when
    /// its byte is known.
    pub technique: Option<String>,
    /// The technique's full name, as EC-Lab's text export writes it.
    pub technique_name: Option<String>,
    /// Column names (EC-Lab's, as in its `.mpt` export; flags by name).
    pub names: Vec<String>,
    /// The columns' values, one vector per column, `n_points` each.
    pub columns: Vec<Vec<f64>>,
    /// Settings-module date, comments and the data module's version.
    pub metadata: BTreeMap<String, String>,
}

impl MprFile {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// Whether the file holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A column by its EC-Lab name.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|k| self.columns[k].as_slice())
    }
}

/// Decodes a `.mpr` file's modules and records.
pub fn parse_mpr(b: &[u8], source: &str) -> Result<MprFile> {
    if !b.starts_with(MAGIC) {
        return Err(bin_err(
            source,
            0,
            "not a BioLogic .mpr file (no \"BIO-LOGIC MODULAR FILE\" signature)",
        ));
    }
    if b.len() < FILE_HEADER {
        return Err(bin_err(
            source,
            b.len(),
            "the file ends inside its 52-byte header",
        ));
    }
    let mods = modules(b, source)?;
    let mut meta = BTreeMap::new();
    let set = mods.iter().find(|m| m.short == "VMP Set");
    let (mut tech, mut tech_name) = (None, None);
    if let Some(s) = set {
        meta.insert("date".into(), s.date.clone());
        if let Some(&t) = s.data.first() {
            meta.insert("technique byte".into(), format!("0x{t:02X}"));
            if let Some((short, long)) = technique(t) {
                tech = Some(short.to_string());
                tech_name = Some(long.to_string());
            }
        }
        // comments: a Pascal string at offset 7
        if let Some(&n) = s.data.get(7)
            && let Some(c) = s.data.get(8..8 + n as usize)
        {
            let c = String::from_utf8_lossy(c).trim().to_string();
            if !c.is_empty() {
                meta.insert("comments".into(), c);
            }
        }
    }
    let data = mods
        .iter()
        .find(|m| m.short == "VMP data")
        .ok_or_else(|| bin_err(source, b.len(), "no \"VMP data\" module"))?;
    let d = data.data;
    let at = |o: usize| data.offset + o;
    let npts = u32_at(d, 0)
        .ok_or_else(|| bin_err(source, at(0), "the data module ends before its point count"))?
        as usize;
    let ncols = *d.get(4).ok_or_else(|| {
        bin_err(
            source,
            at(4),
            "the data module ends before its column count",
        )
    })? as usize;
    // column IDs and where the records start, by layout
    let (ids, start): (Vec<u16>, usize) = match data.version {
        0 if d.get(5) == Some(&0) => {
            // EC-Lab ≥ 11.50: two-byte IDs from offset 6, records at 1007
            let ids = (0..ncols)
                .map(|k| u16_at(d, 6 + 2 * k))
                .collect::<Option<Vec<_>>>();
            (
                ids.ok_or_else(|| bin_err(source, at(6), "the column-ID table is truncated"))?,
                1007,
            )
        }
        0 => {
            let ids = d
                .get(5..5 + ncols)
                .ok_or_else(|| bin_err(source, at(5), "the column-ID table is truncated"))?;
            (ids.iter().map(|&x| u16::from(x)).collect(), 100)
        }
        2 | 3 => {
            let ids = (0..ncols)
                .map(|k| u16_at(d, 5 + 2 * k))
                .collect::<Option<Vec<_>>>();
            let start = if data.version == 3 { 406 } else { 405 };
            (
                ids.ok_or_else(|| bin_err(source, at(5), "the column-ID table is truncated"))?,
                start,
            )
        }
        v => {
            return Err(bin_err(
                source,
                data.offset,
                format!("data module version {v} is not known (0, 2 and 3 are read)"),
            ));
        }
    };
    meta.insert("data module version".into(), data.version.to_string());
    // record layout
    let mut layout: Vec<(usize, Ty, String, u8)> = Vec::new(); // offset, type, name, flag mask
    let mut size = 0usize;
    let mut flag_at: Option<usize> = None;
    for (k, &id) in ids.iter().enumerate() {
        if let Some((name, mask)) = flag(id) {
            let o = *flag_at.get_or_insert_with(|| {
                size += 1;
                size - 1
            });
            layout.push((o, Ty::U1, name.to_string(), mask));
        } else if let Some((ty, name)) = column(id) {
            let mut name = name.to_string();
            if layout.iter().any(|l| l.2 == name) {
                name = format!("{name} ({})", k + 1);
            }
            layout.push((size, ty, name, 0));
            size += ty.size();
        } else {
            return Err(bin_err(
                source,
                at(5 + 2 * k),
                format!(
                    "column ID {id} (column {} of {ncols}) is not known, so the records cannot be laid out",
                    k + 1
                ),
            ));
        }
    }
    let body = d.get(start..).unwrap_or(&[]);
    if size == 0 && npts > 0 {
        return Err(bin_err(source, at(4), "no columns but records are claimed"));
    }
    let need = npts.checked_mul(size);
    if need.is_none_or(|n| n > body.len()) {
        return Err(bin_err(
            source,
            at(start.min(d.len())),
            format!(
                "{npts} records of {size} bytes need {} bytes but the data module holds {} (truncated or an unknown layout)",
                npts.saturating_mul(size),
                body.len()
            ),
        ));
    }
    let mut columns: Vec<Vec<f64>> = layout.iter().map(|_| Vec::with_capacity(npts)).collect();
    for r in 0..npts {
        let rec = &body[r * size..(r + 1) * size];
        for (c, (o, ty, _, mask)) in layout.iter().enumerate() {
            let x = &rec[*o..*o + ty.size()];
            let v = match ty {
                Ty::U1 if *mask != 0 => f64::from((x[0] & mask) >> mask.trailing_zeros()),
                Ty::U1 => f64::from(x[0]),
                Ty::U2 => f64::from(u16::from_le_bytes([x[0], x[1]])),
                Ty::U4 => f64::from(u32::from_le_bytes([x[0], x[1], x[2], x[3]])),
                Ty::F4 => f64::from(f32::from_le_bytes([x[0], x[1], x[2], x[3]])),
                Ty::F8 => f64::from_le_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]),
            };
            columns[c].push(v);
        }
    }
    if let Some(log) = mods.iter().find(|m| m.short == "VMP LOG") {
        meta.insert("log date".into(), log.date.clone());
    }
    Ok(MprFile {
        technique: tech,
        technique_name: tech_name,
        names: layout.into_iter().map(|l| l.2).collect(),
        columns,
        metadata: meta,
    })
}

/// The impedance spectra of a `.mpr` file.
pub fn read_mpr_impedance(b: &[u8], source: &str) -> Result<ImpedanceFile> {
    let m = parse_mpr(b, source)?;
    let (Some(f), Some(re), Some(mim)) = (
        m.column("freq/Hz"),
        m.column("Re(Z)/Ohm"),
        m.column("-Im(Z)/Ohm"),
    ) else {
        let what = match (&m.technique, &m.technique_name) {
            (Some(t), Some(n)) => format!("a BioLogic file of technique {t} ({n})"),
            _ => format!(
                "a BioLogic file of an unknown technique (byte {})",
                m.metadata.get("technique byte").map_or("?", String::as_str)
            ),
        };
        return Err(crate::Error::WrongKind {
            source_name: source.to_string(),
            message: format!(
                "{what}: it holds no impedance data (columns: {})",
                m.names.join(", ")
            ),
        });
    };
    let cycle = m.column("cycle number");
    let mut split = Splitter::default();
    let mut zero = 0usize;
    for i in 0..m.len() {
        if f[i] == 0.0 {
            zero += 1;
            continue;
        }
        split.push(0, f[i], re[i], -mim[i], cycle.map(|c| c[i]));
    }
    let mut warnings = Vec::new();
    if zero > 0 {
        warnings.push(format!(
            "{zero} records with frequency 0 (not impedance data) were skipped"
        ));
    }
    if split.sweeps.is_empty() {
        return Err(crate::Error::WrongKind {
            source_name: source.to_string(),
            message: format!(
                "the file holds {} records but none with a frequency > 0",
                m.len()
            ),
        });
    }
    let mut meta = m.metadata.clone();
    meta.insert(
        "columns".into(),
        "freq/Hz, Re(Z)/Ohm, -Im(Z)/Ohm (float32)".into(),
    );
    Ok(ImpedanceFile {
        source: source.to_string(),
        format: Format::BiologicMpr,
        records: records(source, split.sweeps, m.technique.as_deref(), &meta)?,
        warnings,
    })
}

/// The records of a `.mpr` file as a table (every column), named after the
/// file, with the technique's full name.
pub fn read_mpr_table(b: &[u8], source: &str) -> Result<crate::Table> {
    let m = parse_mpr(b, source)?;
    let name = crate::text::stem(source);
    Ok(crate::Table {
        name,
        technique: match (&m.technique, &m.technique_name) {
            (Some(t), Some(n)) => Some(format!("{t} ({n})")),
            _ => None,
        },
        columns: m.names.into_iter().zip(m.columns).collect(),
        metadata: m.metadata,
    })
}
