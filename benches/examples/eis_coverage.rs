//! Coverage of the 1σ intervals of a circuit fit (issue 26): how often
//! |R̂ − R| ≤ σ̂(R) over many noisy copies, with the model-based covariance
//! (scaled by χ²_ν) and with the robust sandwich (HC3) covariance; the same
//! for derived quantities whose σ comes from the full covariance
//! (σ² = gᵀCg): the total conductivity L/(A(R1 + R2)) (L/A = 1 cm⁻¹; R1 and
//! R2 are correlated) and the effective capacitances and relaxation times
//! of both R‖CPE arcs.
//!
//! `cargo run --release -p interphase-benches --example eis_coverage [N] [SEED]`
//!
//! R0-p(R1,CPE1)-p(R2,CPE2), R0 = 20, R1 = 500, Q1 = 1e-8, α1 = 0.9,
//! R2 = 1000, Q2 = 1e-6, α2 = 0.85; 81 points from 1 MHz to 10 mHz;
//! weighting proportional (1/|Z|). Two noise models, 1 % Gaussian:
//! proportional to |Z| on both parts (what the weighting assumes), and
//! proportional to each part separately (|Re Z| and |Im Z|: it does not).
//! Nominal coverage of a 1σ interval: 0.683.
use interphase_eis::fit::{FitOptions, Weighting, fit_circuit};
use interphase_eis::{Circuit, Complex64, ImpedanceSpectrum};
use interphase_fit::rng::Rng;
use interphase_fit::{Parameter, Parameters};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(400);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(26);
    let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse().unwrap();
    let truth = [20.0, 500.0, 1e-8, 0.9, 1000.0, 1e-6, 0.85];
    let f: Vec<f64> = (0..81).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
    let clean = ImpedanceSpectrum::simulate(&c, &truth, &f).unwrap();
    let names = [
        "R0",
        "R1",
        "R2",
        "CPE2.alpha",
        "σ_total",
        "C_eff1",
        "C_eff2",
        "τ1",
        "τ2",
    ];
    let idx = [0usize, 1, 4, 6];
    // truths of the derived quantities: σ_total = 1/(R1 + R2) S/cm with
    // L/A = 1 cm⁻¹; C_eff = (RQ)^(1/α)/R, τ = (RQ)^(1/α) (Hsu & Mansfeld)
    let tau = |r: f64, q: f64, a: f64| (r * q).powf(1.0 / a);
    let derived_truth = [
        1.0 / (truth[1] + truth[4]),
        tau(truth[1], truth[2], truth[3]) / truth[1],
        tau(truth[4], truth[5], truth[6]) / truth[4],
        tau(truth[1], truth[2], truth[3]),
        tau(truth[4], truth[5], truth[6]),
    ];
    println!(
        "{n} fits per noise model, seed {seed}; fraction of 1σ intervals holding the truth (nominal 0.683)"
    );
    for (label, per_part) in [
        ("noise ∝ |Z| (as weighted)", false),
        ("noise ∝ each part", true),
    ] {
        let mut rng = Rng::new(seed);
        // [standard, robust] × parameter: hits
        let mut hits = [[0usize; 9]; 2];
        let mut done = 0usize;
        for _ in 0..n {
            let z: Vec<Complex64> = clean
                .z()
                .iter()
                .map(|z| {
                    let (sr, si) = if per_part {
                        (0.01 * z.re.abs(), 0.01 * z.im.abs())
                    } else {
                        (0.01 * z.norm(), 0.01 * z.norm())
                    };
                    Complex64::new(z.re + sr * rng.normal(), z.im + si * rng.normal())
                })
                .collect();
            let d = ImpedanceSpectrum::new(f.clone(), z).unwrap();
            let mut init = Parameters::new();
            for (name, &v) in c.parameter_names().iter().zip(&truth) {
                init.push(Parameter::new(*name, v).with_min(0.0)).unwrap();
            }
            for (k, robust) in [false, true].into_iter().enumerate() {
                let mut o = FitOptions {
                    weighting: Weighting::Proportional,
                    ..Default::default()
                };
                o.lm.robust_covariance = robust;
                let Ok(r) = fit_circuit(&c, &d, Some(&init), &o) else {
                    continue;
                };
                for (j, &i) in idx.iter().enumerate() {
                    let p = &r.result.params[i];
                    if let Some(s) = p.stderr
                        && (p.value - truth[i]).abs() <= s
                    {
                        hits[k][j] += 1;
                    }
                }
                let mut derived: Vec<(f64, Option<f64>)> = Vec::new();
                if let Ok(d) = r.result.derived(&["R1", "R2"], |p| 1.0 / (p[0] + p[1])) {
                    derived.push((d.value, d.stderr));
                }
                let dq = r.derived();
                for name in [
                    "C_eff(R1,CPE1)",
                    "C_eff(R2,CPE2)",
                    "tau(R1,CPE1)",
                    "tau(R2,CPE2)",
                ] {
                    if let Some(q) = dq.iter().find(|q| q.name == name) {
                        derived.push((q.value, q.stderr));
                    }
                }
                if derived.len() == derived_truth.len() {
                    for (j, ((v, s), t)) in derived.iter().zip(derived_truth).enumerate() {
                        if let Some(s) = s
                            && (v - t).abs() <= *s
                        {
                            hits[k][4 + j] += 1;
                        }
                    }
                }
            }
            done += 1;
        }
        println!("{label}:");
        for (k, name) in ["model-based (χ²_ν-scaled)", "robust (sandwich, HC3)"]
            .iter()
            .enumerate()
        {
            let cov: Vec<String> = names
                .iter()
                .zip(hits[k])
                .map(|(p, h)| format!("{p} {:.3}", h as f64 / done as f64))
                .collect();
            println!("  {name:27} {}", cov.join("  "));
        }
    }
}
