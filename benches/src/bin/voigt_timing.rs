//! Times the Voigt profile on 10⁶ points for `benches/compare/scipy_voigt.py`.
//!
//! `cargo run --release -p interphase-benches --bin voigt_timing -- SET OUT.f64`
//! with SET = `xps` (x ∈ [−20, 20] eV, σ = 0.5, γ = 0.3: a typical XPS peak) or
//! `wide` (σ ∈ [0.1, 10], γ ∈ [0.01, 10], log-spaced, quasi-random); writes the
//! values as little-endian f64 to OUT and prints ns per point (median of 7 runs) for:
//! `voigt_profile` point by point (value), `Voigt::value` / `value_and_gradient`
//! point by point (peak_value, value_gradient), one peak over all x through the
//! batched `eval_into` / `eval_with_jacobian` (batch_*; xps set only: σ, γ of the
//! first point), and `voigt_profile_slice` with per-point σ, γ (slice).

use std::hint::black_box;
use std::time::Instant;

use interphase_spectra::lineshape::{LineShape, Voigt, voigt_profile, voigt_profile_slice};

const N: usize = 1_000_000;

/// The point set shared with the Python script (same arithmetic, same values).
fn point(set: &str, i: usize) -> (f64, f64, f64) {
    let x = -20.0 + 40.0 * i as f64 / (N - 1) as f64;
    match set {
        "xps" => (x, 0.5, 0.3),
        _ => {
            let phi = 0.618_033_988_749_894_9_f64;
            let a = (i as f64 * phi).fract();
            let b = (i as f64 * phi * phi).fract();
            (x, 10f64.powf(-1.0 + 2.0 * a), 10f64.powf(-2.0 + 3.0 * b))
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let set = args.get(1).map(String::as_str).unwrap_or("xps");
    let pts: Vec<(f64, f64, f64)> = (0..N).map(|i| point(set, i)).collect();
    let mut out = vec![0.0; N];
    let t_val = median(
        (0..7)
            .map(|_| {
                let s = Instant::now();
                for (o, &(x, sg, gm)) in out.iter_mut().zip(&pts) {
                    *o = voigt_profile(black_box(x), sg, gm);
                }
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    // value + gradient through the peak type (fixed σ, γ per peak, as in a fit)
    let shapes: Vec<Voigt> = pts
        .iter()
        .map(|&(_, s, g)| Voigt::new(0.0, s, g, 1.0).unwrap())
        .collect();
    let mut g = [0.0; 4];
    let mut acc = 0.0;
    let t_grad = median(
        (0..7)
            .map(|_| {
                let s = Instant::now();
                for (v, &(x, ..)) in shapes.iter().zip(&pts) {
                    acc += v.value_and_gradient(black_box(x), &mut g) + g[1];
                }
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let t_peak = median(
        (0..7)
            .map(|_| {
                let s = Instant::now();
                for (v, &(x, ..)) in shapes.iter().zip(&pts) {
                    acc += v.value(black_box(x));
                }
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    // one peak over all x (as in a fit): the batched eval_into / eval_with_jacobian
    let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let (s0, g0) = (pts[0].1, pts[0].2);
    let peak = Voigt::new(0.0, s0, g0, 1.0).unwrap();
    let mut batch = vec![0.0; N];
    let mut jac = vec![0.0; 4 * N];
    let t_batch = median(
        (0..7)
            .map(|_| {
                let s = Instant::now();
                peak.eval_into(black_box(&xs), &mut batch).unwrap();
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let t_batch_jac = median(
        (0..7)
            .map(|_| {
                let s = Instant::now();
                peak.eval_with_jacobian(black_box(&xs), &mut batch, &mut jac)
                    .unwrap();
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let (sg, gm): (Vec<f64>, Vec<f64>) = pts.iter().map(|p| (p.1, p.2)).unzip();
    let mut sliced = vec![0.0; N];
    let t_slice = median(
        (0..7)
            .map(|_| {
                let s = Instant::now();
                voigt_profile_slice(black_box(&xs), &sg, &gm, &mut sliced).unwrap();
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let worst = sliced
        .iter()
        .zip(&out)
        .filter(|(_, b)| b.abs() > 1e-300)
        .map(|(a, b)| ((a - b) / b).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= 1e-13,
        "voigt_profile_slice differs from voigt_profile by {worst:e}"
    );
    if set == "xps" {
        // the batched path must reproduce the per-point values
        let worst = batch
            .iter()
            .zip(&out)
            .map(|(a, b)| ((a - b) / b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-13,
            "batched Voigt differs from the per-point one by {worst:e}"
        );
        out.copy_from_slice(&batch);
    }
    black_box(acc);
    if let Some(path) = args.get(2) {
        let bytes: Vec<u8> = out.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(path, bytes).expect("write values");
    }
    println!(
        "set={set} value_ns_per_point={:.2} peak_value_ns_per_point={:.2} value_gradient_ns_per_point={:.2} \
         batch_value_ns_per_point={:.2} batch_value_gradient_ns_per_point={:.2} slice_value_ns_per_point={:.2}",
        t_val * 1e9 / N as f64,
        t_peak * 1e9 / N as f64,
        t_grad * 1e9 / N as f64,
        t_batch * 1e9 / N as f64,
        t_batch_jac * 1e9 / N as f64,
        t_slice * 1e9 / N as f64
    );
}
