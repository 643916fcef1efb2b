//! The peak-model definition: what a model file (TOML or JSON) or the builder
//! API describes, before it meets data.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::lineshape::ShapeKind;

/// One parameter's definition: starting value, bounds, whether it varies, or a
/// tie to another parameter.
///
/// In a model file a plain number is a free parameter started there
/// (`sigma = 0.5`); the table form `{ value, min, max, vary, tie }` gives the
/// rest. An omitted `value` (or an omitted parameter) is filled in
/// automatically from the data (peak finding), see [`PeakModel`](super::PeakModel).
///
/// A tie is a linear expression of one other parameter, by its full name:
/// `"Ti4+.sigma"`, `"1.5 * Ti4+.sigma"`, `"Ti4+.center - 1.45"`,
/// `"0.5*Ti4+.area + 0"`. Tied parameters take no value, bounds or `vary`.
///
/// ```
/// use interphase_spectra::model::ParamSpec;
/// let p = ParamSpec::value(458.8).with_bounds(457.5, 460.0);
/// assert_eq!(p.start(), Some(458.8));
/// let t = ParamSpec::tied("Ti4+.sigma");
/// assert!(t.tie().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamSpec {
    pub(crate) value: Option<f64>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) vary: Option<bool>,
    pub(crate) tie: Option<String>,
}

impl ParamSpec {
    /// A free parameter started at `value`.
    pub fn value(value: f64) -> Self {
        ParamSpec {
            value: Some(value),
            ..Self::default()
        }
    }

    /// A parameter held at `value`.
    pub fn fixed(value: f64) -> Self {
        ParamSpec {
            value: Some(value),
            vary: Some(false),
            ..Self::default()
        }
    }

    /// A free parameter whose start is found from the data.
    pub fn auto() -> Self {
        Self::default()
    }

    /// A parameter tied to another by a linear expression (see the type's docs).
    pub fn tied(expression: impl Into<String>) -> Self {
        ParamSpec {
            tie: Some(expression.into()),
            ..Self::default()
        }
    }

    /// Sets the lower bound.
    pub fn with_min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }

    /// Sets the upper bound.
    pub fn with_max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }

    /// Sets both bounds.
    pub fn with_bounds(self, min: f64, max: f64) -> Self {
        self.with_min(min).with_max(max)
    }

    /// Sets whether the parameter varies.
    pub fn with_vary(mut self, vary: bool) -> Self {
        self.vary = Some(vary);
        self
    }

    /// The starting value, when given.
    pub fn start(&self) -> Option<f64> {
        self.value
    }

    /// Lower bound, when given.
    pub fn min(&self) -> Option<f64> {
        self.min
    }

    /// Upper bound, when given.
    pub fn max(&self) -> Option<f64> {
        self.max
    }

    /// Whether the parameter varies (true unless set otherwise or tied).
    pub fn vary(&self) -> bool {
        self.tie.is_none() && self.vary.unwrap_or(true)
    }

    /// The tie expression, when tied.
    pub fn tie(&self) -> Option<&str> {
        self.tie.as_deref()
    }

    /// Checks the definition on its own; `what` names it in the message.
    pub(crate) fn validate(&self, what: &str) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(format!("{what}: {m}")));
        for (k, v) in [("value", self.value), ("min", self.min), ("max", self.max)] {
            if let Some(v) = v
                && (v.is_nan() || (k == "value" && v.is_infinite()))
            {
                return bad(format!("`{k}` = {v} is not a finite number"));
            }
        }
        if let (Some(a), Some(b)) = (self.min, self.max)
            && a >= b
        {
            return bad(format!("min {a} is not below max {b}"));
        }
        if let Some(t) = &self.tie {
            if self.value.is_some()
                || self.min.is_some()
                || self.max.is_some()
                || self.vary.is_some()
            {
                return bad(format!(
                    "tied to `{t}`: a tie takes no value, min, max or vary"
                ));
            }
            if t.trim().is_empty() {
                return bad("empty tie expression".into());
            }
        }
        if self.vary == Some(false) && self.value.is_none() {
            return bad("`vary = false` needs a `value`".into());
        }
        Ok(())
    }
}

impl Serialize for ParamSpec {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if let (Some(v), None, None, None, None) =
            (self.value, self.min, self.max, self.vary, &self.tie)
        {
            return s.serialize_f64(v);
        }
        let mut m = s.serialize_map(None)?;
        if let Some(v) = self.value {
            m.serialize_entry("value", &v)?;
        }
        if let Some(v) = self.min {
            m.serialize_entry("min", &v)?;
        }
        if let Some(v) = self.max {
            m.serialize_entry("max", &v)?;
        }
        if let Some(v) = self.vary {
            m.serialize_entry("vary", &v)?;
        }
        if let Some(t) = &self.tie {
            m.serialize_entry("tie", t)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for ParamSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParamSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a table { value, min, max, vary, tie }")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<ParamSpec, E> {
                Ok(ParamSpec::value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<ParamSpec, E> {
                Ok(ParamSpec::value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<ParamSpec, E> {
                Ok(ParamSpec::value(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<ParamSpec, E> {
                // a bare string is a tie: sigma = "Ti4+.sigma"
                Ok(ParamSpec::tied(v))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<ParamSpec, A::Error> {
                let mut p = ParamSpec::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "value" => p.value = Some(map.next_value::<Num>()?.0),
                        "min" => p.min = Some(map.next_value::<Num>()?.0),
                        "max" => p.max = Some(map.next_value::<Num>()?.0),
                        "vary" => p.vary = Some(map.next_value()?),
                        "tie" | "expr" => p.tie = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["value", "min", "max", "vary", "tie"],
                            ));
                        }
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_any(V)
    }
}

/// A number that may be written as an integer.
struct Num(f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Num, E> {
                Ok(Num(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// Which side of a peak its inelastic losses fall on, for the Shirley and
/// Tougaard backgrounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Axis {
    /// Binding energy: losses at higher x (the step rises towards high binding energy).
    #[default]
    BindingEnergy,
    /// Kinetic energy: losses at lower x.
    KineticEnergy,
}

/// The fitted background under the peaks. Parameters are named `bg.<name>`.
///
/// Polynomials are in u = x − x_mid, x_mid the middle of the fitted x range, so
/// `bg.c0` is the level at the window's centre.
///
/// * `none`: no background (the data are already background-subtracted).
/// * `constant`: `bg.c0`.
/// * `linear`: `bg.c0 + bg.c1·u`.
/// * `polynomial` (`order` = n ≤ 6): `Σ bg.ck·uᵏ`.
/// * `shirley` (active): `bg.c0 + bg.k·S(x)`, S(x) = ∫ of the *model* peaks from
///   the no-loss end of the window to x (trapezoidal on the data grid), so the
///   step follows the peaks as they change during the fit (A. Herrera-Gomez
///   et al., Surf. Interface Anal. 46 (2014) 897, "active" backgrounds);
///   `slope = ...` adds `bg.c1·u`.
/// * `tougaard` (active): `bg.c0 + bg.b·T(x)`, T(x) = ∫ K(E′ − E)·P(E′) dE′
///   over the no-loss side, K the universal (D = 0) or three-parameter
///   cross-section with constants `c` (eV², default 1643) and `d` (eV², default
///   0) (S. Tougaard, Surf. Interface Anal. 11 (1988) 453; 25 (1997) 137);
///   `bg.b` is Tougaard's B (eV²).
///
/// * `static-shirley`, `static-tougaard`, `static-linear`: computed once from
///   the data (end averages over `average_points`, default 5) and subtracted
///   as is — the CasaXPS way; no parameters ([`crate::baseline`]).
///
/// Omitted parameters start from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum BackgroundSpec {
    /// No background.
    #[default]
    None,
    /// A constant.
    Constant {
        /// Level.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        c0: Option<ParamSpec>,
    },
    /// A straight line.
    Linear {
        /// Level at the window's centre.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        c0: Option<ParamSpec>,
        /// Slope (intensity per x unit).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        c1: Option<ParamSpec>,
    },
    /// A polynomial of `order` (≤ 6).
    Polynomial {
        /// Degree.
        order: usize,
        /// Coefficients c0, c1, ... (missing ones start from the data).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        coefficients: Vec<ParamSpec>,
    },
    /// Active Shirley step plus a constant (and optional slope).
    Shirley {
        /// Level at the no-loss end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        c0: Option<ParamSpec>,
        /// Step per unit peak area (1 / x unit).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        k: Option<ParamSpec>,
        /// Optional linear slope `bg.c1`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        slope: Option<ParamSpec>,
    },
    /// Active Tougaard background plus a constant.
    Tougaard {
        /// Level at the no-loss end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        c0: Option<ParamSpec>,
        /// Tougaard's B (eV²).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<ParamSpec>,
        /// Tougaard's C (eV²).
        #[serde(default = "default_tougaard_c")]
        c: f64,
        /// Tougaard's D (eV²); 0: universal cross-section.
        #[serde(default)]
        d: f64,
    },
    /// Shirley background computed once from the data (CasaXPS's way), not fitted.
    StaticShirley {
        /// Points averaged at each end of the window.
        #[serde(default = "default_average_points")]
        average_points: usize,
    },
    /// Tougaard background computed once from the data (CasaXPS's "U 2/3
    /// Tougaard"), not fitted: B as given, or scaled to meet the loss-end
    /// intensity when omitted.
    StaticTougaard {
        /// Tougaard's B (eV²); omitted: scaled to the loss-end intensity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<f64>,
        /// Tougaard's C (eV²).
        #[serde(default = "default_tougaard_c")]
        c: f64,
        /// Tougaard's D (eV²).
        #[serde(default)]
        d: f64,
        /// Points averaged at each end of the window.
        #[serde(default = "default_average_points")]
        average_points: usize,
    },
    /// Straight line between the end averages of the data, not fitted.
    StaticLinear {
        /// Points averaged at each end of the window.
        #[serde(default = "default_average_points")]
        average_points: usize,
    },
}

fn default_average_points() -> usize {
    5
}

fn default_tougaard_c() -> f64 {
    1643.0
}

impl BackgroundSpec {
    /// The active Shirley background with starts from the data.
    pub fn shirley() -> Self {
        BackgroundSpec::Shirley {
            c0: None,
            k: None,
            slope: None,
        }
    }

    /// The active universal Tougaard background with starts from the data.
    pub fn tougaard() -> Self {
        BackgroundSpec::Tougaard {
            c0: None,
            b: None,
            c: 1643.0,
            d: 0.0,
        }
    }

    /// A straight line with starts from the data.
    pub fn linear() -> Self {
        BackgroundSpec::Linear { c0: None, c1: None }
    }

    /// A constant with its start from the data.
    pub fn constant() -> Self {
        BackgroundSpec::Constant { c0: None }
    }

    /// A polynomial of `order` with starts from the data.
    pub fn polynomial(order: usize) -> Self {
        BackgroundSpec::Polynomial {
            order,
            coefficients: Vec::new(),
        }
    }

    /// The parameter names (without the `bg.` prefix) and their definitions.
    pub(crate) fn parameters(&self) -> Result<Vec<(String, ParamSpec)>> {
        let or = |p: &Option<ParamSpec>| p.clone().unwrap_or_default();
        Ok(match self {
            BackgroundSpec::None => vec![],
            BackgroundSpec::Constant { c0 } => vec![("c0".into(), or(c0))],
            BackgroundSpec::Linear { c0, c1 } => {
                vec![("c0".into(), or(c0)), ("c1".into(), or(c1))]
            }
            BackgroundSpec::Polynomial {
                order,
                coefficients,
            } => {
                if *order > 6 {
                    return Err(Error::Invalid(format!(
                        "background: polynomial order {order} is above 6"
                    )));
                }
                if coefficients.len() > order + 1 {
                    return Err(Error::Invalid(format!(
                        "background: {} coefficients for order {order}",
                        coefficients.len()
                    )));
                }
                (0..=*order)
                    .map(|k| {
                        (
                            format!("c{k}"),
                            coefficients.get(k).cloned().unwrap_or_default(),
                        )
                    })
                    .collect()
            }
            BackgroundSpec::Shirley { c0, k, slope } => {
                let mut v = vec![("c0".into(), or(c0)), ("k".into(), or(k))];
                if let Some(s) = slope {
                    v.push(("c1".into(), s.clone()));
                }
                v
            }
            BackgroundSpec::Tougaard { c0, b, c, d } => {
                if !(c.is_finite() && *c > 0.0 && d.is_finite() && *d >= 0.0) {
                    return Err(Error::Invalid(format!(
                        "background: Tougaard needs C > 0 and D ≥ 0 (got C = {c}, D = {d})"
                    )));
                }
                vec![("c0".into(), or(c0)), ("b".into(), or(b))]
            }
            BackgroundSpec::StaticTougaard { c, d, .. } => {
                if !(c.is_finite() && *c > 0.0 && d.is_finite() && *d >= 0.0) {
                    return Err(Error::Invalid(format!(
                        "background: Tougaard needs C > 0 and D ≥ 0 (got C = {c}, D = {d})"
                    )));
                }
                vec![]
            }
            BackgroundSpec::StaticShirley { .. } | BackgroundSpec::StaticLinear { .. } => vec![],
        })
    }
}

/// The orbital of a spin–orbit doublet, giving the statistical (2j+1) area ratio
/// of the j = l − ½ to the j = l + ½ component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orbital {
    /// p: 2p1/2 : 2p3/2 = 1 : 2.
    P,
    /// d: 3d3/2 : 3d5/2 = 2 : 3.
    D,
    /// f: 4f5/2 : 4f7/2 = 3 : 4.
    F,
}

impl Orbital {
    /// The (2j+1) area ratio of the minor to the major component.
    pub fn ratio(self) -> f64 {
        match self {
            Orbital::P => 0.5,
            Orbital::D => 2.0 / 3.0,
            Orbital::F => 0.75,
        }
    }
}

/// A spin–orbit partner of a peak: a second component of the same shape at
/// `center + splitting` with `area · ratio` and widths × `width_ratio`.
///
/// Parameters `<peak>.splitting`, `<peak>.ratio` and, when given,
/// `<peak>.width_ratio` (all width parameters of the partner — fwhm, sigma,
/// gamma, ... — are the main component's times this factor, e.g. the
/// Coster–Kronig broadening of Ti 2p1/2). `orbital = "p" | "d" | "f"` fixes
/// the ratio at 1/2, 2/3 or 3/4 when `ratio` is not given. On a binding-energy
/// axis the splitting is positive (Ti 2p1/2 lies 5.7 eV above 2p3/2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoubletSpec {
    /// Partner position minus main position (x units).
    pub splitting: ParamSpec,
    /// Partner area / main area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<ParamSpec>,
    /// Partner widths / main widths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_ratio: Option<ParamSpec>,
    /// Orbital, for the (2j+1) ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orbital: Option<Orbital>,
}

impl DoubletSpec {
    /// A doublet with free splitting and ratio started at the given values.
    pub fn new(splitting: ParamSpec, ratio: ParamSpec) -> Self {
        DoubletSpec {
            splitting,
            ratio: Some(ratio),
            width_ratio: None,
            orbital: None,
        }
    }

    /// A doublet of an orbital: ratio fixed at its (2j+1) value.
    pub fn orbital(splitting: ParamSpec, orbital: Orbital) -> Self {
        DoubletSpec {
            splitting,
            ratio: None,
            width_ratio: None,
            orbital: Some(orbital),
        }
    }

    /// Adds a width ratio.
    pub fn with_width_ratio(mut self, w: ParamSpec) -> Self {
        self.width_ratio = Some(w);
        self
    }

    pub(crate) fn ratio_spec(&self, peak: &str) -> Result<ParamSpec> {
        match (&self.ratio, self.orbital) {
            (Some(r), _) => Ok(r.clone()),
            (None, Some(o)) => Ok(ParamSpec::fixed(o.ratio())),
            (None, None) => Err(Error::Invalid(format!(
                "peak `{peak}`: doublet needs `ratio` or `orbital`"
            ))),
        }
    }
}

/// One peak: a name, a line shape, its parameters and an optional doublet partner.
///
/// The parameter keys are the shape's parameter names
/// ([`ShapeKind::parameter_names`]); omitted ones start from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeakSpec {
    /// Unique name (used in parameter names `<name>.<param>`).
    pub name: String,
    /// Line shape.
    pub shape: ShapeKind,
    /// Doublet partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doublet: Option<DoubletSpec>,
    /// Shape parameters by name.
    #[serde(flatten)]
    pub params: BTreeMap<String, ParamSpec>,
}

impl PeakSpec {
    /// A peak of `shape` with every parameter started from the data.
    pub fn new(name: impl Into<String>, shape: ShapeKind) -> Self {
        PeakSpec {
            name: name.into(),
            shape,
            doublet: None,
            params: BTreeMap::new(),
        }
    }

    /// Sets one shape parameter.
    pub fn param(mut self, name: &str, spec: ParamSpec) -> Self {
        self.params.insert(name.to_string(), spec);
        self
    }

    /// Adds a doublet partner.
    pub fn with_doublet(mut self, d: DoubletSpec) -> Self {
        self.doublet = Some(d);
        self
    }
}

/// A whole model: axis, background and peaks — the schema of model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Energy axis (for the direction of Shirley/Tougaard steps); from the
    /// spectrum's metadata when omitted, binding energy when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub axis: Option<Axis>,
    /// Background.
    #[serde(default)]
    pub background: BackgroundSpec,
    /// Peaks, in order.
    #[serde(default)]
    pub peaks: Vec<PeakSpec>,
}

impl ModelSpec {
    /// Parses a TOML model file's text. `source_name` labels errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self> {
        let spec: ModelSpec = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(0);
            Error::Parse {
                source_name: source_name.to_string(),
                line,
                message: e.message().to_string(),
            }
        })?;
        spec.check_names()?;
        Ok(spec)
    }

    /// Parses a JSON model (the same schema as TOML). `source_name` labels errors.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let spec: ModelSpec = serde_json::from_str(text).map_err(|e| Error::Parse {
            source_name: source_name.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        spec.check_names()?;
        Ok(spec)
    }

    /// Reads a model file: `.json` as JSON, anything else as TOML.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| Error::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        if meta.len() > 16 << 20 {
            return Err(Error::Io {
                path: shown,
                message: format!("{} bytes: a model file is limited to 16 MiB", meta.len()),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::from_json(&text, &shown)
        } else {
            Self::from_toml(&text, &shown)
        }
    }

    /// The model as TOML text.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Invalid(format!("model to TOML: {e}")))
    }

    /// Checks names, keys and parameter definitions (everything that does not
    /// need data): unique non-empty peak names, known parameter keys for each
    /// shape, well-formed parameter definitions.
    pub fn check_names(&self) -> Result<()> {
        for (name, p) in self.background.parameters()? {
            p.validate(&format!("background parameter `bg.{name}`"))?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, peak) in self.peaks.iter().enumerate() {
            let label = format!("peak {} (`{}`)", i + 1, peak.name);
            if peak.name.trim().is_empty() {
                return Err(Error::Invalid(format!("peak {}: empty name", i + 1)));
            }
            if peak.name == "bg" || peak.name.contains(char::is_whitespace) {
                return Err(Error::Invalid(format!(
                    "{label}: a peak name may not be `bg` or contain spaces"
                )));
            }
            if !seen.insert(peak.name.clone()) {
                return Err(Error::Invalid(format!("{label}: duplicate peak name")));
            }
            let names = peak.shape.parameter_names();
            for (k, p) in &peak.params {
                if !names.contains(&k.as_str()) {
                    return Err(Error::Invalid(format!(
                        "{label}: unknown key `{k}` ({} parameters: {}; other keys: name, shape, doublet)",
                        peak.shape,
                        names.join(", ")
                    )));
                }
                p.validate(&format!("{label} parameter `{k}`"))?;
            }
            if let Some(d) = &peak.doublet {
                d.splitting
                    .validate(&format!("{label} doublet splitting"))?;
                d.ratio_spec(&peak.name)?
                    .validate(&format!("{label} doublet ratio"))?;
                if let Some(w) = &d.width_ratio {
                    w.validate(&format!("{label} doublet width_ratio"))?;
                }
            }
        }
        Ok(())
    }
}
