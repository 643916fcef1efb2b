//! Peak fits with and without variable projection on a few XPS cases (Ti 2p doublets,
//! C 1s with four GL peaks on linear, Shirley and cubic backgrounds), from good and
//! from poor starting areas: median time per fit (7 rounds of 30 fits) and the χ²,
//! function and Jacobian counts each projection choice ends with.
//!
//! `cargo run --release -p interphase-benches --example varpro_cases`
use interphase_benches::{TI2P_IMAGE_MODEL, ti2p_clean};
use interphase_spectra::Spectrum;
use interphase_spectra::model::{PeakFitOptions, PeakModel, Projection};

fn c1s(areas: &str, bg: &str) -> PeakModel {
    let a: Vec<&str> = areas.split(',').collect();
    PeakModel::from_toml(&format!(
        r#"
{bg}
[[peaks]]
name = "CC"
shape = "gl"
center = {{ value = 284.9, min = 284.0, max = 285.5 }}
fwhm = {{ value = 1.2, min = 0.5, max = 3 }}
mix = 0.3
area = {{ value = {}, min = 0 }}
[[peaks]]
name = "CO"
shape = "gl"
center = {{ value = 286.4, min = 285.8, max = 287.0 }}
fwhm = {{ tie = "CC.fwhm" }}
mix = 0.3
area = {{ value = {}, min = 0 }}
[[peaks]]
name = "CdO"
shape = "gl"
center = {{ value = 287.9, min = 287.3, max = 288.5 }}
fwhm = {{ tie = "CC.fwhm" }}
mix = 0.3
area = {{ value = {}, min = 0 }}
[[peaks]]
name = "OCO"
shape = "gl"
center = {{ value = 289.0, min = 288.6, max = 289.8 }}
fwhm = {{ tie = "CC.fwhm" }}
mix = 0.3
area = {{ value = {}, min = 0 }}
"#,
        a[0], a[1], a[2], a[3]
    ))
    .unwrap()
}

fn main() {
    let mut cases: Vec<(String, PeakModel, Spectrum)> = Vec::new();
    let model = PeakModel::from_toml(TI2P_IMAGE_MODEL).unwrap();
    let x: Vec<f64> = (0..1000).map(|i| 470.0 - 0.02 * i as f64).collect();
    let clean = ti2p_clean(&model, &x, 5000.0, 900.0);
    let y: Vec<f64> = clean
        .iter()
        .enumerate()
        .map(|(i, v)| v + v.sqrt() * (0.7 * i as f64).sin())
        .collect();
    let s = Spectrum::new(x.clone(), y).unwrap();
    cases.push(("ti2p bench".into(), model, s.clone()));
    let poor = PeakModel::from_toml(
        &TI2P_IMAGE_MODEL
            .replace("value = 5000", "value = 100")
            .replace("value = 1000", "value = 100"),
    )
    .unwrap();
    cases.push(("ti2p areas 100".into(), poor, s));
    let xc: Vec<f64> = (0..600).map(|i| 293.0 - 0.02 * i as f64).collect();
    for (bgname, bg) in [
        ("linear", "[background]\nkind = \"linear\""),
        ("shirley", "[background]\nkind = \"shirley\""),
        ("poly3", "[background]\nkind = \"polynomial\"\norder = 3"),
    ] {
        let truth = c1s("6000,1500,700,500", bg);
        let mut v = vec![
            ("CC.center", 284.8),
            ("CO.center", 286.3),
            ("CdO.center", 288.0),
            ("OCO.center", 289.2),
            ("CC.fwhm", 1.1),
            ("bg.c0", 200.0),
        ];
        if bgname == "shirley" {
            v.push(("bg.k", 0.02));
        } else {
            v.push(("bg.c1", -3.0));
        }
        let p = truth.parameters_from(&v, &xc).unwrap();
        let clean = truth.evaluate(&xc, &p).unwrap();
        let y: Vec<f64> = clean
            .iter()
            .enumerate()
            .map(|(i, v)| v + v.sqrt() * (0.7 * i as f64).sin())
            .collect();
        let s = Spectrum::new(xc.clone(), y).unwrap();
        cases.push((format!("c1s {bgname} good areas"), truth, s.clone()));
        cases.push((
            format!("c1s {bgname} areas 1000"),
            c1s("1000,1000,1000,1000", bg),
            s,
        ));
    }
    for (name, model, s) in &cases {
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        let mut info = Vec::new();
        for pr in [Projection::Off, Projection::On, Projection::Auto] {
            let o = PeakFitOptions {
                projection: pr,
                ..Default::default()
            };
            let f = model.fit(s, &o).unwrap();
            info.push(format!(
                "{pr:?} χ² {:.10e} ev {} jac {}",
                f.fit.chi_square, f.fit.n_evaluations, f.fit.n_jacobians
            ));
        }
        for _round in 0..7 {
            for (k, pr) in [Projection::Off, Projection::On, Projection::Auto]
                .into_iter()
                .enumerate()
            {
                let o = PeakFitOptions {
                    projection: pr,
                    ..Default::default()
                };
                let t = std::time::Instant::now();
                for _ in 0..30 {
                    model.fit(s, &o).unwrap();
                }
                times[k].push(t.elapsed().as_secs_f64() / 30.0 * 1e6);
            }
        }
        for t in times.iter_mut() {
            t.sort_by(f64::total_cmp);
        }
        println!(
            "{name:24} off {:7.0} µs  on {:7.0} µs  auto {:7.0} µs | {} | {} | {}",
            times[0][3], times[1][3], times[2][3], info[0], info[1], info[2]
        );
    }
}
