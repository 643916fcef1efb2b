//! Batch throughput against the number of threads: fits the 64 × 64 Ti 2p
//! spectrum image (`interphase_benches::ti2p_image`) in rayon pools of 1, 2,
//! ... threads (up to the machine's, or the counts given), checks that every
//! run gives identical results, and prints spectra per second and the speed-up
//! over one thread.
//!
//! `cargo run --release -p interphase-benches --bin batch_scaling [-- ROWS COLS [THREADS...]]`

use std::time::Instant;

use interphase_benches::ti2p_image;
use interphase_spectra::model::BatchOptions;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("usage: batch_scaling [ROWS COLS [THREADS...]]");
                std::process::exit(2)
            })
        })
        .collect();
    let (rows, cols) = match args.as_slice() {
        [r, c, ..] => (*r, *c),
        _ => (64, 64),
    };
    let max = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: Vec<usize> = if args.len() > 2 {
        args[2..].to_vec()
    } else {
        let mut t = vec![1];
        while t[t.len() - 1] * 2 <= max {
            t.push(t[t.len() - 1] * 2);
        }
        if t[t.len() - 1] != max {
            t.push(max);
        }
        t
    };
    let (model, x, cube) = ti2p_image(rows, cols);
    let n = rows * cols;
    println!(
        "{rows} x {cols} = {n} spectra, {} channels, {max} hardware threads",
        x.len()
    );
    let mut reference = None;
    let mut t1 = None;
    for &t in &threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("a thread pool");
        let start = Instant::now();
        let fit = pool.install(|| {
            model
                .fit_image(&x, cube.view(), &BatchOptions::default())
                .expect("the image fits")
        });
        let secs = start.elapsed().as_secs_f64();
        let base = *t1.get_or_insert(secs);
        println!(
            "threads {t:>3}: {secs:8.3} s  {:9.1} spectra/s  speed-up {:5.2}  failed {}",
            n as f64 / secs,
            base / secs,
            fit.n_failed()
        );
        match &reference {
            None => reference = Some(fit),
            Some(r) => assert!(*r == fit, "results differ between thread counts"),
        }
    }
}
