//! The main job: the LLTO interface analysis of the bundled dataset.
//!
//! `cargo run --release --example llto_interface [-- --data DIR] [--out DIR]`
//!
//! Prints the tables (Ti³⁺ fraction by depth and temperature, Li insertion,
//! ΔE, impedance resistances and conductivities, density) and writes an HTML
//! report with the figures to `target/llto-report/index.html` (or `--out`).
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut data = root.join("data/llto");
    let mut out = root.join("target/llto-report");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = PathBuf::from(args.next().ok_or("--data needs a directory")?),
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a directory")?),
            "-h" | "--help" => {
                println!("usage: llto_interface [--data DIR] [--out DIR]");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}` (try --help)").into()),
        }
    }
    let t = std::time::Instant::now();
    let report = interphase::workflows::llto::analyse_dir(&data)?;
    println!("{report}");
    let index = report.write_html(&out)?;
    println!(
        "report: {} ({:.2} s)",
        index.canonicalize().unwrap_or(index.clone()).display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
