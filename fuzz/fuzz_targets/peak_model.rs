//! Peak model files, TOML and JSON: never panic; a model that parses can be
//! evaluated on a small grid.
#![no_main]
use interphase_spectra::model::PeakModel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for m in [PeakModel::from_toml(&text), PeakModel::from_json(&text)]
        .into_iter()
        .flatten()
    {
        let x: Vec<f64> = (0..20).map(|i| 450.0 + i as f64).collect();
        if let Ok(p) = m.parameters_from(&[], &x) {
            let _ = m.evaluate(&x, &p);
        }
    }
});
