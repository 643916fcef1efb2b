//! Shared workloads for the criterion benchmarks and the overhead report of interphase.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use interphase_fit::{JacobianMut, Parameter, Parameters, Problem, nist};

/// A NIST StRD dataset from the repository's copy.
pub fn nist_dataset(name: &str) -> nist::Dataset {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/fit/tests/data/nist")
        .join(format!("{name}.dat"));
    nist::Dataset::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Four area-normalised Gaussians on `n` points with analytic Jacobian:
/// parameters `[area, center, sigma] × 4`.
pub struct FourGaussians {
    /// Abscissae.
    pub x: Vec<f64>,
    /// Data.
    pub y: Vec<f64>,
}

const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// The true parameters of [`FourGaussians::new`].
pub const TRUTH: [f64; 12] = [
    50.0, 2.0, 0.3, 80.0, 3.5, 0.5, 30.0, 5.0, 0.25, 60.0, 6.5, 0.6,
];

impl FourGaussians {
    /// `n` points on [0, 8] with deterministic pseudo-noise of amplitude 0.5.
    pub fn new(n: usize) -> Self {
        let x: Vec<f64> = (0..n).map(|i| 8.0 * i as f64 / (n - 1) as f64).collect();
        let y = x
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                Self::value(x, &TRUTH) + 0.5 * (i as f64 * 1.7).sin() * (i as f64 * 0.31).cos()
            })
            .collect();
        FourGaussians { x, y }
    }

    fn value(x: f64, p: &[f64]) -> f64 {
        p.chunks_exact(3)
            .map(|g| g[0] / (g[2] * SQRT_2PI) * (-0.5 * ((x - g[1]) / g[2]).powi(2)).exp())
            .sum()
    }

    /// Starting values 10-20 % off the truth, areas and widths bounded below.
    pub fn start() -> Parameters {
        let off = [
            1.2, 1.03, 1.2, 0.85, 0.97, 1.15, 1.15, 1.02, 1.2, 0.8, 0.98, 0.85,
        ];
        let mut p = Parameters::new();
        for (k, (t, o)) in TRUTH.iter().zip(off).enumerate() {
            let name = ["area", "center", "sigma"][k % 3];
            let param = Parameter::new(format!("{name}{}", k / 3 + 1), t * o);
            let param = if k % 3 == 1 {
                param
            } else {
                param.with_min(0.0)
            };
            p.push(param).expect("valid");
        }
        p
    }
}

impl Problem for FourGaussians {
    fn n_residuals(&self) -> usize {
        self.x.len()
    }
    fn n_params(&self) -> Option<usize> {
        Some(12)
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        for ((o, &x), &y) in out.iter_mut().zip(&self.x).zip(&self.y) {
            *o = Self::value(x, p) - y;
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        for (k, g) in p.chunks_exact(3).enumerate() {
            let (a, c, s) = (g[0], g[1], g[2]);
            let norm = 1.0 / (s * SQRT_2PI);
            for (i, &x) in self.x.iter().enumerate() {
                let z = (x - c) / s;
                let e = norm * (-0.5 * z * z).exp();
                jac.set(i, 3 * k, e);
                jac.set(i, 3 * k + 1, a * e * z / s);
                jac.set(i, 3 * k + 2, a * e * (z * z - 1.0) / s);
            }
        }
        true
    }
    fn observed(&self) -> Option<&[f64]> {
        Some(&self.y)
    }
}

/// Median wall time (µs) of `reps` runs of `f` after warm-up runs (at least
/// one, and at least [`WARM_UP`] of them), and the last result.
///
/// The warm-up matters: a process's first tens of milliseconds of work ran up
/// to 2× slower on the benchmark machines (clock ramp-up, cold caches), which
/// used to penalise whichever method a timing binary measured first.
pub fn median_time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let warm = Instant::now();
    let mut out = f();
    while warm.elapsed() < WARM_UP {
        out = black_box(f());
    }
    let mut t: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let s = Instant::now();
            out = black_box(f());
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2] * 1e6, out)
}

/// Minimum warm-up time of [`median_time`] (the Python side's `median_us` in
/// `benches/compare/_common.py` warms up the same way).
pub const WARM_UP: std::time::Duration = std::time::Duration::from_millis(200);

/// The 2000-point spectrum of the side-by-side scripts (`baseline_timing`,
/// `processing_timing`): a sloped sinusoidal background, four Gaussian peaks and
/// deterministic pseudo-noise (the same arithmetic as the Python scripts).
pub fn compare_spectrum() -> (Vec<f64>, Vec<f64>) {
    let n = 2000;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let y = x
        .iter()
        .map(|&t| {
            let g = |c: f64, w: f64, a: f64| a * (-0.5 * ((t - c) / w).powi(2)).exp();
            100.0
                + 0.02 * t
                + 20.0 * (t / 300.0).sin()
                + g(400.0, 10.0, 300.0)
                + g(900.0, 25.0, 150.0)
                + g(1300.0, 6.0, 200.0)
                + g(1700.0, 15.0, 120.0)
                + 0.8 * (0.37 * t).sin()
                + 0.5 * (1.91 * t).sin()
        })
        .collect();
    (x, y)
}

/// The Ti 2p model of the batch benchmarks: Shirley background, Ti⁴⁺ and Ti³⁺
/// Voigt doublets (p orbitals) with shared widths and splitting.
pub const TI2P_IMAGE_MODEL: &str =
    include_str!("../../crates/spectra/tests/data/ti2p_shirley.toml");

/// The [`TI2P_IMAGE_MODEL`] on `x` with the benchmarks' fixed line shape
/// (σ 0.45 eV, γ 0.25 eV, splitting 5.72 eV, Ti⁴⁺ at 458.85 eV, Ti³⁺ at
/// 457.2 eV, Shirley c0 200, k 0.02) and the given component areas.
pub fn ti2p_clean(
    model: &interphase_spectra::model::PeakModel,
    x: &[f64],
    ti4_area: f64,
    ti3_area: f64,
) -> Vec<f64> {
    let p = model
        .parameters_from(
            &[
                ("bg.c0", 200.0),
                ("bg.k", 0.02),
                ("Ti4+.center", 458.85),
                ("Ti4+.sigma", 0.45),
                ("Ti4+.gamma", 0.25),
                ("Ti4+.splitting", 5.72),
                ("Ti3+.center", 457.2),
                ("Ti4+.area", ti4_area),
                ("Ti3+.area", ti3_area),
            ],
            x,
        )
        .expect("benchmark parameters");
    model.evaluate(x, &p).expect("benchmark model evaluates")
}

/// A `rows × cols` Ti 2p spectrum image (240 channels, 468 → 453.7 eV) whose
/// Ti³⁺ share grows smoothly across the map, with deterministic √y noise:
/// the workload of `batch/ti2p_image_*` and `batch_scaling`.
pub fn ti2p_image(
    rows: usize,
    cols: usize,
) -> (
    interphase_spectra::model::PeakModel,
    Vec<f64>,
    ndarray::Array3<f64>,
) {
    let model = interphase_spectra::model::PeakModel::from_toml(TI2P_IMAGE_MODEL)
        .expect("the benchmark model parses");
    let x: Vec<f64> = (0..240).map(|i| 468.0 - 0.06 * i as f64).collect();
    let mut cube = ndarray::Array3::<f64>::zeros((rows, cols, x.len()));
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut normal = move || {
        let mut u = || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        };
        let (a, b) = (u().max(1e-300), u());
        (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
    };
    for r in 0..rows {
        for c in 0..cols {
            let t = (r as f64 / rows.max(1) as f64 + c as f64 / cols.max(1) as f64) / 2.0;
            let clean = ti2p_clean(&model, &x, 5000.0 * (1.0 - 0.6 * t), 300.0 + 3000.0 * t);
            for (j, v) in clean.iter().enumerate() {
                cube[[r, c, j]] = v + v.sqrt() * normal();
            }
        }
    }
    (model, x, cube)
}
