//! A rows × columns table of values with uncertainties — ΔE by depth ×
//! temperature (Table S1 of the LLTO interface study), Ti³⁺ fractions by
//! depth × condition — with a text table for terminals, HTML for reports and
//! inline display in evcxr.
//!
//! ```
//! use interphase_spectra::{model::Estimate, table::Table};
//! let mut t = Table::new("ΔE (eV)", &["14 nm", "1 nm"], &["pristine", "150 °C"]);
//! t.set("1 nm", "150 °C", Estimate { value: 7.22, stderr: Some(0.03) })?;
//! assert!(t.to_string().contains("7.220 ± 0.030")); // rounded to σ (two digits)
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Estimate;

/// A rows × columns table of estimates (e.g. ΔE by depth × temperature, the
/// shape of the study's Table S1); cells may be empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Title (shown above the table).
    pub title: String,
    /// Row labels (e.g. "14 nm").
    pub rows: Vec<String>,
    /// Column labels (e.g. "pristine").
    pub columns: Vec<String>,
    /// cells[row][column].
    pub cells: Vec<Vec<Option<Estimate>>>,
}

impl Table {
    /// An empty table.
    pub fn new(title: &str, rows: &[&str], columns: &[&str]) -> Table {
        Table {
            title: title.into(),
            rows: rows.iter().map(|s| s.to_string()).collect(),
            columns: columns.iter().map(|s| s.to_string()).collect(),
            cells: vec![vec![None; columns.len()]; rows.len()],
        }
    }

    /// Sets the cell at (`row`, `column`) by label.
    pub fn set(&mut self, row: &str, column: &str, value: Estimate) -> Result<()> {
        let r =
            self.rows.iter().position(|s| s == row).ok_or_else(|| {
                Error::Invalid(format!("table `{}` has no row `{row}`", self.title))
            })?;
        let c = self
            .columns
            .iter()
            .position(|s| s == column)
            .ok_or_else(|| {
                Error::Invalid(format!("table `{}` has no column `{column}`", self.title))
            })?;
        self.cells[r][c] = Some(value);
        Ok(())
    }

    /// The cell at (`row`, `column`) by label.
    pub fn get(&self, row: &str, column: &str) -> Option<Estimate> {
        let r = self.rows.iter().position(|s| s == row)?;
        let c = self.columns.iter().position(|s| s == column)?;
        self.cells[r][c]
    }

    /// The table as HTML (for reports and evcxr).
    pub fn html(&self) -> String {
        let esc = interphase_fit::escape_html;
        let mut o = format!(
            "<table>\n<caption>{}</caption>\n<tr><th></th>",
            esc(&self.title)
        );
        for c in &self.columns {
            o.push_str(&format!("<th>{}</th>", esc(c)));
        }
        o.push_str("</tr>\n");
        for (r, row) in self.rows.iter().zip(&self.cells) {
            o.push_str(&format!("<tr><th>{}</th>", esc(r)));
            for c in row {
                match c {
                    Some(e) => o.push_str(&format!("<td>{}</td>", esc(&e.to_string()))),
                    None => o.push_str("<td>—</td>"),
                }
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</table>\n");
        o
    }

    /// Shows the table inline in an evcxr notebook (HTML).
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            interphase_fit::evcxr_blocks(&self.to_string(), "text/html", &self.html())
        );
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{}`: each cell rounded to its uncertainty; `{:.N}`: N decimals
        let p = f.precision();
        let cell = |c: &Option<Estimate>| match (c, p) {
            (Some(e), Some(p)) => format!("{e:.p$}"),
            (Some(e), None) => e.to_string(),
            (None, _) => "—".into(),
        };
        let w0 = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        let mut w: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.cells {
            for (k, c) in row.iter().enumerate() {
                w[k] = w[k].max(cell(c).chars().count());
            }
        }
        writeln!(f, "{}", self.title)?;
        write!(f, "{:w0$}", "")?;
        for (c, wk) in self.columns.iter().zip(&w) {
            write!(f, "  {c:>wk$}")?;
        }
        writeln!(f)?;
        for (r, row) in self.rows.iter().zip(&self.cells) {
            write!(f, "{r:<w0$}")?;
            for (c, wk) in row.iter().zip(&w) {
                write!(f, "  {:>wk$}", cell(c))?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_display_and_errors() {
        let mut t = Table::new("ΔE (eV)", &["14 nm", "1 nm"], &["pristine", "150 °C"]);
        t.set(
            "14 nm",
            "pristine",
            Estimate {
                value: 11.05,
                stderr: Some(0.02),
            },
        )
        .unwrap();
        assert!(
            t.set(
                "2 nm",
                "pristine",
                Estimate {
                    value: 1.0,
                    stderr: None
                }
            )
            .is_err()
        );
        // each cell rounded to its uncertainty (σ to two significant digits)
        let s = t.to_string();
        assert!(s.contains("11.050 ± 0.020"), "{s}");
        assert!(s.contains('—'));
        assert!(t.html().contains("<td>11.050 ± 0.020</td>"));
        // `{:.N}`: N decimals
        assert!(format!("{t:.2}").contains("11.05 ± 0.02"));
        assert!((t.get("14 nm", "pristine").unwrap().value - 11.05).abs() < 1e-15);
    }
}
