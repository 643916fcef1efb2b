//! PalmSens PSTrace sessions (`.pssession`): JSON in UTF-16 (a byte-order
//! mark, sometimes a second one after the closing brace). Every EIS
//! measurement is read as impedance spectra; every other measurement (CV,
//! SWV, chronoamperometry, ...) as a [`Table`] of its data arrays.
//!
//! Layout (keys in any letter case: PSTrace 5.7 writes them in lower case,
//! 5.9 in camel case): `{"Type": "PalmSens.DataFiles.SessionFile",
//! "CoreVersion", "Measurements": [...]}`; a measurement has `Title`,
//! `TimeStamp`, `DeviceUsed`, `DeviceSerial`, `Method` (the method file as
//! text: `METHOD_ID=eis`, ...) and `DataSet` with `Type` (`...DataSetEIS`)
//! and `Values`: data arrays, each with `Description`, `Unit` (`Type` such
//! as `PalmSens.Units.Hertz`, `S` symbol, `Q` quantity) and `DataValues`
//! (`[{"V": value, ...}]`).
//!
//! Impedance: the arrays of unit `Hertz`, `ZRe` and `ZIm`, the sign of the
//! imaginary part from its quantity (`-Z''`: the array holds −Im Z, flipped
//! here; `Z''`: Im Z), checked point by point against the `Z` and `Phase`
//! arrays when present (`-Phase`); arrays of other lengths (currents and
//! potentials per measured point) are named in the metadata. Sweeps are split
//! where the frequency turns back; frequency-0 points are skipped with a
//! warning.
//!
//! ```
//! let json = r#"{"Type":"PalmSens.DataFiles.SessionFile","Measurements":[{"Title":"cell",
//!   "Method":"METHOD_ID=eis\r\n","DataSet":{"Type":"PalmSens.Data.DataSetEIS","Values":[
//!   {"Description":"Frequency","Unit":{"Type":"PalmSens.Units.Hertz","S":"Hz","Q":"Frequency"},"DataValues":[{"V":1000.0},{"V":10.0}]},
//!   {"Description":"ZRe","Unit":{"Type":"PalmSens.Units.ZRe","S":"Ω","Q":"Z'"},"DataValues":[{"V":10.5},{"V":40.0}]},
//!   {"Description":"ZIm","Unit":{"Type":"PalmSens.Units.ZIm","S":"Ω","Q":"-Z''"},"DataValues":[{"V":2.0},{"V":15.0}]}]}}]}"#;
//! let s = interphase_io::palmsens::read_pssession(json, "cell.pssession")?;
//! assert_eq!(s.impedance[0].spectrum.z()[1].im, -15.0); // −Z'' flipped
//! assert_eq!(s.impedance[0].technique.as_deref(), Some("eis"));
//! # Ok::<(), interphase_io::Error>(())
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Table;
use crate::error::{Error, Result};
use crate::impedance::{ImpedanceRecord, Splitter, check_polar, records};

/// What a session holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The impedance spectra of its EIS measurements, in file order.
    pub impedance: Vec<ImpedanceRecord>,
    /// Its other measurements, one table each.
    pub tables: Vec<Table>,
    /// Things the reader did that a user should know.
    pub warnings: Vec<String>,
}

fn err(source: &str, message: String) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line: 0,
        message,
    }
}

/// `v[key]` with the key in any letter case.
fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn string<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    get(v, key).and_then(Value::as_str)
}

/// One data array: description, unit type (without `PalmSens.Units.`),
/// unit symbol, quantity, values.
struct Array {
    description: String,
    unit: String,
    symbol: String,
    quantity: String,
    values: Vec<f64>,
}

impl Array {
    /// A column name: `description/unit`, the unit from its type where it
    /// carries a prefix (`MicroAmpere` → `µA`).
    fn column_name(&self) -> String {
        let unit = match self.unit.as_str() {
            "PicoAmpere" => "pA",
            "NanoAmpere" => "nA",
            "MicroAmpere" => "µA",
            "MilliAmpere" => "mA",
            "Ampere" => "A",
            "MilliVolt" => "mV",
            "Volt" => "V",
            "Time" => "s",
            "Hertz" => "Hz",
            _ => self.symbol.as_str(),
        };
        if unit.is_empty() {
            self.description.clone()
        } else {
            format!("{}/{unit}", self.description)
        }
    }
}

fn arrays(m: &Value, at: &str, source: &str) -> Result<Vec<Array>> {
    let Some(values) = get(m, "DataSet")
        .and_then(|d| get(d, "Values"))
        .and_then(Value::as_array)
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(values.len());
    for (i, a) in values.iter().enumerate() {
        let unit = get(a, "Unit");
        let description = string(a, "Description").unwrap_or("").to_string();
        let Some(points) = get(a, "DataValues").and_then(Value::as_array) else {
            return Err(err(
                source,
                format!(
                    "{at}, data array {} ({description:?}): no DataValues",
                    i + 1
                ),
            ));
        };
        let mut values = Vec::with_capacity(points.len());
        for (k, p) in points.iter().enumerate() {
            let v = get(p, "V").and_then(Value::as_f64).ok_or_else(|| {
                err(
                    source,
                    format!(
                        "{at}, data array {description:?}, point {}: no number \"V\"",
                        k + 1
                    ),
                )
            })?;
            values.push(v);
        }
        out.push(Array {
            unit: unit
                .and_then(|u| string(u, "Type"))
                .unwrap_or("")
                .trim_start_matches("PalmSens.Units.")
                .to_string(),
            symbol: unit.and_then(|u| string(u, "S")).unwrap_or("").to_string(),
            quantity: unit.and_then(|u| string(u, "Q")).unwrap_or("").to_string(),
            description,
            values,
        });
    }
    Ok(out)
}

/// Reads a session from its text (already decoded from UTF-16: see
/// [`crate::text::decode`]); `source` names the file in messages.
pub fn read_pssession(text: &str, source: &str) -> Result<Session> {
    let (Some(i), Some(j)) = (text.find('{'), text.rfind('}')) else {
        return Err(err(source, "no JSON object: not a PalmSens session".into()));
    };
    if j < i {
        return Err(err(source, "no JSON object: not a PalmSens session".into()));
    }
    let root: Value = serde_json::from_str(&text[i..=j]).map_err(|e| {
        err(
            source,
            format!(
                "not a readable PalmSens session: JSON error at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Some(measurements) = get(&root, "Measurements").and_then(Value::as_array) else {
        return Err(err(
            source,
            "no \"Measurements\" list: not a PalmSens session".into(),
        ));
    };
    let mut session = Session {
        impedance: Vec::new(),
        tables: Vec::new(),
        warnings: Vec::new(),
    };
    let mut file_meta = BTreeMap::new();
    for key in ["Type", "CoreVersion"] {
        if let Some(v) = string(&root, key) {
            file_meta.insert(key.to_string(), v.to_string());
        }
    }
    for (mi, m) in measurements.iter().enumerate() {
        let title = string(m, "Title").unwrap_or("").to_string();
        let at = format!("measurement {} ({title:?})", mi + 1);
        let method = string(m, "Method").unwrap_or("");
        let technique = method.lines().find_map(|l| {
            l.trim()
                .strip_prefix("METHOD_ID=")
                .map(|t| t.trim().to_string())
        });
        let dataset_type = get(m, "DataSet")
            .and_then(|d| string(d, "Type"))
            .unwrap_or("")
            .to_string();
        let mut meta = file_meta.clone();
        meta.insert("title".into(), title.clone());
        for key in ["TimeStamp", "DeviceUsed", "DeviceSerial", "DeviceFW"] {
            if let Some(v) = get(m, key).filter(|v| !v.is_null()) {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                meta.insert(key.to_string(), v);
            }
        }
        if !dataset_type.is_empty() {
            meta.insert("DataSet".into(), dataset_type.clone());
        }
        let arrays = arrays(m, &at, source)?;
        let eis = dataset_type.contains("EIS") || technique.as_deref() == Some("eis");
        if eis {
            let before = session.impedance.len();
            read_eis(
                &arrays,
                &at,
                &title,
                technique.as_deref(),
                meta,
                source,
                &mut session,
            )?;
            for (k, r) in session.impedance[before..].iter_mut().enumerate() {
                r.index = before + k;
            }
        } else if let Some(first) = arrays.first() {
            let n = first.values.len();
            let (used, other): (Vec<&Array>, Vec<&Array>) =
                arrays.iter().partition(|a| a.values.len() == n);
            if !other.is_empty() {
                meta.insert(
                    "arrays not read (other lengths)".into(),
                    other
                        .iter()
                        .map(|a| a.description.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            session.tables.push(Table {
                name: if title.is_empty() {
                    crate::text::stem(source)
                } else {
                    title
                },
                technique,
                columns: used
                    .iter()
                    .map(|a| (a.column_name(), a.values.clone()))
                    .collect(),
                metadata: meta,
            });
        }
    }
    if session.impedance.is_empty() && session.tables.is_empty() {
        return Err(err(source, "the session holds no measured data".into()));
    }
    Ok(session)
}

/// The one array whose unit type is `unit`, if any; several is an error.
fn one<'a>(arrays: &'a [Array], unit: &str, at: &str, source: &str) -> Result<Option<&'a Array>> {
    let mut it = arrays.iter().filter(|a| a.unit == unit);
    let first = it.next();
    if it.next().is_some() {
        return Err(err(
            source,
            format!("{at}: several data arrays of unit {unit}; cannot tell which is the impedance"),
        ));
    }
    Ok(first)
}

fn read_eis(
    arrays: &[Array],
    at: &str,
    title: &str,
    technique: Option<&str>,
    mut meta: BTreeMap<String, String>,
    source: &str,
    session: &mut Session,
) -> Result<()> {
    let found = || {
        arrays
            .iter()
            .map(|a| format!("{} ({})", a.description, a.unit))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (Some(f), Some(re), Some(im)) = (
        one(arrays, "Hertz", at, source)?,
        one(arrays, "ZRe", at, source)?,
        one(arrays, "ZIm", at, source)?,
    ) else {
        return Err(err(
            source,
            format!(
                "{at}: an EIS measurement without the Hertz, ZRe and ZIm arrays; arrays found: {}",
                found()
            ),
        ));
    };
    let flip = match im.quantity.replace('"', "''").as_str() {
        "-Z''" => -1.0,
        "Z''" => 1.0,
        q => {
            return Err(err(
                source,
                format!(
                    "{at}: the ZIm array's quantity is {q:?}, neither \"-Z''\" nor \"Z''\": the sign of Im Z is not known"
                ),
            ));
        }
    };
    let n = f.values.len();
    if re.values.len() != n || im.values.len() != n {
        return Err(err(
            source,
            format!(
                "{at}: {} frequencies, {} ZRe and {} ZIm values",
                n,
                re.values.len(),
                im.values.len()
            ),
        ));
    }
    let modulus = one(arrays, "Z", at, source)?.filter(|a| a.values.len() == n);
    let phase = one(arrays, "Phase", at, source)?.filter(|a| a.values.len() == n);
    let phase_sign = phase.map(|p| {
        if p.quantity.starts_with('-') {
            -1.0
        } else {
            1.0
        }
    });
    let mut split = Splitter::default();
    let mut zero = 0usize;
    for k in 0..n {
        let (fk, rk, ik) = (f.values[k], re.values[k], flip * im.values[k]);
        if fk == 0.0 {
            zero += 1;
            continue;
        }
        if let (Some(m), Some(p), Some(s)) = (modulus, phase, phase_sign) {
            check_polar(rk, ik, m.values[k], s * p.values[k])
                .map_err(|e| err(source, format!("{at}, point {}: {e}", k + 1)))?;
        }
        split.push(0, fk, rk, ik, None);
    }
    if zero > 0 {
        session.warnings.push(format!(
            "{at}: {zero} points with frequency 0 (not impedance data) were skipped"
        ));
    }
    if split.sweeps.is_empty() {
        return Err(err(source, format!("{at}: no impedance points")));
    }
    let other: Vec<&str> = arrays
        .iter()
        .filter(|a| a.values.len() != n)
        .map(|a| a.description.as_str())
        .collect();
    if !other.is_empty() {
        meta.insert("arrays not read (other lengths)".into(), other.join(", "));
    }
    meta.insert(
        "columns".into(),
        format!(
            "{} (Hz), {} (Ω), {} ({}, Ω)",
            f.description, re.description, im.description, im.quantity
        ),
    );
    let mut recs = records(source, split.sweeps, technique, &meta)?;
    let many = recs.len() > 1;
    for (k, r) in recs.iter_mut().enumerate() {
        if !title.is_empty() {
            r.spectrum.name = if many {
                format!("{title} #{}", k + 1)
            } else {
                title.to_string()
            };
        }
    }
    session.impedance.extend(recs);
    Ok(())
}
