//! Chemical formulas: parsing, molar mass with uncertainty, fractions,
//! arithmetic and charge balance.
//!
//! Grammar (whitespace allowed between tokens):
//! ```text
//! formula  := part (('·' | '*' | '•') part)*          hydrates: CuSO4·5H2O
//! part     := [number] group+                          leading multiplier: 5H2O
//! group    := element [number] | '(' group+ ')' [number] | '[' group+ ']' [number]
//! element  := capital letter + lower-case letters     (Co is cobalt, CO is C + O)
//! number   := digits ['.' digits] | '.' digits         (0.33, 2.5, .5)
//! ```
//! Fractions such as `2/3` and variables such as `3x` are rejected with a message
//! saying so: `Li3xLa2/3-xTiO3` describes a family; build members with numbers
//! (e.g. [`crate::llto::Llto::from_x`]).
//!
//! ```
//! use interphase_materials::Formula;
//! let f: Formula = "Li0.33La0.56TiO3".parse()?;
//! assert!((f.molar_mass() - 175.944).abs() < 1e-3);       // g/mol, IUPAC 2021 abridged
//! assert_eq!(f.to_string(), "Li0.33La0.56TiO3");
//! assert_eq!(f.to_unicode(), "Li₀.₃₃La₀.₅₆TiO₃");
//! let err = "Li3xLa2/3-xTiO3".parse::<Formula>().unwrap_err();
//! assert!(err.to_string().contains("position 4"));
//! # Ok::<(), interphase_materials::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::element::Element;
use crate::error::{Error, Result};

/// A chemical formula: elements with (possibly fractional) amounts, in order of
/// first appearance, each element once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Formula {
    parts: Vec<(Element, f64)>,
}

impl Formula {
    /// Parses a formula (see the module docs for the grammar).
    pub fn parse(s: &str) -> Result<Formula> {
        s.parse()
    }

    /// A formula from (element, amount) pairs; amounts must be finite and > 0.
    pub fn from_amounts(amounts: &[(Element, f64)]) -> Result<Formula> {
        let mut f = Formula::default();
        for &(e, n) in amounts {
            if !(n.is_finite() && n > 0.0) {
                return Err(Error::InvalidValue {
                    name: "amount",
                    value: n,
                    reason: format!("amount of {e} must be finite and > 0"),
                });
            }
            f.push_amount(e, n);
        }
        Ok(f)
    }

    fn push_amount(&mut self, e: Element, n: f64) {
        if let Some(p) = self.parts.iter_mut().find(|p| p.0 == e) {
            p.1 += n;
        } else {
            self.parts.push((e, n));
        }
    }

    /// (element, amount) pairs in order of first appearance.
    pub fn amounts(&self) -> &[(Element, f64)] {
        &self.parts
    }

    /// The amount of `e` (0 when absent).
    pub fn amount(&self, e: Element) -> f64 {
        self.parts.iter().find(|p| p.0 == e).map_or(0.0, |p| p.1)
    }

    /// Whether the formula has no elements.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Total number of atoms per formula unit.
    pub fn atoms(&self) -> f64 {
        self.parts.iter().map(|p| p.1).sum()
    }

    /// Molar mass M = Σ nᵢ·Aᵢ (g mol⁻¹) with IUPAC 2021 abridged atomic weights.
    pub fn molar_mass(&self) -> f64 {
        self.parts.iter().map(|&(e, n)| n * e.atomic_weight()).sum()
    }

    /// Uncertainty of the molar mass, √Σ (nᵢ·uᵢ)² (g mol⁻¹): the abridged-table
    /// uncertainties treated as independent standard uncertainties.
    pub fn molar_mass_uncertainty(&self) -> f64 {
        self.parts
            .iter()
            .map(|&(e, n)| (n * e.atomic_weight_uncertainty()).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// Mass fraction of each element (sums to 1).
    pub fn mass_fractions(&self) -> Vec<(Element, f64)> {
        let m = self.molar_mass();
        self.parts
            .iter()
            .map(|&(e, n)| (e, n * e.atomic_weight() / m))
            .collect()
    }

    /// Atomic (mole) fraction of each element (sums to 1).
    pub fn atomic_fractions(&self) -> Vec<(Element, f64)> {
        let a = self.atoms();
        self.parts.iter().map(|&(e, n)| (e, n / a)).collect()
    }

    /// The formula multiplied by `factor` (> 0).
    pub fn scaled(&self, factor: f64) -> Result<Formula> {
        if !(factor.is_finite() && factor > 0.0) {
            return Err(Error::InvalidValue {
                name: "factor",
                value: factor,
                reason: "must be finite and > 0".into(),
            });
        }
        Ok(Formula {
            parts: self.parts.iter().map(|&(e, n)| (e, n * factor)).collect(),
        })
    }

    /// Scaled so that `e` has amount `amount` (e.g. per Ti = 1). Errors when `e` is absent.
    pub fn normalized_to(&self, e: Element, amount: f64) -> Result<Formula> {
        let have = self.amount(e);
        if have == 0.0 {
            return Err(Error::InvalidValue {
                name: "element",
                value: 0.0,
                reason: format!("{e} is not in {self}"),
            });
        }
        self.scaled(amount / have)
    }

    /// Scaled to one atom in total (atomic fractions as amounts).
    pub fn normalized(&self) -> Result<Formula> {
        self.scaled(1.0 / self.atoms())
    }

    /// The reduced formula and the factor it was divided by: for integer amounts
    /// (within 1e-9) division by their greatest common divisor (`Li2Ti2O6` →
    /// (`LiTiO3`, 2)); otherwise the formula itself and 1.
    pub fn reduced(&self) -> (Formula, f64) {
        let ints: Option<Vec<u64>> = self
            .parts
            .iter()
            .map(|&(_, n)| {
                let r = n.round();
                ((n - r).abs() <= 1e-9 * n.max(1.0) && (1.0..1e15).contains(&r)).then_some(r as u64)
            })
            .collect();
        match ints {
            Some(v) if !v.is_empty() => {
                let g = v.iter().fold(0u64, |a, &b| gcd(a, b));
                let f = Formula {
                    parts: self
                        .parts
                        .iter()
                        .zip(&v)
                        .map(|(&(e, _), &k)| (e, (k / g) as f64))
                        .collect(),
                };
                (f, g as f64)
            }
            _ => (self.clone(), 1.0),
        }
    }

    /// `self − other` element by element; errors when an amount would become negative.
    /// Amounts that reach (within 1e-12) zero are removed.
    pub fn checked_sub(&self, other: &Formula) -> Result<Formula> {
        let mut f = self.clone();
        for &(e, n) in &other.parts {
            let have = f.amount(e);
            if have + 1e-12 < n {
                return Err(Error::InvalidValue {
                    name: "amount",
                    value: have - n,
                    reason: format!("{self} − {other} leaves a negative amount of {e}"),
                });
            }
            f.push_amount(e, -n);
        }
        f.parts.retain(|p| p.1.abs() > 1e-12);
        Ok(f)
    }

    /// Net charge Σ nᵢ·qᵢ for the given oxidation states; elements not listed
    /// are an error.
    pub fn charge(&self, oxidation_states: &[(Element, f64)]) -> Result<f64> {
        let mut q = 0.0;
        for &(e, n) in &self.parts {
            let s = oxidation_states
                .iter()
                .find(|p| p.0 == e)
                .ok_or_else(|| Error::NotTabulated(format!("no oxidation state given for {e}")))?;
            q += n * s.1;
        }
        Ok(q)
    }

    /// Guesses oxidation states for simple cases: every assignment of one
    /// oxidation state per element (pymatgen's list of known states) whose net
    /// charge is zero within `1e-6 + 0.02·atoms` (rounded compositions such as
    /// Li0.33La0.56TiO3 leave a small residue), ordered by how many elements
    /// take an uncommon state, then by |net charge|. One state per element, so
    /// mixed valence (Fe₃O₄) is not found. At most 6 elements.
    pub fn guess_oxidation_states(&self) -> Vec<Vec<(Element, i8)>> {
        if self.parts.len() > 6 || self.parts.is_empty() {
            return Vec::new();
        }
        let tol = 1e-6 + 0.02 * self.atoms();
        let choices: Vec<&[i8]> = self.parts.iter().map(|p| p.0.oxidation_states()).collect();
        if choices.iter().any(|c| c.is_empty()) {
            return Vec::new();
        }
        let mut found: Vec<Ranked> = Vec::new();
        let mut idx = vec![0usize; choices.len()];
        loop {
            let q: f64 = self
                .parts
                .iter()
                .zip(&idx)
                .zip(&choices)
                .map(|((p, &i), c)| p.1 * c[i] as f64)
                .sum();
            if q.abs() <= tol {
                let states: Vec<(Element, i8)> = self
                    .parts
                    .iter()
                    .zip(&idx)
                    .zip(&choices)
                    .map(|((p, &i), c)| (p.0, c[i]))
                    .collect();
                let uncommon = states
                    .iter()
                    .filter(|(e, s)| !e.common_oxidation_states().contains(s))
                    .count();
                found.push((uncommon, q.abs(), states));
            }
            // next combination
            let mut k = 0;
            loop {
                if k == idx.len() {
                    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                    return found.into_iter().map(|f| f.2).collect();
                }
                idx[k] += 1;
                if idx[k] < choices[k].len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
        }
    }

    /// The formula with Unicode subscript digits (`Li₀.₃₃La₀.₅₆TiO₃`).
    pub fn to_unicode(&self) -> String {
        self.to_string()
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(0x2080 + c as u32 - '0' as u32).unwrap_or(c),
                _ => c,
            })
            .collect()
    }
}

/// (uncommon states used, |net charge|, assignment).
type Ranked = (usize, f64, Vec<(Element, i8)>);

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl fmt::Display for Formula {
    /// Compact form: symbols followed by amounts, 1 omitted. `{}` writes the
    /// amounts in Rust's shortest round-trip notation (so `parse(format(f))
    /// == f`); `{:.N}` with at most N significant digits per amount, as a
    /// formula is written for people (`{:.4}` of x = 0.11 LLTO:
    /// `Li0.33La0.5567TiO3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &(e, n) in &self.parts {
            f.write_str(e.symbol())?;
            if n.to_bits() == 1f64.to_bits() {
                continue;
            }
            match f.precision() {
                Some(p) => f.write_str(&significant(n, p.max(1)))?,
                None => write!(f, "{n}")?,
            }
        }
        Ok(())
    }
}

/// `n` with at most `digits` significant digits, trailing zeros dropped.
fn significant(n: f64, digits: usize) -> String {
    if n == 0.0 || !n.is_finite() {
        return format!("{n}");
    }
    let magnitude = n.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{n:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

impl std::ops::Add for &Formula {
    type Output = Formula;
    fn add(self, rhs: &Formula) -> Formula {
        let mut f = self.clone();
        for &(e, n) in &rhs.parts {
            f.push_amount(e, n);
        }
        f
    }
}

impl serde::Serialize for Formula {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Formula {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Formula {
    type Err = Error;
    fn from_str(s: &str) -> Result<Formula> {
        if s.len() > 10_000 {
            return Err(Error::Parse {
                position: 1,
                reason: "formula longer than 10000 bytes".into(),
            });
        }
        if s.trim().is_empty() {
            return Err(Error::Parse {
                position: 1,
                reason: "empty formula: expected an element symbol".into(),
            });
        }
        let chars: Vec<char> = s.chars().collect();
        let mut p = Parser {
            c: &chars,
            i: 0,
            depth: 0,
        };
        let f = p.formula()?;
        if f.is_empty() {
            return Err(Error::Parse {
                position: 1,
                reason: "empty formula: expected an element symbol".into(),
            });
        }
        Ok(f)
    }
}

struct Parser<'a> {
    c: &'a [char],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err<T>(&self, reason: impl Into<String>) -> Result<T> {
        Err(Error::Parse {
            position: self.i + 1,
            reason: reason.into(),
        })
    }

    fn skip_ws(&mut self) {
        while self.i < self.c.len() && self.c[self.i].is_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.c.get(self.i).copied()
    }

    fn formula(&mut self) -> Result<Formula> {
        let mut f = self.part()?;
        while let Some(c) = self.peek() {
            if matches!(c, '·' | '*' | '•' | '⋅') {
                self.i += 1;
                let g = self.part()?;
                f = &f + &g;
            } else {
                return self.unexpected(c);
            }
        }
        Ok(f)
    }

    fn part(&mut self) -> Result<Formula> {
        let mult = match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '.' => self.number()?,
            _ => 1.0,
        };
        let mut f = Formula::default();
        while let Some(c) = self.peek() {
            if c.is_ascii_uppercase() || c == '(' || c == '[' {
                let g = self.group()?;
                f = &f + &g;
            } else {
                break;
            }
        }
        if f.is_empty() {
            return match self.peek() {
                None => self.err("expected an element symbol, found the end of the formula"),
                Some(c) => self.unexpected(c),
            };
        }
        f.scaled(mult)
            .or_else(|_| self.err("a multiplier must be > 0"))
    }

    fn group(&mut self) -> Result<Formula> {
        let c = self.peek().unwrap_or(' ');
        let inner =
            if c == '(' || c == '[' {
                let close = if c == '(' { ')' } else { ']' };
                self.depth += 1;
                if self.depth > 64 {
                    return self.err("parentheses nested deeper than 64 levels");
                }
                let open = self.i;
                self.i += 1;
                let mut f = Formula::default();
                loop {
                    match self.peek() {
                        Some(d) if d == close => {
                            self.i += 1;
                            break;
                        }
                        Some(d) if d.is_ascii_uppercase() || d == '(' || d == '[' => {
                            let g = self.group()?;
                            f = &f + &g;
                        }
                        Some(d) => return self.unexpected(d).map_err(|e| add_hint(e, close)),
                        None => return self.err(format!(
                            "expected `{close}` to close the group, found the end of the formula"
                        )),
                    }
                }
                self.depth -= 1;
                if f.is_empty() {
                    self.i = open;
                    return self.err("empty group");
                }
                f
            } else {
                let start = self.i;
                let mut sym = String::new();
                sym.push(c);
                self.i += 1;
                while self.i < self.c.len() && self.c[self.i].is_ascii_lowercase() {
                    sym.push(self.c[self.i]);
                    self.i += 1;
                }
                let e = match Element::from_symbol(&sym) {
                    Ok(e) => e,
                    Err(_) => {
                        self.i = start;
                        return self.err(format!("unknown element symbol `{sym}`"));
                    }
                };
                let mut f = Formula::default();
                f.push_amount(e, 1.0);
                f
            };
        let n = match self.c.get(self.i) {
            Some(&d) if d.is_ascii_digit() || d == '.' => self.number()?,
            _ => 1.0,
        };
        Ok(Formula {
            parts: inner.parts.into_iter().map(|(e, k)| (e, k * n)).collect(),
        })
    }

    fn number(&mut self) -> Result<f64> {
        let start = self.i;
        while self.i < self.c.len() && (self.c[self.i].is_ascii_digit() || self.c[self.i] == '.') {
            self.i += 1;
        }
        let text: String = self.c[start..self.i].iter().collect();
        if self.c.get(self.i) == Some(&',') {
            return self.err("decimal commas are not accepted: write `0.33`, not `0,33`");
        }
        let v: f64 = match text.parse() {
            Ok(v) => v,
            Err(_) => {
                self.i = start;
                return self.err(format!("malformed number `{text}`"));
            }
        };
        if let Some(&c) = self.c.get(self.i) {
            if c == '/' {
                return self.err("fractions such as `2/3` are not accepted: write the amount as a decimal (0.6667)");
            }
            if c.is_ascii_lowercase() {
                return self.err(format!(
                    "`{c}` after a number: variable stoichiometry such as `3x` is not a formula; substitute numbers"
                ));
            }
        }
        if !(v.is_finite() && v > 0.0) {
            self.i = start;
            return self.err(format!("amount `{text}` must be > 0"));
        }
        Ok(v)
    }

    fn unexpected<T>(&self, c: char) -> Result<T> {
        let why = match c {
            'a'..='z' => format!(
                "expected an element symbol (a capital letter), found `{c}`; variables such as `x` are not formulas"
            ),
            '-' | '+' => format!(
                "`{c}` is not allowed in a formula (charges and variable stoichiometry are not formulas)"
            ),
            '/' => "fractions such as `2/3` are not accepted: write the amount as a decimal".into(),
            ')' | ']' => format!("unmatched `{c}`"),
            '·' | '*' | '•' | '⋅' => {
                format!("expected an element symbol before `{c}` (hydrates are written CuSO4·5H2O)")
            }
            ',' => "decimal commas are not accepted: write `0.33`, not `0,33`".into(),
            '0'..='9' => format!(
                "unexpected number `{c}`: an amount must follow its element or group without a space"
            ),
            _ => format!("unexpected character `{c}`"),
        };
        self.err(why)
    }
}

fn add_hint(e: Error, close: char) -> Error {
    match e {
        Error::Parse { position, reason } if reason.starts_with("unmatched") => Error::Parse {
            position,
            reason: format!("{reason} (expected `{close}`)"),
        },
        e => e,
    }
}
