//! Equivalent circuits in impedance.py's string syntax — elements joined in
//! series by `-` and in parallel by `p(a,b,...)`, nested freely — with Z(ω)
//! and its analytic Jacobian.
//!
//! An element name is its type followed by an identifier of digits and
//! underscores: `R0`, `CPE1`, `Wo_2` (the type is the name with digits and
//! `_` removed, as in impedance.py). Parameter names are the element name for
//! one-parameter elements (`R0`, `C1`) and `<element>.<parameter>` otherwise
//! (`CPE1.Q`, `CPE1.alpha`, `Wo1.Z0`, `Wo1.tau`); impedance.py calls the
//! latter `CPE1_0`, `CPE1_1`. Parameters are numbered in the order the
//! elements appear in the string.
//!
//! Derivatives: in series ∂Z/∂p = ∂Zᵢ/∂p; in parallel Z = 1/ΣZᵢ⁻¹ and
//! ∂Z/∂p = (Z/Zᵢ)²·∂Zᵢ/∂p for a parameter of branch i.
//!
//! ```
//! use interphase_eis::Circuit;
//! let c: Circuit = "R0-p(R1,CPE1)-p(R2-Wo1,C2)".parse()?;
//! assert_eq!(c.parameter_names(), ["R0", "R1", "CPE1.Q", "CPE1.alpha", "R2", "Wo1.Z0", "Wo1.tau", "C2"]);
//! assert_eq!(c.to_string(), "R0-p(R1,CPE1)-p(R2-Wo1,C2)");
//! let z = c.impedance(1e6, &[10.0, 100.0, 1e-6, 0.9, 50.0, 20.0, 1.0, 1e-3])?;
//! assert!(z.re > 10.0 && z.re < 11.0); // near the high-frequency intercept R0
//! let e = "R0-p(R1,X1)".parse::<Circuit>().unwrap_err();
//! assert!(e.to_string().contains("position 9")); // the X of X1
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::element::{ElementKind, Omega, recip};
use crate::error::{Error, Result};

type C = Complex64;

/// A node of a circuit: an element, a series or a parallel connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// One element.
    Element {
        /// Its name (`R0`, `CPE1`).
        name: String,
        /// Its kind.
        kind: ElementKind,
    },
    /// Elements in series (`a-b-c`).
    Series(Vec<Node>),
    /// Branches in parallel (`p(a,b)`).
    Parallel(Vec<Node>),
}

impl Node {
    /// An element by name (`R0`, `CPE1`, `Wo_1`).
    pub fn element(name: &str) -> Result<Node> {
        let kind = kind_of(name).ok_or_else(|| Error::Circuit {
            position: 0,
            message: format!("unknown element {name:?}: {}", known_types()),
        })?;
        Ok(Node::Element {
            name: name.to_string(),
            kind,
        })
    }
    /// A series connection.
    pub fn series(nodes: Vec<Node>) -> Node {
        Node::Series(nodes)
    }
    /// A parallel connection.
    pub fn parallel(nodes: Vec<Node>) -> Node {
        Node::Parallel(nodes)
    }
}

fn kind_of(name: &str) -> Option<ElementKind> {
    let t: String = name
        .chars()
        .filter(|c| !c.is_ascii_digit() && *c != '_')
        .collect();
    ElementKind::from_type(&t)
}

fn known_types() -> String {
    let v: Vec<&str> = ElementKind::ALL.iter().map(|k| k.type_name()).collect();
    format!("known types are {}", v.join(", "))
}

/// A flattened node for evaluation: parameters of a subtree are contiguous.
#[derive(Debug, Clone, PartialEq)]
enum Flat {
    Element { kind: ElementKind, offset: usize },
    Series { children: Vec<usize> },
    Parallel { children: Vec<usize> },
}

/// A parsed, validated circuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Circuit {
    root: Node,
    nodes: Vec<Flat>,
    /// (first parameter, end) of each flat node.
    ranges: Vec<(usize, usize)>,
    root_index: usize,
    elements: Vec<(String, ElementKind, usize)>,
    names: Vec<String>,
}

impl From<Circuit> for String {
    fn from(c: Circuit) -> String {
        c.to_string()
    }
}

impl TryFrom<String> for Circuit {
    type Error = Error;
    fn try_from(s: String) -> Result<Circuit> {
        s.parse()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> Error {
        Error::Circuit {
            position: self.pos + 1,
            message: message.into(),
        }
    }
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }
    fn series(&mut self, depth: usize) -> Result<Node> {
        if depth > 64 {
            return Err(self.err("circuit nested more than 64 levels deep"));
        }
        let mut items = vec![self.term(depth)?];
        while self.peek() == Some(b'-') {
            self.pos += 1;
            items.push(self.term(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::Series(vec![]))
        } else {
            Node::Series(items)
        })
    }
    fn term(&mut self, depth: usize) -> Result<Node> {
        match self.peek() {
            None => Err(self.err("unexpected end of the circuit: expected an element or p(")),
            Some(b'p') if self.s.get(self.pos + 1) == Some(&b'(') => {
                self.pos += 2;
                let mut branches = vec![self.series(depth + 1)?];
                loop {
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            branches.push(self.series(depth + 1)?);
                        }
                        Some(b')') => {
                            if branches.len() < 2 {
                                return Err(self.err("p(...) needs at least two branches"));
                            }
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            return Err(
                                self.err(format!("expected ',' or ')', found {:?}", c as char))
                            );
                        }
                        None => return Err(self.err("unclosed p( — expected ')'")),
                    }
                }
                Ok(Node::Parallel(branches))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.pos < self.s.len()
                    && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                let name = &self.text[start..self.pos];
                match kind_of(name) {
                    Some(kind) => Ok(Node::Element {
                        name: name.to_string(),
                        kind,
                    }),
                    None => {
                        self.pos = start;
                        Err(self.err(format!("unknown element {name:?}; {}", known_types())))
                    }
                }
            }
            Some(c) => Err(self.err(format!("expected an element or p(, found {:?}", c as char))),
        }
    }
}

impl FromStr for Circuit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Circuit> {
        if s.len() > 10_000 {
            return Err(Error::Circuit {
                position: 0,
                message: format!("circuit string of {} bytes is too long", s.len()),
            });
        }
        let mut p = Parser {
            s: s.as_bytes(),
            pos: 0,
            text: s,
        };
        let root = p.series(0)?;
        if let Some(c) = p.peek() {
            return Err(p.err(format!("unexpected {:?} after the circuit", c as char)));
        }
        Circuit::from_node(root)
    }
}

impl Circuit {
    /// A circuit from a node tree (the builder API): checks that element names
    /// are unique and that series/parallel connections are not empty.
    pub fn from_node(root: Node) -> Result<Circuit> {
        let mut c = Circuit {
            root: root.clone(),
            nodes: Vec::new(),
            ranges: Vec::new(),
            root_index: 0,
            elements: Vec::new(),
            names: Vec::new(),
        };
        let mut offset = 0;
        c.root_index = c.flatten(&root, &mut offset)?;
        Ok(c)
    }

    fn flatten(&mut self, node: &Node, offset: &mut usize) -> Result<usize> {
        let start = *offset;
        let flat = match node {
            Node::Element { name, kind } => {
                if self.elements.iter().any(|(n, _, _)| n == name) {
                    return Err(Error::Circuit {
                        position: 0,
                        message: format!("element {name:?} appears twice"),
                    });
                }
                if kind_of(name) != Some(*kind) {
                    return Err(Error::Circuit {
                        position: 0,
                        message: format!(
                            "element name {name:?} does not match its kind {}",
                            kind.type_name()
                        ),
                    });
                }
                self.elements.push((name.clone(), *kind, start));
                for pn in kind.parameter_names() {
                    self.names.push(if kind.n_params() == 1 {
                        name.clone()
                    } else {
                        format!("{name}.{pn}")
                    });
                }
                *offset += kind.n_params();
                Flat::Element {
                    kind: *kind,
                    offset: start,
                }
            }
            Node::Series(v) | Node::Parallel(v) => {
                if v.is_empty() {
                    return Err(Error::Circuit {
                        position: 0,
                        message: "an empty series or parallel connection".into(),
                    });
                }
                let children = v
                    .iter()
                    .map(|n| self.flatten(n, offset))
                    .collect::<Result<Vec<_>>>()?;
                if matches!(node, Node::Series(_)) {
                    Flat::Series { children }
                } else {
                    Flat::Parallel { children }
                }
            }
        };
        self.nodes.push(flat);
        self.ranges.push((start, *offset));
        Ok(self.nodes.len() - 1)
    }

    /// The node tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Number of parameters.
    pub fn n_params(&self) -> usize {
        self.names.len()
    }

    /// Parameter names in order (`R0`, `CPE1.Q`, `CPE1.alpha`, ...).
    pub fn parameter_names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// The elements in order: (name, kind, index of its first parameter).
    pub fn elements(&self) -> &[(String, ElementKind, usize)] {
        &self.elements
    }

    /// Whether parameter `i` is an exponent in [0, 1] (CPE, La, ZARC α).
    pub fn is_exponent(&self, i: usize) -> bool {
        self.elements
            .iter()
            .any(|(_, k, o)| i >= *o && i < o + k.n_params() && k.is_exponent(i - o))
    }

    fn check_params(&self, p: &[f64]) -> Result<()> {
        if p.len() != self.n_params() {
            return Err(Error::Invalid(format!(
                "circuit {self} has {} parameters ({}), {} values given",
                self.n_params(),
                self.names.join(", "),
                p.len()
            )));
        }
        if let Some((i, v)) = p.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "parameter {} = {v} is not finite",
                self.names[i]
            )));
        }
        Ok(())
    }

    /// Z at frequency `f` (Hz) for parameter values `p`.
    pub fn impedance(&self, f: f64, p: &[f64]) -> Result<C> {
        self.check_params(p)?;
        check_freq(0, f)?;
        let ph = self.phases(p);
        Ok(self.eval_at::<false>(
            self.root_index,
            Omega::new(2.0 * std::f64::consts::PI * f),
            p,
            &ph,
            &mut [],
        ))
    }

    /// Z at every frequency (Hz) into `out`.
    pub fn impedance_into(&self, freqs: &[f64], p: &[f64], out: &mut [C]) -> Result<()> {
        self.check_params(p)?;
        if out.len() != freqs.len() {
            return Err(Error::Invalid(format!(
                "{} frequencies, output buffer of {}",
                freqs.len(),
                out.len()
            )));
        }
        let ph = self.phases(p);
        for (i, (&f, o)) in freqs.iter().zip(out.iter_mut()).enumerate() {
            check_freq(i, f)?;
            let x = Omega::new(2.0 * std::f64::consts::PI * f);
            *o = self.eval_at::<false>(self.root_index, x, p, &ph, &mut []);
        }
        Ok(())
    }

    /// Z at every frequency and the Jacobian ∂Z(fᵢ)/∂pⱼ, row-major
    /// (`jac[i·n_params + j]`).
    pub fn impedance_and_jacobian(
        &self,
        freqs: &[f64],
        p: &[f64],
        z: &mut [C],
        jac: &mut [C],
    ) -> Result<()> {
        self.check_params(p)?;
        let n = self.n_params();
        if z.len() != freqs.len() || jac.len() != freqs.len() * n {
            return Err(Error::Invalid(format!(
                "{} frequencies need buffers of {} and {}, got {} and {}",
                freqs.len(),
                freqs.len(),
                freqs.len() * n,
                z.len(),
                jac.len()
            )));
        }
        let ph = self.phases(p);
        for (i, &f) in freqs.iter().enumerate() {
            check_freq(i, f)?;
            z[i] = self.eval_at::<true>(
                self.root_index,
                Omega::new(2.0 * std::f64::consts::PI * f),
                p,
                &ph,
                &mut jac[i * n..(i + 1) * n],
            );
        }
        Ok(())
    }

    /// The ω-independent unit phasor e^{jπα/2} of every element with an
    /// exponent, at its first parameter's index (1 elsewhere); computed once
    /// per parameter vector for [`Circuit::eval_at`].
    pub(crate) fn phases(&self, p: &[f64]) -> Vec<C> {
        let mut ph = vec![C::new(1.0, 0.0); p.len()];
        self.phases_into(p, &mut ph);
        ph
    }

    /// [`Circuit::phases`] into `out` (length n_params), without allocating.
    pub(crate) fn phases_into(&self, p: &[f64], out: &mut [C]) {
        out.fill(C::new(1.0, 0.0));
        for (_, kind, off) in &self.elements {
            out[*off] = kind.phase(&p[*off..off + kind.n_params()]);
        }
    }

    /// Z(ω) of the whole circuit; with `GRAD`, ∂Z/∂p into `g` (length
    /// n_params). `ph` from [`Circuit::phases`]. No validation, no
    /// allocation for parallel blocks of up to 8 branches.
    pub(crate) fn eval_root<const GRAD: bool>(
        &self,
        x: Omega,
        p: &[f64],
        ph: &[C],
        g: &mut [C],
    ) -> C {
        self.eval_at::<GRAD>(self.root_index, x, p, ph, g)
    }

    /// The top-level series items: (structure signature, first parameter,
    /// end), e.g. `("p(R,CPE)", 1, 4)` for `p(R1,CPE1)` in `R0-p(R1,CPE1)`.
    /// Items with equal signatures are interchangeable (series connections
    /// commute).
    pub fn series_blocks(&self) -> Vec<(String, usize, usize)> {
        let kids = self.top_children();
        let items: Vec<&Node> = match &self.root {
            Node::Series(v) => v.iter().collect(),
            n => vec![n],
        };
        kids.iter()
            .zip(items)
            .map(|(&k, node)| (signature(node), self.ranges[k].0, self.ranges[k].1))
            .collect()
    }

    /// Flat indices of the top-level series items (the root alone when it is
    /// not a series).
    fn top_children(&self) -> Vec<usize> {
        match &self.nodes[self.root_index] {
            Flat::Series { children } => children.clone(),
            _ => vec![self.root_index],
        }
    }

    /// The flat node of the top-level series item with parameters `a..b`.
    pub(crate) fn block_node(&self, a: usize, b: usize) -> Option<usize> {
        let kids = self.top_children();
        kids.into_iter().find(|&k| self.ranges[k] == (a, b))
    }

    /// Z(ω) of flat node `k` (see [`Circuit::eval_at`]), no gradient.
    pub(crate) fn eval_node(&self, k: usize, x: Omega, p: &[f64], ph: &[C]) -> C {
        self.eval_at::<false>(k, x, p, ph, &mut [])
    }

    /// Z(ω) of node `k`; with `GRAD`, writes ∂Z_k/∂p into `g` over the node's
    /// parameter range (without, `g` may be empty). A parallel block is
    /// evaluated as the sum of its branches' admittances ([`Circuit::y_at`])
    /// and inverted once, ∂Z = −Z²·∂Y; no validation (callers have checked),
    /// no allocation.
    pub(crate) fn eval_at<const GRAD: bool>(
        &self,
        k: usize,
        x: Omega,
        p: &[f64],
        ph: &[C],
        g: &mut [C],
    ) -> C {
        match &self.nodes[k] {
            Flat::Element { kind, offset } => {
                let (o, n) = (*offset, kind.n_params());
                kind.eval_at::<GRAD>(x, &p[o..o + n], ph[o], grad_slice::<GRAD>(g, o, n))
            }
            Flat::Series { children } => children
                .iter()
                .map(|&c| self.eval_at::<GRAD>(c, x, p, ph, g))
                .sum(),
            Flat::Parallel { .. } => {
                let y = self.y_at::<GRAD>(k, x, p, ph, g);
                self.invert::<GRAD>(k, y, g)
            }
        }
    }

    /// 1/v for node `k` (Z from Y or Y from Z); with `GRAD`, the node's
    /// gradient range, ∂v, becomes ∂(1/v) = −(1/v)²·∂v.
    fn invert<const GRAD: bool>(&self, k: usize, v: C, g: &mut [C]) -> C {
        let w = recip(v);
        if GRAD {
            let f = -(w * w);
            let (a, b) = self.ranges[k];
            g[a..b].iter_mut().for_each(|d| *d *= f);
        }
        w
    }

    /// Y(ω) = 1/Z(ω) of node `k`; with `GRAD`, ∂Y_k/∂p into `g` over the
    /// node's range. Parallel branches add; a series node is inverted once,
    /// ∂Y = −Y²·∂Z.
    fn y_at<const GRAD: bool>(&self, k: usize, x: Omega, p: &[f64], ph: &[C], g: &mut [C]) -> C {
        match &self.nodes[k] {
            Flat::Element { kind, offset } => {
                let (o, n) = (*offset, kind.n_params());
                kind.admittance_at::<GRAD>(x, &p[o..o + n], ph[o], grad_slice::<GRAD>(g, o, n))
            }
            Flat::Parallel { children } => children
                .iter()
                .map(|&c| self.y_at::<GRAD>(c, x, p, ph, g))
                .sum(),
            Flat::Series { .. } => {
                let z = self.eval_at::<GRAD>(k, x, p, ph, g);
                self.invert::<GRAD>(k, z, g)
            }
        }
    }
}

/// The gradient entries of an element with `n` parameters at `offset`, or
/// nothing when no gradient is wanted.
fn grad_slice<const GRAD: bool>(g: &mut [C], offset: usize, n: usize) -> &mut [C] {
    if GRAD {
        &mut g[offset..offset + n]
    } else {
        &mut []
    }
}

/// The structure of a node with the element identifiers removed.
fn signature(node: &Node) -> String {
    match node {
        Node::Element { kind, .. } => kind.type_name().to_string(),
        Node::Series(v) => v.iter().map(signature).collect::<Vec<_>>().join("-"),
        Node::Parallel(v) => format!(
            "p({})",
            v.iter().map(signature).collect::<Vec<_>>().join(",")
        ),
    }
}

fn check_freq(i: usize, f: f64) -> Result<()> {
    if f.is_finite() && f > 0.0 {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "frequency {f} at index {i} must be finite and > 0 Hz"
        )))
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Element { name, .. } => f.write_str(name),
            Node::Series(v) => {
                for (i, n) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str("-")?;
                    }
                    write!(f, "{n}")?;
                }
                Ok(())
            }
            Node::Parallel(v) => {
                f.write_str("p(")?;
                for (i, n) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{n}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Circuit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_have_positions() {
        for (s, pos, what) in [
            ("R0-", 4, "unexpected end"),
            ("R0-p(R1)", 8, "two branches"),
            ("R0-p(R1,C1", 11, "unclosed"),
            ("R0-X1", 4, "unknown element"),
            ("R0--C1", 4, "expected an element"),
            ("R0-C1)", 6, "unexpected ')'"),
            ("R0-R0", 0, "twice"),
        ] {
            let e = s.parse::<Circuit>().unwrap_err();
            match &e {
                Error::Circuit { position, message } => {
                    assert_eq!(*position, pos, "{s}: {e}");
                    assert!(message.contains(what), "{s}: {e}");
                }
                _ => panic!("{s}: {e}"),
            }
        }
        let deep = "p(".repeat(100) + "R1,R2" + &")".repeat(100);
        assert!(deep.parse::<Circuit>().is_err());
    }

    #[test]
    fn display_round_trips_and_serde() {
        for s in [
            "R0",
            "R0-p(R1,C1)",
            "p(R1,p(C1,L1-R_2),CPE1)-Wo1-Gs3",
            "R0-p(R1-Wo1,C1)-K4-Zarc5-La6-W7-Ws8-G9",
        ] {
            let c: Circuit = s.parse().unwrap();
            assert_eq!(c.to_string(), s);
            let j = serde_json::to_string(&c).unwrap();
            assert_eq!(j, format!("\"{s}\""));
            let back: Circuit = serde_json::from_str(&j).unwrap();
            assert_eq!(back, c);
        }
        // spaces are ignored
        let c: Circuit = " R0 - p( R1 , C1 )".parse().unwrap();
        assert_eq!(c.to_string(), "R0-p(R1,C1)");
    }

    #[test]
    fn jacobian_matches_finite_differences() {
        let c: Circuit = "R0-p(R1,CPE1)-p(R2-Wo1,C2,p(L1,R3))".parse().unwrap();
        let p = [10.0, 100.0, 1e-6, 0.85, 50.0, 20.0, 1.5, 1e-3, 1e-4, 500.0];
        let freqs = [1e-2, 1.0, 37.0, 1e3, 1e5];
        let n = c.n_params();
        let mut z = vec![C::new(0.0, 0.0); freqs.len()];
        let mut jac = vec![C::new(0.0, 0.0); freqs.len() * n];
        c.impedance_and_jacobian(&freqs, &p, &mut z, &mut jac)
            .unwrap();
        for (i, &f) in freqs.iter().enumerate() {
            for j in 0..n {
                let h = 1e-6 * p[j];
                let (mut a, mut b) = (p, p);
                a[j] += h;
                b[j] -= h;
                let fd = (c.impedance(f, &a).unwrap() - c.impedance(f, &b).unwrap()) / (2.0 * h);
                let an = jac[i * n + j];
                assert!(
                    (fd - an).norm() <= 1e-6 * (z[i].norm() / p[j]).max(an.norm()),
                    "f={f} {}: {an} vs {fd}",
                    c.parameter_names()[j]
                );
            }
        }
    }

    #[test]
    fn impedance_matches_a_hand_written_formula() {
        // independent slow path: every element and every series/parallel rule
        // written out with plain complex arithmetic
        let c: Circuit = "R0-p(R1,CPE1)-p(R2-Wo1,C2,p(L1,R3))".parse().unwrap();
        let p = [10.0, 100.0, 1e-6, 0.85, 50.0, 20.0, 1.5, 1e-3, 1e-4, 500.0];
        for f in [1e-3, 0.5, 37.0, 2e3, 2e4] {
            let s = C::new(0.0, 2.0 * std::f64::consts::PI * f);
            let cpe = 1.0 / (p[2] * s.powf(p[3]));
            let u = (s * p[6]).sqrt();
            let wo = p[5] * (u.cosh() / u.sinh()) / u;
            let par = |zs: &[C]| 1.0 / zs.iter().map(|z| 1.0 / z).sum::<C>();
            let inner = par(&[s * p[8], C::new(p[9], 0.0)]);
            let want =
                p[0] + par(&[C::new(p[1], 0.0), cpe]) + par(&[p[4] + wo, 1.0 / (s * p[7]), inner]);
            let got = c.impedance(f, &p).unwrap();
            assert!(
                (got - want).norm() <= 1e-12 * want.norm(),
                "f={f}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn builder_and_bad_values() {
        let c = Circuit::from_node(Node::series(vec![
            Node::element("R0").unwrap(),
            Node::parallel(vec![
                Node::element("R1").unwrap(),
                Node::element("C1").unwrap(),
            ]),
        ]))
        .unwrap();
        assert_eq!(c.to_string(), "R0-p(R1,C1)");
        assert!(c.impedance(10.0, &[1.0, 2.0]).is_err());
        assert!(c.impedance(0.0, &[1.0, 2.0, 3.0]).is_err());
        assert!(c.impedance(10.0, &[1.0, f64::NAN, 3.0]).is_err());
        assert!(Node::element("Q1").is_err());
        // R-RC DC limit: R0 + R1
        let z = c.impedance(1e-9, &[5.0, 7.0, 1e-3]).unwrap();
        assert!((z.re - 12.0).abs() < 1e-6);
    }
}
