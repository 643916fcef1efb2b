//! Named fit parameters with bounds, fixed values and linear ties.
//!
//! A [`Parameter`] has a name, a value, optional lower and upper bounds, a
//! `vary` flag and an optional [`Tie`]: `p = factor · reference + offset`.
//! Ties cover shared widths (`factor = 1`), doublet splittings (`offset`) and
//! area ratios (`factor`). Fixed and tied parameters are removed from the
//! solver's vector; tied parameters' uncertainties are propagated through the
//! tie (`σ_p = |factor| · σ_reference`, full covariance by `A·C·Aᵀ`).
//!
//! ```
//! use interphase_fit::{Parameter, Parameters};
//! let mut p = Parameters::new();
//! p.push(Parameter::new("center", 458.8).with_bounds(457.5, 460.0))?;
//! p.push(Parameter::new("sigma", 0.5).with_min(0.0))?;
//! // the 2p1/2 sits 5.7 eV above the 2p3/2
//! p.push(Parameter::new("center_2p12", 464.5).tied_to("center", 1.0, 5.7))?;
//! p.push(Parameter::new("background", 10.0).fixed())?;
//! assert_eq!(p.len(), 4);
//! assert_eq!(p.n_varying(), 2);
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A linear tie: the parameter equals `factor · reference + offset`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tie {
    /// Name of the parameter this one follows.
    pub reference: String,
    /// Multiplicative factor (dimensionless ratio of units).
    pub factor: f64,
    /// Additive offset, in the parameter's own unit.
    pub offset: f64,
}

/// One named fit parameter.
///
/// Build with [`Parameter::new`] and the `with_*` / [`fixed`](Parameter::fixed) /
/// [`tied_to`](Parameter::tied_to) methods; the definition is validated when it is
/// added to a [`Parameters`] set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    name: String,
    value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default = "default_true")]
    vary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tie: Option<Tie>,
}

fn default_true() -> bool {
    true
}

impl Parameter {
    /// A varying, unbounded parameter with a starting value.
    pub fn new(name: impl Into<String>, value: f64) -> Self {
        Parameter {
            name: name.into(),
            value,
            min: None,
            max: None,
            vary: true,
            tie: None,
        }
    }

    /// Replaces the value (checked when the parameter is added to a set).
    pub fn with_value(mut self, value: f64) -> Self {
        self.value = value;
        self
    }

    /// Sets a lower bound (`-∞` means none).
    pub fn with_min(mut self, min: f64) -> Self {
        self.min = if min == f64::NEG_INFINITY {
            None
        } else {
            Some(min)
        };
        self
    }

    /// Sets an upper bound (`+∞` means none).
    pub fn with_max(mut self, max: f64) -> Self {
        self.max = if max == f64::INFINITY {
            None
        } else {
            Some(max)
        };
        self
    }

    /// Sets both bounds.
    pub fn with_bounds(self, min: f64, max: f64) -> Self {
        self.with_min(min).with_max(max)
    }

    /// Holds the parameter at its value.
    pub fn fixed(mut self) -> Self {
        self.vary = false;
        self
    }

    /// Sets whether the parameter varies.
    pub fn with_vary(mut self, vary: bool) -> Self {
        self.vary = vary;
        self
    }

    /// Ties the parameter to another: `self = factor · reference + offset`.
    pub fn tied_to(mut self, reference: impl Into<String>, factor: f64, offset: f64) -> Self {
        self.tie = Some(Tie {
            reference: reference.into(),
            factor,
            offset,
        });
        self
    }

    /// The parameter's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The current value (the starting value before a fit, the best value after).
    pub fn value(&self) -> f64 {
        self.value
    }
    /// The lower bound, if any.
    pub fn min(&self) -> Option<f64> {
        self.min
    }
    /// The upper bound, if any.
    pub fn max(&self) -> Option<f64> {
        self.max
    }
    /// Whether the solver varies this parameter (false for fixed and tied ones).
    pub fn vary(&self) -> bool {
        self.vary && self.tie.is_none()
    }
    /// The tie, if any.
    pub fn tie(&self) -> Option<&Tie> {
        self.tie.as_ref()
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::Parameter {
            name: self.name.clone(),
            reason: reason.into(),
        }
    }

    /// Checks the parameter on its own (ties are checked by [`Parameters`]).
    pub(crate) fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() || self.name.trim() != self.name {
            return Err(self.err("name must be non-empty without leading or trailing spaces"));
        }
        if !self.value.is_finite() {
            return Err(self.err(format!("value {} is not finite", self.value)));
        }
        if let Some(min) = self.min
            && (min.is_nan() || min == f64::INFINITY)
        {
            return Err(self.err(format!("lower bound {min} is not a number below +inf")));
        }
        if let Some(max) = self.max
            && (max.is_nan() || max == f64::NEG_INFINITY)
        {
            return Err(self.err(format!("upper bound {max} is not a number above -inf")));
        }
        if let (Some(min), Some(max)) = (self.min, self.max)
            && min >= max
        {
            return Err(self.err(format!(
                "lower bound {min} is not below upper bound {max} (use .fixed() to hold a value)"
            )));
        }
        if let Some(tie) = &self.tie {
            if self.min.is_some() || self.max.is_some() {
                return Err(self.err(
                    "a tied parameter cannot have bounds of its own; bound its reference instead",
                ));
            }
            if !tie.factor.is_finite() || !tie.offset.is_finite() {
                return Err(self.err("tie factor and offset must be finite"));
            }
            if tie.reference == self.name {
                return Err(self.err("a parameter cannot be tied to itself"));
            }
        } else if self.vary
            && (self.min.is_some_and(|m| self.value < m)
                || self.max.is_some_and(|m| self.value > m))
        {
            return Err(self.err(format!(
                "starting value {} lies outside its bounds [{}, {}]",
                self.value,
                self.min.unwrap_or(f64::NEG_INFINITY),
                self.max.unwrap_or(f64::INFINITY)
            )));
        }
        Ok(())
    }
}

/// An ordered set of uniquely named parameters.
///
/// The order is the order of the problem's parameter vector: the `k`-th
/// parameter here is `p[k]` in [`Problem::residuals`](crate::Problem::residuals).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Parameters {
    params: Vec<Parameter>,
}

impl Parameters {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Varying, unbounded parameters from `(name, value)` pairs.
    pub fn from_values<S: AsRef<str>>(pairs: &[(S, f64)]) -> Result<Self> {
        let mut p = Parameters::new();
        for (name, value) in pairs {
            p.push(Parameter::new(name.as_ref(), *value))?;
        }
        Ok(p)
    }

    /// Adds a parameter after checking it (name unique, value finite and inside
    /// its bounds, bounds ordered, tie well-formed).
    pub fn push(&mut self, param: Parameter) -> Result<()> {
        param.validate()?;
        if self.index_of(&param.name).is_some() {
            return Err(param.err("a parameter of this name already exists"));
        }
        self.params.push(param);
        Ok(())
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Number of parameters the solver varies.
    pub fn n_varying(&self) -> usize {
        self.params.iter().filter(|p| p.vary()).count()
    }

    /// Index of a parameter by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// A parameter by name.
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Iterates in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Parameter> {
        self.params.iter()
    }

    /// Values in order (tied values as stored: call [`Parameters::resolve_ties`] first
    /// to bring them up to date).
    pub fn values(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.value).collect()
    }

    /// Names in order.
    pub fn names(&self) -> Vec<&str> {
        self.params.iter().map(|p| p.name.as_str()).collect()
    }

    /// Sets a parameter's value, checking finiteness and bounds.
    pub fn set_value(&mut self, name: &str, value: f64) -> Result<()> {
        let i = self
            .index_of(name)
            .ok_or_else(|| Error::UnknownParameter(name.into()))?;
        let mut p = self.params[i].clone();
        p.value = value;
        p.validate()?;
        self.params[i] = p;
        Ok(())
    }

    /// Replaces a parameter definition of the same name (after checking it).
    pub fn replace(&mut self, param: Parameter) -> Result<()> {
        param.validate()?;
        let i = self
            .index_of(&param.name)
            .ok_or_else(|| Error::UnknownParameter(param.name.clone()))?;
        self.params[i] = param;
        Ok(())
    }

    /// Sets every value from a slice in order, checking each.
    pub fn set_values(&mut self, values: &[f64]) -> Result<()> {
        if values.len() != self.len() {
            return Err(Error::Dimension(format!(
                "{} values given for {} parameters",
                values.len(),
                self.len()
            )));
        }
        let mut next = self.clone();
        for (p, &v) in next.params.iter_mut().zip(values) {
            p.value = v;
            p.validate()?;
        }
        *self = next;
        Ok(())
    }

    /// Recomputes the values of tied parameters from their references.
    pub fn resolve_ties(&mut self) -> Result<()> {
        let map = Resolved::new(self)?;
        for (i, role) in map.roles.iter().enumerate() {
            if let Role::Tied {
                root,
                factor,
                offset,
            } = *role
            {
                self.params[i].value = factor * self.params[root].value + offset;
            }
        }
        Ok(())
    }

    pub(crate) fn param_mut(&mut self, i: usize) -> &mut Parameter {
        &mut self.params[i]
    }
}

impl<'a> IntoIterator for &'a Parameters {
    type Item = &'a Parameter;
    type IntoIter = std::slice::Iter<'a, Parameter>;
    fn into_iter(self) -> Self::IntoIter {
        self.params.iter()
    }
}

impl std::ops::Index<usize> for Parameters {
    type Output = Parameter;
    fn index(&self, i: usize) -> &Parameter {
        &self.params[i]
    }
}

/// What a parameter is to the solver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// The `k`-th entry of the solver's vector.
    Free(usize),
    /// Held at its value.
    Fixed,
    /// `factor · p[root] + offset`, where `root` is free or fixed (chains resolved).
    Tied {
        root: usize,
        factor: f64,
        offset: f64,
    },
}

/// Ties resolved to their roots, cycles rejected.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub roles: Vec<Role>,
    /// Parameter index of each free entry.
    pub free: Vec<usize>,
}

impl Resolved {
    pub fn new(params: &Parameters) -> Result<Self> {
        let n = params.len();
        let mut free = Vec::new();
        let mut roles = vec![Role::Fixed; n];
        for (i, p) in params.iter().enumerate() {
            if p.vary() {
                roles[i] = Role::Free(free.len());
                free.push(i);
            }
        }
        for (i, p) in params.iter().enumerate() {
            let Some(_) = p.tie() else { continue };
            // follow the chain to a non-tied root, at most n steps
            let (mut factor, mut offset, mut cur) = (1.0, 0.0, i);
            let mut steps = 0;
            while let Some(tie) = params[cur].tie() {
                let next = params
                    .index_of(&tie.reference)
                    .ok_or_else(|| Error::Parameter {
                        name: params[cur].name().into(),
                        reason: format!("tied to unknown parameter '{}'", tie.reference),
                    })?;
                offset += factor * tie.offset;
                factor *= tie.factor;
                cur = next;
                steps += 1;
                if steps > n {
                    return Err(Error::Parameter {
                        name: p.name().into(),
                        reason: "ties form a cycle".into(),
                    });
                }
            }
            roles[i] = Role::Tied {
                root: cur,
                factor,
                offset,
            };
        }
        Ok(Resolved { roles, free })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_definitions() {
        let mut p = Parameters::new();
        assert!(p.push(Parameter::new("a", f64::NAN)).is_err());
        assert!(p.push(Parameter::new("", 1.0)).is_err());
        assert!(
            p.push(Parameter::new("a", 1.0).with_bounds(2.0, 1.0))
                .is_err()
        );
        assert!(
            p.push(Parameter::new("a", 5.0).with_bounds(0.0, 1.0))
                .is_err()
        );
        assert!(p.push(Parameter::new("a", 1.0).with_min(f64::NAN)).is_err());
        p.push(Parameter::new("a", 1.0)).unwrap();
        let e = p.push(Parameter::new("a", 1.0)).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert!(
            p.push(Parameter::new("b", 1.0).tied_to("b", 1.0, 0.0))
                .is_err()
        );
        assert!(
            p.push(
                Parameter::new("b", 1.0)
                    .tied_to("a", 1.0, 0.0)
                    .with_min(0.0)
            )
            .is_err()
        );
    }

    #[test]
    fn infinite_bounds_mean_none() {
        let p = Parameter::new("a", 1.0).with_bounds(f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(p.min(), None);
        assert_eq!(p.max(), None);
    }

    #[test]
    fn tie_chains_and_cycles() {
        let mut p = Parameters::new();
        p.push(Parameter::new("a", 2.0)).unwrap();
        p.push(Parameter::new("b", 0.0).tied_to("a", 3.0, 1.0))
            .unwrap();
        p.push(Parameter::new("c", 0.0).tied_to("b", 2.0, -1.0))
            .unwrap();
        p.resolve_ties().unwrap();
        assert_eq!(p.values(), vec![2.0, 7.0, 13.0]);

        let mut q = Parameters::new();
        q.push(Parameter::new("x", 1.0).tied_to("y", 1.0, 0.0))
            .unwrap();
        q.push(Parameter::new("y", 1.0).tied_to("x", 1.0, 0.0))
            .unwrap();
        let e = q.resolve_ties().unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");

        let mut r = Parameters::new();
        r.push(Parameter::new("x", 1.0).tied_to("nope", 1.0, 0.0))
            .unwrap();
        assert!(
            r.resolve_ties()
                .unwrap_err()
                .to_string()
                .contains("unknown parameter 'nope'")
        );
    }

    #[test]
    fn serde_round_trip() {
        let mut p = Parameters::new();
        p.push(Parameter::new("a", 2.0).with_bounds(0.0, 3.0))
            .unwrap();
        p.push(Parameter::new("b", 0.0).tied_to("a", 3.0, 1.0))
            .unwrap();
        p.push(Parameter::new("c", 4.0).fixed()).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        let back: Parameters = serde_json::from_str(&json).unwrap();
        assert_eq!(p, back);
    }
}
