//! All 27 NIST StRD nonlinear regression problems from both starting points.
//!
//! Certified values: NIST Statistical Reference Datasets, nonlinear regression
//! (public domain), copied unchanged into tests/data/nist (see its README.md).
//! The accuracy measure is the log relative error (LRE): the number of
//! significant digits that agree with the certified value. Goals of the issue:
//! parameters ≥ 6 digits, standard deviations ≥ 4 digits, on all 54 runs.
//! What is asserted is what is reached (docs/validation.md tables every run),
//! with one documented exception: Lanczos1, whose certified residual sum of
//! squares (1.4·10⁻²⁵) lies below the round-off of its data in f64, so its
//! certified standard deviations (proportional to √RSS) cannot be reproduced in
//! double precision; its parameters are still asserted to ≥ 10 digits.

use std::path::PathBuf;

use interphase_fit::{Derivatives, LmOptions, fit, nist};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/nist")
}

fn all() -> Vec<nist::Dataset> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir())
        .expect("tests/data/nist is part of the repository")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    files.sort();
    let sets: Vec<_> = files
        .iter()
        .map(|p| nist::Dataset::from_file(p).unwrap())
        .collect();
    assert_eq!(sets.len(), 27, "the suite has 27 problems");
    sets
}

struct Lre {
    params: f64,
    stderr: f64,
    rss: f64,
    converged: bool,
}

fn run(d: &nist::Dataset, start: u8, options: &LmOptions) -> Lre {
    let problem = d.problem();
    let r = fit(&problem, &d.start(start).unwrap(), options).unwrap();
    let params = r
        .params
        .iter()
        .zip(&d.params)
        .map(|(p, c)| nist::lre(p.value, c.value))
        .fold(99.0, f64::min);
    let stderr = r
        .params
        .iter()
        .zip(&d.params)
        .map(|(p, c)| p.stderr.map_or(0.0, |s| nist::lre(s, c.std_dev)))
        .fold(99.0, f64::min);
    Lre {
        params,
        stderr,
        rss: nist::lre(r.chi_square, d.residual_sum_of_squares),
        converged: r.converged,
    }
}

#[test]
fn all_54_runs_reach_the_certified_values() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for d in all() {
        for start in [1u8, 2] {
            let l = run(&d, start, &LmOptions::precise());
            report.push(format!(
                "{:<9} start {start}: params {:5.1} stderr {:5.1} rss {:5.1}",
                d.name, l.params, l.stderr, l.rss
            ));
            let (min_stderr, min_rss) = if d.name == "Lanczos1" {
                (2.5, 2.5)
            } else {
                (4.0, 6.0)
            };
            let min_params = if d.name == "Lanczos1" { 10.0 } else { 6.0 };
            if !l.converged || l.params < min_params || l.stderr < min_stderr || l.rss < min_rss {
                failures.push(report.last().unwrap().clone());
            }
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "below the goal:\n{}",
        failures.join("\n")
    );
}

#[test]
fn models_reproduce_the_certified_rss() {
    // independent of the solver: the model evaluated at the certified values
    for d in all() {
        let problem = d.problem();
        let mut r = vec![0.0; d.y.len()];
        interphase_fit::Problem::residuals(&problem, &d.certified_values(), &mut r);
        let rss: f64 = r.iter().map(|v| v * v).sum();
        if d.name == "Lanczos1" {
            // certified 1.4e-25 is not reproducible from 11-digit parameters
            assert!(rss < 1e-18, "{}: {rss}", d.name);
        } else {
            let l = nist::lre(rss, d.residual_sum_of_squares);
            assert!(
                l > 9.0,
                "{}: rss {rss} vs {} (LRE {l})",
                d.name,
                d.residual_sum_of_squares
            );
        }
    }
}

#[test]
fn analytic_gradients_match_central_differences() {
    for d in all() {
        let n = d.model.n_params();
        for b in [
            d.certified_values(),
            d.params.iter().map(|c| c.start2).collect(),
        ] {
            for x in d.x.iter().step_by(7) {
                let mut g = vec![0.0; n];
                d.model.gradient(x, &b, &mut g);
                for j in 0..n {
                    let h = if b[j] == 0.0 { 1e-6 } else { 1e-6 * b[j].abs() };
                    let (mut bp, mut bm) = (b.clone(), b.clone());
                    bp[j] += h;
                    bm[j] -= h;
                    let fd = (d.model.eval(x, &bp) - d.model.eval(x, &bm)) / (2.0 * h);
                    // relative 1e-5, with an absolute floor for derivatives that vanish
                    let scale = g[j].abs().max(fd.abs());
                    assert!(
                        (g[j] - fd).abs() <= 1e-5 * scale + 1e-9,
                        "{} b{} at x={x:?}: analytic {} vs fd {fd}",
                        d.name,
                        j + 1,
                        g[j]
                    );
                }
            }
        }
    }
}

#[test]
fn finite_differences_alone_solve_the_suite_from_start_2() {
    // no analytic Jacobian: central differences. Asserted: the documented floor.
    let options = LmOptions {
        derivatives: Derivatives::Central,
        ..LmOptions::precise()
    };
    for d in all() {
        let l = run(&d, 2, &options);
        let floor = if d.name == "Lanczos1" { 2.5 } else { 4.0 };
        assert!(
            l.converged && l.params >= floor,
            "{} start 2 central FD: LRE {}",
            d.name,
            l.params
        );
    }
}

#[test]
fn parser_reports_line_numbers() {
    let text = std::fs::read_to_string(data_dir().join("Misra1a.dat")).unwrap();
    let broken = text.replacen("1.0000000000E+00", "1.0O00000000E+00", 1);
    let lines: Vec<&str> = text.lines().collect();
    let broken_line = broken
        .lines()
        .position(|l| l.contains("1.0O0"))
        .map(|i| i + 1);
    if let Some(line) = broken_line {
        let e = nist::Dataset::parse(&broken).unwrap_err();
        assert!(
            e.to_string().starts_with(&format!("line {line}:")),
            "{e} (line {line})"
        );
    }
    // truncated file: fewer data rows than stated
    let truncated: String = lines[..lines.len() - 3].join("\n");
    let e = nist::Dataset::parse(&truncated).unwrap_err();
    assert!(e.to_string().contains("observations"), "{e}");
}

/// Variable projection on every NIST problem with linear parameters (all but
/// Chwirut1/2), from both starts: the same certified digits as the full fit
/// (parameters ≥ 6, standard deviations ≥ 4, RSS ≥ 6; Lanczos1 as above).
#[test]
fn variable_projection_reaches_the_certified_values() {
    use interphase_fit::varpro::fit_separable;
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for d in all() {
        if d.model.linear_parameters().is_empty() {
            continue;
        }
        for start in [1u8, 2] {
            let problem = d.problem();
            let r =
                fit_separable(&problem, &d.start(start).unwrap(), &LmOptions::precise()).unwrap();
            // two models have exactly equivalent optima, and the projected
            // search may reach either: Eckerle4 is unchanged by (b1, b2) →
            // (−b1, −b2), MGH17 by swapping its exponentials (b2, b4) ↔ (b3, b5);
            // compare in the certified one's form
            let mut values = r.values();
            if d.name == "Eckerle4" && values[1] < 0.0 {
                values[0] = -values[0];
                values[1] = -values[1];
            }
            if d.name == "MGH17" && values[3] > values[4] {
                values.swap(1, 2);
                values.swap(3, 4);
            }
            let mut stderrs = r.stderrs();
            if d.name == "MGH17" && r.values()[3] > r.values()[4] {
                stderrs.swap(1, 2);
                stderrs.swap(3, 4);
            }
            let params = values
                .iter()
                .zip(&d.params)
                .map(|(&v, c)| nist::lre(v, c.value))
                .fold(99.0, f64::min);
            let stderr = stderrs
                .iter()
                .zip(&d.params)
                .map(|(s, c)| s.map_or(0.0, |s| nist::lre(s, c.std_dev)))
                .fold(99.0, f64::min);
            let rss = nist::lre(r.chi_square, d.residual_sum_of_squares);
            // from MGH10's first start the projected search runs into the
            // region where exp(b2/(x + b3)) underflows and b1 runs off; the
            // full fit takes over and the result says so
            let fell_back = r
                .warnings
                .iter()
                .any(|w| w.contains("variable projection ended"));
            assert_eq!(
                fell_back,
                d.name == "MGH10" && start == 1,
                "{}: {:?}",
                d.name,
                r.warnings
            );
            report.push(format!(
                "{:<9} start {start}: params {params:5.1} stderr {stderr:5.1} rss {rss:5.1} ({} evaluations, {} Jacobians)",
                d.name, r.n_evaluations, r.n_jacobians
            ));
            let (min_params, min_stderr, min_rss) = if d.name == "Lanczos1" {
                (10.0, 2.5, 2.5)
            } else {
                (6.0, 4.0, 6.0)
            };
            if !r.converged || params < min_params || stderr < min_stderr || rss < min_rss {
                failures.push(report.last().unwrap().clone());
            }
        }
    }
    println!("{}", report.join("\n"));
    assert_eq!(
        report.len(),
        50,
        "25 problems with linear parameters, two starts"
    );
    assert!(
        failures.is_empty(),
        "below the goal:\n{}",
        failures.join("\n")
    );
}
