//! Runs the 4-Gaussian fit in a loop, for profilers (perf, callgrind).
use interphase_benches::FourGaussians;
use interphase_fit::{FitWorkspace, LmOptions, fit_with_workspace};
fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let g = FourGaussians::new(1000);
    let p = FourGaussians::start();
    let mut ws = FitWorkspace::default();
    let mut chi = 0.0;
    for _ in 0..reps {
        chi += fit_with_workspace(&g, &p, &LmOptions::default(), &mut ws)
            .unwrap()
            .chi_square;
    }
    println!("{chi}");
}
