//! `interphase materials ...`: formulas, densities, Archimedes, LLTO.
//!
//! Every subcommand prints named quantities (`--format table|json|csv`); JSON is
//! `{"quantities":[{"name", "value", "uncertainty", "unit"}]}`. Names:
//! * `formula`: `formula`, `molar_mass` (g/mol, ± IUPAC 2021 abridged), `atoms`,
//!   `amount.<El>`, `mass_fraction.<El>`, `atomic_fraction.<El>`, `reduced_formula`,
//!   `oxidation_states` (first guess, e.g. `Ti+4 O-2`, when one is found);
//! * `density`: `molar_mass`, `cell_volume` (Å³), `theoretical_density` (g/cm³);
//! * `archimedes`: `liquid_density`, `bulk_density`, `apparent_density`,
//!   `open_porosity`, `absorption`, and with `--theoretical`: `relative_density`,
//!   `total_porosity`, `closed_porosity`;
//! * `relative-density`: `relative_density` (fraction), `relative_density_percent`;
//! * `llto`: `formula`, `x`, `li`, `la`, `vacancies`, `in_reported_range`,
//!   `molar_mass`, with `--ti3-fraction`: `li_insertion_y`, `oxygen_loss_delta`,
//!   `reduced_formula_li`, and with `--a`: `theoretical_density`,
//!   `li_concentration` (cm⁻³), `vacancy_concentration` (cm⁻³).

use clap::{Subcommand, ValueEnum};
use interphase::materials::density::{
    Archimedes, Lattice, Liquid, relative_density, theoretical_density,
};
use interphase::materials::llto::Llto;
use interphase::materials::{Error, Formula};

use crate::Failure;
use crate::output::Quantity;

/// Lattice systems for `--cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cell {
    /// a
    Cubic,
    /// a, c
    Tetragonal,
    /// a, b, c
    Orthorhombic,
    /// a, c (γ = 120°)
    Hexagonal,
    /// a, alpha (rhombohedral setting)
    Trigonal,
    /// a, b, c, beta
    Monoclinic,
    /// a, b, c, alpha, beta, gamma
    Triclinic,
}

#[derive(Subcommand)]
pub enum MaterialsCmd {
    /// Molar mass (± uncertainty), composition and oxidation states of a formula.
    Formula {
        /// A chemical formula, e.g. Li0.33La0.56TiO3 or CuSO4·5H2O.
        formula: String,
    },
    /// Theoretical (X-ray) density ρ = Z·M/(N_A·V) from a formula and a unit cell.
    Density {
        /// Chemical formula of one formula unit.
        #[arg(long)]
        formula: String,
        /// Lattice system.
        #[arg(long, value_enum)]
        cell: Cell,
        /// a (Å).
        #[arg(long)]
        a: f64,
        /// b (Å), where the system has one.
        #[arg(long)]
        b: Option<f64>,
        /// c (Å), where the system has one.
        #[arg(long)]
        c: Option<f64>,
        /// α (degrees).
        #[arg(long)]
        alpha: Option<f64>,
        /// β (degrees).
        #[arg(long)]
        beta: Option<f64>,
        /// γ (degrees).
        #[arg(long)]
        gamma: Option<f64>,
        /// Formula units per cell.
        #[arg(long)]
        z: f64,
    },
    /// Bulk density and porosities from Archimedes weighings (grams).
    Archimedes {
        /// Dry mass (g).
        #[arg(long)]
        dry: f64,
        /// Mass suspended in the liquid (g).
        #[arg(long)]
        suspended: f64,
        /// Saturated mass in air (g).
        #[arg(long)]
        saturated: f64,
        /// Liquid: water, ethanol or toluene.
        #[arg(long, default_value = "water")]
        liquid: String,
        /// Liquid density (g/cm³), overriding --liquid.
        #[arg(long)]
        liquid_density: Option<f64>,
        /// Temperature (°C) for the liquid density.
        #[arg(long, default_value_t = 20.0)]
        temperature_c: f64,
        /// Standard uncertainty of one weighing (g).
        #[arg(long, default_value_t = 1e-4)]
        balance_uncertainty: f64,
        /// Theoretical density (g/cm³) for relative density and porosities.
        #[arg(long)]
        theoretical: Option<f64>,
    },
    /// Relative density measured / theoretical.
    RelativeDensity {
        /// Measured density (g/cm³).
        #[arg(long)]
        measured: f64,
        /// Theoretical density (g/cm³).
        #[arg(long)]
        theoretical: f64,
        /// Uncertainty of the measured density.
        #[arg(long, default_value_t = 0.0)]
        u_measured: f64,
        /// Uncertainty of the theoretical density.
        #[arg(long, default_value_t = 0.0)]
        u_theoretical: f64,
    },
    /// LLTO Li3xLa2/3-xTiO3: composition, and Li insertion / O loss from a Ti3+ fraction.
    Llto {
        /// x in Li3xLa2/3-xTiO3 (0 ≤ x ≤ 1/6).
        #[arg(long)]
        x: f64,
        /// Measured Ti3+/(Ti3+ + Ti4+), e.g. from an XPS Ti 2p fit.
        #[arg(long)]
        ti3_fraction: Option<f64>,
        /// Its standard uncertainty.
        #[arg(long, default_value_t = 0.0)]
        ti3_uncertainty: f64,
        /// Pseudo-cubic cell parameter a (Å) for densities and concentrations (Z = 1).
        #[arg(long)]
        a: Option<f64>,
    },
}

fn input(e: Error) -> Failure {
    Failure::input(e.to_string())
}

fn need(v: Option<f64>, name: &str, cell: Cell) -> Result<f64, Failure> {
    v.ok_or_else(|| Failure::input(format!("--cell {cell:?} needs --{name}").to_lowercase()))
}

pub fn run(cmd: &MaterialsCmd) -> Result<Vec<Quantity>, Failure> {
    let mut q = Vec::new();
    match cmd {
        MaterialsCmd::Formula { formula } => {
            let f: Formula = formula
                .parse()
                .map_err(|e| Failure::input(format!("formula `{formula}`: {e}")))?;
            q.push(Quantity::text("formula", f.to_string()));
            q.push(Quantity::num(
                "molar_mass",
                f.molar_mass(),
                Some(f.molar_mass_uncertainty()),
                "g/mol",
            ));
            q.push(Quantity::num("atoms", f.atoms(), None, "1"));
            let (r, k) = f.reduced();
            q.push(Quantity::text("reduced_formula", format!("{r} (× {k})")));
            for (&(e, n), (&(_, mf), &(_, af))) in f
                .amounts()
                .iter()
                .zip(f.mass_fractions().iter().zip(f.atomic_fractions().iter()))
            {
                q.push(Quantity::num(format!("amount.{e}"), n, None, "1"));
                q.push(Quantity::num(format!("mass_fraction.{e}"), mf, None, "1"));
                q.push(Quantity::num(format!("atomic_fraction.{e}"), af, None, "1"));
            }
            if let Some(g) = f.guess_oxidation_states().first() {
                let s: Vec<String> = g.iter().map(|(e, s)| format!("{e}{s:+}")).collect();
                q.push(Quantity::text("oxidation_states", s.join(" ")));
            }
        }
        MaterialsCmd::Density {
            formula,
            cell,
            a,
            b,
            c,
            alpha,
            beta,
            gamma,
            z,
        } => {
            let f: Formula = formula
                .parse()
                .map_err(|e| Failure::input(format!("formula `{formula}`: {e}")))?;
            let a = *a;
            let lattice = match cell {
                Cell::Cubic => Lattice::Cubic { a },
                Cell::Tetragonal => Lattice::Tetragonal {
                    a,
                    c: need(*c, "c", *cell)?,
                },
                Cell::Orthorhombic => Lattice::Orthorhombic {
                    a,
                    b: need(*b, "b", *cell)?,
                    c: need(*c, "c", *cell)?,
                },
                Cell::Hexagonal => Lattice::Hexagonal {
                    a,
                    c: need(*c, "c", *cell)?,
                },
                Cell::Trigonal => Lattice::Trigonal {
                    a,
                    alpha: need(*alpha, "alpha", *cell)?,
                },
                Cell::Monoclinic => Lattice::Monoclinic {
                    a,
                    b: need(*b, "b", *cell)?,
                    c: need(*c, "c", *cell)?,
                    beta: need(*beta, "beta", *cell)?,
                },
                Cell::Triclinic => Lattice::Triclinic {
                    a,
                    b: need(*b, "b", *cell)?,
                    c: need(*c, "c", *cell)?,
                    alpha: need(*alpha, "alpha", *cell)?,
                    beta: need(*beta, "beta", *cell)?,
                    gamma: need(*gamma, "gamma", *cell)?,
                },
            };
            let v = lattice.volume().map_err(input)?;
            let rho = theoretical_density(&f, &lattice, *z).map_err(input)?;
            q.push(Quantity::text("formula", f.to_string()));
            q.push(Quantity::num(
                "molar_mass",
                f.molar_mass(),
                Some(f.molar_mass_uncertainty()),
                "g/mol",
            ));
            q.push(Quantity::num("cell_volume", v, None, "angstrom^3"));
            q.push(Quantity::num(
                "theoretical_density",
                rho,
                Some(rho * f.molar_mass_uncertainty() / f.molar_mass()),
                "g/cm3",
            ));
        }
        MaterialsCmd::Archimedes {
            dry,
            suspended,
            saturated,
            liquid,
            liquid_density,
            temperature_c,
            balance_uncertainty,
            theoretical,
        } => {
            let rho_l = match liquid_density {
                Some(d) => *d,
                None => Liquid::from_name(liquid)
                    .and_then(|l| l.density_g_cm3(*temperature_c))
                    .map_err(input)?,
            };
            let a = Archimedes {
                dry_g: *dry,
                suspended_g: *suspended,
                saturated_g: *saturated,
                liquid_density_g_cm3: rho_l,
                balance_uncertainty_g: *balance_uncertainty,
                liquid_density_uncertainty_g_cm3: 0.0,
            };
            let r = a.evaluate().map_err(input)?;
            q.push(Quantity::num("liquid_density", rho_l, None, "g/cm3"));
            q.push(Quantity::num(
                "bulk_density",
                r.bulk_density_g_cm3.value,
                Some(r.bulk_density_g_cm3.uncertainty),
                "g/cm3",
            ));
            q.push(Quantity::num(
                "apparent_density",
                r.apparent_density_g_cm3.value,
                Some(r.apparent_density_g_cm3.uncertainty),
                "g/cm3",
            ));
            q.push(Quantity::num(
                "open_porosity",
                r.open_porosity.value,
                Some(r.open_porosity.uncertainty),
                "1",
            ));
            q.push(Quantity::num("absorption", r.absorption, None, "1"));
            if let Some(t) = theoretical {
                let p = r.porosity(*t).map_err(input)?;
                q.push(Quantity::num(
                    "relative_density",
                    p.relative_density,
                    None,
                    "1",
                ));
                q.push(Quantity::num("total_porosity", p.total, None, "1"));
                q.push(Quantity::num("closed_porosity", p.closed, None, "1"));
            }
        }
        MaterialsCmd::RelativeDensity {
            measured,
            theoretical,
            u_measured,
            u_theoretical,
        } => {
            let r = relative_density(*measured, *u_measured, *theoretical, *u_theoretical)
                .map_err(input)?;
            q.push(Quantity::num(
                "relative_density",
                r.value,
                Some(r.uncertainty),
                "1",
            ));
            q.push(Quantity::num(
                "relative_density_percent",
                100.0 * r.value,
                Some(100.0 * r.uncertainty),
                "%",
            ));
        }
        MaterialsCmd::Llto {
            x,
            ti3_fraction,
            ti3_uncertainty,
            a,
        } => {
            let l = Llto::from_x(*x).map_err(input)?;
            q.push(Quantity::text("formula", l.formula().to_string()));
            q.push(Quantity::num("x", l.x(), None, "1"));
            q.push(Quantity::num("li", l.lithium(), None, "1"));
            q.push(Quantity::num("la", l.lanthanum(), None, "1"));
            q.push(Quantity::num("vacancies", l.vacancies(), None, "1"));
            q.push(Quantity::text(
                "in_reported_range",
                l.in_reported_range().to_string(),
            ));
            let f = l.formula();
            q.push(Quantity::num(
                "molar_mass",
                f.molar_mass(),
                Some(f.molar_mass_uncertainty()),
                "g/mol",
            ));
            let mut reduced = None;
            if let Some(fr) = ti3_fraction {
                let y = l
                    .li_insertion_from_ti3_fraction(*fr, *ti3_uncertainty)
                    .map_err(input)?;
                let d = l
                    .oxygen_loss_from_ti3_fraction(*fr, *ti3_uncertainty)
                    .map_err(input)?;
                q.push(Quantity::num(
                    "li_insertion_y",
                    y.value,
                    Some(y.uncertainty),
                    "1",
                ));
                q.push(Quantity::num(
                    "oxygen_loss_delta",
                    d.value,
                    Some(d.uncertainty),
                    "1",
                ));
                let r = l.with_li_insertion(y.value).map_err(input)?;
                q.push(Quantity::text(
                    "reduced_formula_li",
                    r.formula().to_string(),
                ));
                reduced = Some(r);
            }
            if let Some(a) = a {
                let cell = Lattice::cubic(*a).map_err(input)?;
                q.push(Quantity::num(
                    "theoretical_density",
                    l.theoretical_density(&cell, 1.0).map_err(input)?,
                    None,
                    "g/cm3",
                ));
                if let Some(r) = reduced {
                    q.push(Quantity::num(
                        "theoretical_density_reduced_li",
                        r.theoretical_density(&cell, 1.0).map_err(input)?,
                        None,
                        "g/cm3",
                    ));
                }
                q.push(Quantity::num(
                    "li_concentration",
                    l.li_concentration_cm3(&cell, 1.0).map_err(input)?,
                    None,
                    "1/cm3",
                ));
                q.push(Quantity::num(
                    "vacancy_concentration",
                    l.vacancy_concentration_cm3(&cell, 1.0).map_err(input)?,
                    None,
                    "1/cm3",
                ));
            }
        }
    }
    Ok(q)
}
