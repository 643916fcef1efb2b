//! Impedance columns identified by their header: names and units mapped to
//! frequency, Re Z, Im Z, |Z| and phase, with the sign and the unit scale the
//! header states — never by position.
//!
//! Recognised (case, blanks, `_` and `.` ignored; units in `( )`, `[ ]`, after
//! `/`, `_` or a blank): frequency `f`, `freq`, `frequency` (Hz, kHz, mHz,
//! MHz); real part `Z'`, `Zre`, `Zreal`, `Z Real`, `Re(Z)`, `Re_Z`, `real`
//! (Ω, mΩ, kΩ, MΩ, `ohm(s)`); imaginary part `Z''`, `Z"`, `Zim`, `Zimag`,
//! `Z Imag`, `Im(Z)`, `Im_Z`, `imag`, `imaginary`; modulus `|Z|`, `Zmod`,
//! `mod(Z)`, `Z/ohm`; phase `Phase(Z)`, `Zphz`, `phase`, `phi` (deg, rad). A
//! leading `-` (or `−`) marks a negated column: `-Z''`, `-Im(Z)/Ohm`, `-Z'`,
//! `-Phase`. ZPlot's `Z'(a)` / `Z''(b)` are read as Z′ / Z″. Columns of other
//! quantities (potential, current, time, admittance, counter-electrode
//! impedance `Re(Zce)`, a second channel `Z2 Real`) are ignored.
//!
//! ```
//! use interphase_io::columns::{classify, Quantity};
//! let c = classify("-Im(Z)/Ohm").unwrap();
//! assert_eq!((c.quantity, c.negated, c.scale), (Quantity::Imag, true, 1.0));
//! let c = classify("Z' (kΩ)").unwrap();
//! assert_eq!((c.quantity, c.scale), (Quantity::Real, 1e3));
//! assert!(classify("Re(Zce)/Ohm").is_none());
//! ```

use std::f64::consts::PI;

use crate::error::{Error, Result};

/// What an impedance column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Frequency (scaled to Hz).
    Frequency,
    /// Re Z (scaled to Ω).
    Real,
    /// Im Z, signed: negative for capacitive points (scaled to Ω).
    Imag,
    /// |Z| (scaled to Ω).
    Modulus,
    /// Phase of Z (scaled to degrees; negative for capacitive points).
    Phase,
}

impl Quantity {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Frequency => "frequency",
            Self::Real => "Re Z",
            Self::Imag => "Im Z",
            Self::Modulus => "|Z|",
            Self::Phase => "phase",
        }
    }
}

/// A column's role: its quantity, whether the file stores its negative, and
/// the factor to Hz, Ω or degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Role {
    /// The quantity.
    pub quantity: Quantity,
    /// The column holds −quantity.
    pub negated: bool,
    /// Multiplier from the file's unit to Hz, Ω or degrees.
    pub scale: f64,
}

impl Role {
    /// The quantity's value (Hz, Ω, degrees) from the number in the file.
    pub fn value(&self, raw: f64) -> f64 {
        let v = raw * self.scale;
        if self.negated { -v } else { v }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum UnitKind {
    Hz,
    Ohm,
    Deg,
}

/// A unit and its scale; case matters for the prefixes m (milli) and M (mega).
fn unit(u: &str) -> Option<(UnitKind, f64)> {
    let u: String = u
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace(['Ω', 'Ω'], "ohm")
        .replace('°', "deg");
    let (prefix, base) = if u.len() > 1 && (u.starts_with(['m', 'k', 'M', 'u', 'µ', 'μ'])) {
        let first = u.chars().next().unwrap_or(' ');
        (Some(first), &u[first.len_utf8()..])
    } else {
        (None, u.as_str())
    };
    let base_l = base.to_ascii_lowercase();
    let kind = match base_l.as_str() {
        "hz" => Some(UnitKind::Hz),
        "ohm" | "ohms" => Some(UnitKind::Ohm),
        _ => None,
    };
    if let Some(k) = kind {
        let s = match prefix {
            None => 1.0,
            Some('m') => 1e-3,
            Some('k') => 1e3,
            Some('M') => 1e6,
            Some(_) => return None,
        };
        return Some((k, s));
    }
    // no prefix: the whole string
    match u.to_ascii_lowercase().as_str() {
        "deg" | "degree" | "degrees" => Some((UnitKind::Deg, 1.0)),
        "rad" | "radian" | "radians" => Some((UnitKind::Deg, 180.0 / PI)),
        "ohm" | "ohms" => Some((UnitKind::Ohm, 1.0)),
        _ => None,
    }
}

/// Splits a header cell into (name, unit) when its end is a known unit.
fn split_unit(cell: &str) -> (String, Option<(UnitKind, f64)>) {
    let c = cell.trim();
    // (unit) or [unit] at the end
    for (open, close) in [('(', ')'), ('[', ']')] {
        if c.ends_with(close)
            && let Some(i) = c.rfind(open)
            && let Some(u) = unit(&c[i + 1..c.len() - 1])
        {
            return (c[..i].trim().to_string(), Some(u));
        }
    }
    for sep in ['/', '_', ' '] {
        if let Some(i) = c.rfind(sep)
            && let Some(u) = unit(&c[i + 1..])
        {
            return (c[..i].trim().to_string(), Some(u));
        }
    }
    (c.to_string(), None)
}

fn normalise(name: &str) -> String {
    name.trim()
        .replace(['′', '’', '´'], "'")
        .replace(['″', '"'], "''")
        .replace(['−', '–'], "-")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '.')
        .collect::<String>()
        .to_lowercase()
}

/// The role of a header cell, or `None` for a column of another quantity.
pub fn classify(cell: &str) -> Option<Role> {
    let (name, u) = split_unit(cell);
    let mut n = normalise(&name);
    let negated = n.starts_with('-');
    if negated {
        n.remove(0);
    }
    let n = n
        .strip_suffix("(a)")
        .or_else(|| n.strip_suffix("(b)"))
        .unwrap_or(&n)
        .to_string();
    let quantity = match n.as_str() {
        "f" | "freq" | "frequency" | "frequencies" => Quantity::Frequency,
        "z'" | "zre" | "zreal" | "re(z)" | "rez" | "real" | "real(z)" | "realz" | "zr" | "re" => {
            Quantity::Real
        }
        "z''" | "zim" | "zimag" | "zimg" | "im(z)" | "imz" | "imag" | "imag(z)" | "imagz"
        | "imaginary" | "zi" | "im" => Quantity::Imag,
        "|z|" | "zmod" | "mod(z)" | "modz" | "modulus" | "abs(z)" | "absz" | "z" => {
            Quantity::Modulus
        }
        "phase(z)" | "zphz" | "phase" | "phasez" | "phz" | "phi" | "theta" | "θ" | "φ" => {
            Quantity::Phase
        }
        _ => return None,
    };
    let want = match quantity {
        Quantity::Frequency => UnitKind::Hz,
        Quantity::Phase => UnitKind::Deg,
        _ => UnitKind::Ohm,
    };
    let scale = match u {
        None => 1.0,
        Some((k, s)) if k == want => s,
        Some(_) => return None, // a unit of another quantity: not this column
    };
    if quantity == Quantity::Modulus && n == "z" && u.is_none() {
        return None; // a bare "Z" could be anything
    }
    Some(Role {
        quantity,
        negated,
        scale,
    })
}

/// Which columns hold frequency and Z, as chosen from a header or by the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// 0-based column of the frequency and its role.
    pub frequency: (usize, Role),
    /// Re Z and Im Z columns, when the file has them.
    pub rect: Option<[(usize, Role); 2]>,
    /// |Z| and phase columns, when the file has them.
    pub polar: Option<[(usize, Role); 2]>,
}

impl Mapping {
    /// The columns a row must have.
    pub fn width(&self) -> usize {
        let mut w = self.frequency.0;
        for (c, _) in self.rect.iter().chain(&self.polar).flatten() {
            w = w.max(*c);
        }
        w + 1
    }

    /// A text for metadata: which column gave what.
    pub fn describe(&self, names: &[String]) -> String {
        let name = |c: usize| {
            names
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("column {}", c + 1))
        };
        let mut parts = vec![format!("frequency = {}", name(self.frequency.0))];
        if let Some([r, i]) = &self.rect {
            parts.push(format!("Re Z = {}", name(r.0)));
            parts.push(format!(
                "Im Z = {}{}",
                if i.1.negated { "−" } else { "" },
                name(i.0)
            ));
        } else if let Some([m, p]) = &self.polar {
            parts.push(format!("|Z| = {}", name(m.0)));
            parts.push(format!("phase = {}", name(p.0)));
        }
        parts.join(", ")
    }
}

/// The mapping a header gives: the frequency and either Re/Im or |Z|/phase
/// columns. Several candidates for one quantity, or missing ones, are an
/// [`Error::Columns`] listing the names found.
pub fn from_header(names: &[String], source: &str, line: usize) -> Result<Mapping> {
    let roles: Vec<Option<Role>> = names.iter().map(|n| classify(n)).collect();
    let find = |q: Quantity| -> Result<Option<(usize, Role)>> {
        let hits: Vec<(usize, Role)> = roles
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.filter(|r| r.quantity == q).map(|r| (i, r)))
            .collect();
        match hits.len() {
            0 => Ok(None),
            1 => Ok(Some(hits[0])),
            _ => Err(Error::Columns {
                source_name: source.to_string(),
                line,
                found: names.to_vec(),
                message: format!(
                    "{} columns look like {}: {}",
                    hits.len(),
                    q.name(),
                    hits.iter()
                        .map(|(i, _)| format!("{:?}", names[*i]))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            }),
        }
    };
    let f = find(Quantity::Frequency)?;
    let (re, im) = (find(Quantity::Real)?, find(Quantity::Imag)?);
    let (m, p) = (find(Quantity::Modulus)?, find(Quantity::Phase)?);
    let missing = |what: &str| Error::Columns {
        source_name: source.to_string(),
        line,
        found: names.to_vec(),
        message: format!("no {what} column identified"),
    };
    let frequency = f.ok_or_else(|| missing("frequency"))?;
    let rect = match (re, im) {
        (Some(a), Some(b)) => Some([a, b]),
        _ => None,
    };
    let polar = match (m, p) {
        (Some(a), Some(b)) => Some([a, b]),
        _ => None,
    };
    if rect.is_none() && polar.is_none() {
        return Err(missing(
            "impedance pair (Re Z and Im Z, or |Z| and phase) was",
        ));
    }
    Ok(Mapping {
        frequency,
        rect,
        polar,
    })
}

/// A user's choice of columns: `FREQ,RE,IM`, each a header name or a 1-based
/// column number, a leading `-` marking a column that holds the negative
/// (e.g. `1,2,-3` for EC-Lab's −Im Z, or `freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnChoice {
    specs: [(String, bool); 3],
}

impl ColumnChoice {
    /// Parses `FREQ,RE,IM`.
    pub fn parse(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || *p == "-") {
            return Err(Error::Invalid(format!(
                "--columns needs three comma-separated columns FREQ,RE,IM (names or 1-based numbers), got {text:?}"
            )));
        }
        let spec = |p: &str| match p.strip_prefix('-') {
            Some(rest) => (rest.to_string(), true),
            None => (p.to_string(), false),
        };
        Ok(Self {
            specs: [spec(parts[0]), spec(parts[1]), spec(parts[2])],
        })
    }

    /// The mapping for a table with these column names (empty without a
    /// header) and `ncols` columns.
    pub fn mapping(&self, names: &[String], ncols: usize, source: &str) -> Result<Mapping> {
        let mut cols = [(0usize, false); 3];
        for (k, (s, neg)) in self.specs.iter().enumerate() {
            let idx = if let Ok(n) = s.parse::<usize>() {
                if n == 0 || n > ncols {
                    return Err(Error::Invalid(format!(
                        "{source}: --columns: column {n} does not exist (the table has {ncols} columns)"
                    )));
                }
                n - 1
            } else {
                names.iter().position(|c| c == s).ok_or_else(|| {
                    Error::Invalid(format!(
                        "{source}: --columns: no column named {s:?}; columns found: {}",
                        names.join(" | ")
                    ))
                })?
            };
            cols[k] = (idx, *neg);
        }
        let role = |q, neg| Role {
            quantity: q,
            negated: neg,
            scale: 1.0,
        };
        Ok(Mapping {
            frequency: (cols[0].0, role(Quantity::Frequency, cols[0].1)),
            rect: Some([
                (cols[1].0, role(Quantity::Real, cols[1].1)),
                (cols[2].0, role(Quantity::Imag, cols[2].1)),
            ]),
            polar: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(cell: &str) -> Option<(Quantity, bool, f64)> {
        classify(cell).map(|r| (r.quantity, r.negated, r.scale))
    }

    #[test]
    fn vendor_headers() {
        use Quantity::*;
        assert_eq!(q("freq/Hz"), Some((Frequency, false, 1.0)));
        assert_eq!(q("Frequency (Hz)"), Some((Frequency, false, 1.0)));
        assert_eq!(q("Freq (Hz)"), Some((Frequency, false, 1.0)));
        assert_eq!(q("Frequency(Hz)"), Some((Frequency, false, 1.0)));
        assert_eq!(q("freq_Hz"), Some((Frequency, false, 1.0)));
        assert_eq!(q("f / kHz"), Some((Frequency, false, 1e3)));
        assert_eq!(q("f [mHz]"), Some((Frequency, false, 1e-3)));
        assert_eq!(q("f [MHz]"), Some((Frequency, false, 1e6)));
        assert_eq!(q("Re(Z)/Ohm"), Some((Real, false, 1.0)));
        assert_eq!(q("-Im(Z)/Ohm"), Some((Imag, true, 1.0)));
        assert_eq!(q("Z' (Ω)"), Some((Real, false, 1.0)));
        assert_eq!(q("-Z'' (Ω)"), Some((Imag, true, 1.0)));
        assert_eq!(q("−Z″ / mΩ"), Some((Imag, true, 1e-3)));
        assert_eq!(q("Zre (ohms)"), Some((Real, false, 1.0)));
        assert_eq!(q("Zim (ohms)"), Some((Imag, false, 1.0)));
        assert_eq!(q("Z Real"), Some((Real, false, 1.0)));
        assert_eq!(q("Z Imag"), Some((Imag, false, 1.0)));
        assert_eq!(q("Zreal"), Some((Real, false, 1.0)));
        assert_eq!(q("Z'(a)"), Some((Real, false, 1.0)));
        assert_eq!(q("Z''(b)"), Some((Imag, false, 1.0)));
        assert_eq!(q("Z\"/ohm"), Some((Imag, false, 1.0)));
        assert_eq!(q("Z/ohm"), Some((Modulus, false, 1.0)));
        assert_eq!(q("|Z|/Ohm"), Some((Modulus, false, 1.0)));
        assert_eq!(q("Zmod"), Some((Modulus, false, 1.0)));
        assert_eq!(q("Phase(Z)/deg"), Some((Phase, false, 1.0)));
        assert_eq!(q("-Phase (rad)").map(|r| (r.0, r.1)), Some((Phase, true)));
        assert_eq!(q("-Z'"), Some((Real, true, 1.0)));
        assert_eq!(q("Re_Z_ohm"), Some((Real, false, 1.0)));
        assert_eq!(q("Im_Z_ohm"), Some((Imag, false, 1.0)));
        assert_eq!(q("Z' (kohm)"), Some((Real, false, 1e3)));
        for other in [
            "Re(Zce)/Ohm",
            "-Im(Zwe-ce)/Ohm",
            "Z2 Real",
            "Re(Y)/Ohm-1",
            "<Ewe>/V",
            "time/s",
            "Time(Sec)",
            "Ampl",
            "Potential (V)",
            "Re(Resistivity)/Ohm.cm",
            "Z",
            "cycle number",
        ] {
            assert_eq!(q(other), None, "{other}");
        }
    }

    #[test]
    fn header_mapping_and_choice() {
        let names: Vec<String> = ["f", "-Z'", "-Z''"].iter().map(|s| s.to_string()).collect();
        let m = from_header(&names, "t", 1).unwrap();
        assert!(m.frequency.0 == 0 && m.rect.unwrap()[0].1.negated);
        let names: Vec<String> = ["Freq", "Ewe/V"].iter().map(|s| s.to_string()).collect();
        let e = from_header(&names, "t.csv", 3).unwrap_err().to_string();
        assert!(e.starts_with("t.csv:3: no impedance pair"), "{e}");
        assert!(e.contains("Freq | Ewe/V") && e.contains("--columns"), "{e}");
        let names: Vec<String> = ["f", "Zre", "Z'", "Zim"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = from_header(&names, "t", 1).unwrap_err().to_string();
        assert!(e.contains("2 columns look like Re Z"), "{e}");
        let c = ColumnChoice::parse("1, 5,-6").unwrap();
        let m = c.mapping(&[], 9, "t").unwrap();
        assert_eq!(m.rect.unwrap()[1].0, 5);
        assert!(m.rect.unwrap()[1].1.negated);
        assert!(c.mapping(&[], 5, "t").is_err());
        assert!(ColumnChoice::parse("1,2").is_err());
        assert!(ColumnChoice::parse("1,,3").is_err());
    }
}
