//! Regenerates the bundled synthetic LLTO dataset (`data/llto/`) from its
//! seeded generator: `cargo run -p interphase --example gen_llto_data [DIR]`.
use std::path::PathBuf;

use interphase::workflows::synthetic::{SEED, generate};

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/llto"));
    match generate(&dir, SEED) {
        Ok(()) => println!("wrote {}", dir.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
