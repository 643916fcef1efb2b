//! Helpers shared by the integration tests.

use std::path::PathBuf;

#[allow(dead_code)] // not every test binary uses it
/// `../shared/data/eis/<name>` when present; otherwise prints why the caller
/// skips and returns `None` (a fresh clone has no ../shared).
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/eis")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} not found (../shared/data is not part of a fresh clone)",
            p.display()
        );
        None
    }
}

/// A three-column text file of the test data (or impedance.py's ZPlot
/// example) (frequency in Hz, Re Z and
/// signed Im Z in Ω; `#` comments and a header line skipped): the repository's
/// synthetic LLTO files and impedance.py's exampleData.csv. Instrument files
/// are read by interphase-io; this loader only serves these known files.
#[allow(dead_code)]
pub fn read_path(
    path: impl AsRef<std::path::Path>,
) -> Result<interphase_eis::ImpedanceSpectrum, String> {
    let text = std::fs::read_to_string(path.as_ref()).map_err(|e| e.to_string())?;
    let (mut f, mut re, mut im) = (Vec::new(), Vec::new(), Vec::new());
    // impedance.py's ZPlot example (ZPLOT2 layout: f, Z', Z'' in columns 1, 5, 6)
    if let Some((_, rows)) = text.split_once("End Comments") {
        for line in rows.lines().filter(|l| !l.trim().is_empty()) {
            let v: Vec<f64> = line
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            f.push(v[0]);
            re.push(v[4]);
            im.push(v[5]);
        }
        return interphase_eis::ImpedanceSpectrum::from_parts(f, &re, &im)
            .map_err(|e| e.to_string());
    }
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let v: Vec<f64> = match line.split(',').map(|x| x.trim().parse::<f64>()).collect() {
            Ok(v) => v,
            Err(_) => continue, // the header line
        };
        f.push(v[0]);
        re.push(v[1]);
        im.push(v[2]);
    }
    interphase_eis::ImpedanceSpectrum::from_parts(f, &re, &im).map_err(|e| e.to_string())
}

/// Deterministic random numbers for the synthetic cases: xorshift64*
/// (Vigna 2016) with Box–Muller normals.
#[allow(dead_code)] // not every test binary uses it
pub struct Rng(pub u64);
#[allow(dead_code)]
impl Rng {
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
    pub fn log_uniform(&mut self, a: f64, b: f64) -> f64 {
        self.uniform(a.ln(), b.ln()).exp()
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}
