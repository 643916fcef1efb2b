//! The Ti 2p model (two Voigt doublets, shared widths, linear background)
//! fitted to the same seeded synthetic spectrum as lmfit: same optimum.
//!
//! Reference numbers from crates/spectra/tools/gen_lmfit_peak_refs.py
//! (lmfit 1.3.4, scipy 1.17.1, numpy 2.4.6; VoigtModel components with
//! parameter expressions for the doublets, LinearModel background,
//! method="leastsq", ftol = xtol = 1e-13, unweighted, 133 evaluations). lmfit's
//! intercept is at x = 0; ours (`bg.c0`) at the window's centre, converted in
//! the script (stderr through lmfit's covariance).

use interphase_io::read_spectra as read_path;
use interphase_spectra::model::{PeakFitOptions, PeakModel};

const CHI2: f64 = 428149.8344069208;
const REF: [(&str, f64, f64); 10] = [
    ("Ti4+.center", 458.95098555478404, 0.0013951070616203503),
    ("Ti4+.sigma", 0.4147875306734514, 0.004018519066869677),
    ("Ti4+.gamma", 0.22227130509928705, 0.006197402807387344),
    ("Ti4+.area", 6021.823273249749, 27.141508138888494),
    ("Ti4+.splitting", 5.674149127145089, 0.004500113708740037),
    ("Ti4+.width_ratio", 1.404385966708087, 0.007715752450973695),
    ("Ti3+.center", 457.4517178644957, 0.005792807619020174),
    ("Ti3+.area", 1509.4217348244817, 10.612352753423053),
    ("bg.c1", -3.7990926279841104, 0.23269331108174512),
    ("bg.c0", 299.88568344806095, 2.2686731756378706),
];

/// The model with lmfit's starting values.
const TI2P_LINEAR: &str = r#"
[background]
kind = "linear"
c0 = 309.94501583906197
c1 = 0.0

[[peaks]]
name = "Ti4+"
shape = "voigt"
center = { value = 458.8, min = 457.5, max = 460.0 }
sigma = { value = 0.5, min = 0 }
gamma = { value = 0.3, min = 0 }
area = { value = 5000, min = 0 }
doublet = { splitting = 5.7, ratio = { value = 0.5, vary = false }, width_ratio = { value = 1.3, min = 0 } }

[[peaks]]
name = "Ti3+"
shape = "voigt"
center = { value = 457.3, min = 456.5, max = 458.2 }
sigma = { tie = "Ti4+.sigma" }
gamma = { tie = "Ti4+.gamma" }
area = { value = 1000, min = 0 }
doublet = { splitting = { tie = "Ti4+.splitting" }, orbital = "p", width_ratio = { tie = "Ti4+.width_ratio" } }
"#;

#[test]
fn same_optimum_as_lmfit() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spectra/tests/data/ti2p_synthetic.csv"
    );
    let spectrum = read_path(path).unwrap().remove(0);
    assert_eq!(spectrum.len(), 500);
    let model = PeakModel::from_toml(TI2P_LINEAR).unwrap();
    let fit = model.fit(&spectrum, &PeakFitOptions::default()).unwrap();
    assert!(fit.fit.converged, "{fit}");
    let rel = (fit.fit.chi_square - CHI2).abs() / CHI2;
    assert!(
        rel < 1e-6,
        "χ² {} vs lmfit {CHI2} (rel {rel:e})",
        fit.fit.chi_square
    );
    assert!(
        fit.fit.chi_square <= CHI2 * (1.0 + 1e-12),
        "not below lmfit's minimum"
    );
    for (name, value, stderr) in REF {
        let got = fit.fit.value(name).unwrap();
        let se = fit.fit.stderr(name).unwrap();
        assert!(
            (got - value).abs() <= stderr / 100.0,
            "{name}: {got} vs lmfit {value} (tolerance {})",
            stderr / 100.0
        );
        assert!(
            (se - stderr).abs() <= 1e-3 * stderr,
            "{name}: stderr {se} vs lmfit {stderr}"
        );
    }
    // Ti³⁺ fraction: 1509.42 / (1509.42 + 6021.82) of the doublet totals
    let f = fit.area_fraction(&["Ti3+"], &["Ti3+", "Ti4+"]).unwrap();
    assert!((f.value - 1509.4217348244817 / (1509.4217348244817 + 6021.823273249749)).abs() < 1e-4);
    assert!(f.stderr.unwrap() > 0.0);
}
