//! Reads each file named on the command line and prints what it holds:
//! `cargo run -p interphase-io --example read_any -- FILE...`
//! (without arguments, the repository's synthetic LLTO impedance file).

use interphase_io::{ReadOptions, read_path};

fn main() {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        files.push(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/llto/eis_pellet.csv"
            )
            .into(),
        );
    }
    for f in files {
        match read_path(&f, &ReadOptions::default()) {
            Ok(c) => {
                println!("{f}: {} — {}", c.format.name(), c.summary());
                for r in c.impedance.iter().take(3) {
                    let s = &r.spectrum;
                    println!(
                        "  {} ({} points, {:.6e} … {:.6e} Hz, first Z = {:.6e} {:+.6e}i){}",
                        s.name,
                        s.len(),
                        s.freq()[0],
                        s.freq()[s.len() - 1],
                        s.z()[0].re,
                        s.z()[0].im,
                        r.cycle.map(|c| format!(", cycle {c}")).unwrap_or_default()
                    );
                }
                for s in c.spectra.iter().take(3) {
                    println!(
                        "  {:?} ({} points, x {:?})",
                        s.meta.name,
                        s.len(),
                        s.meta.x_quantity
                    );
                }
                for w in &c.warnings {
                    println!("  warning: {w}");
                }
            }
            Err(e) => println!("{f}: error: {e}"),
        }
    }
}
