//! Time per point of the batched Voigt in the series and continued-fraction regions.
use interphase_spectra::lineshape::{LineShape, Voigt};
use std::time::Instant;
fn main() {
    let v = Voigt::new(0.0, 0.5, 0.3, 1.0).unwrap();
    for (lo, hi) in [(-4.0, 4.0), (4.5, 6.0), (6.0, 20.0)] {
        let n = 1_000_000;
        let x: Vec<f64> = (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect();
        let mut out = vec![0.0; n];
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            v.eval_into(&x, &mut out).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("x in [{lo}, {hi}]: {:.1} ns/pt", best * 1e9 / n as f64);
    }
}
