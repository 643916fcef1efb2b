//! Times Savitzky–Golay filtering, peak finding and the file readers for
//! `benches/compare/scipy_signal_compare.py`.
//!
//! `cargo run --release -p interphase-benches --bin processing_timing -- OUTDIR [SPECTRA_DIR]`
//! uses the 2000-point data set of `baseline_timing`, writes each result to
//! `OUTDIR/<name>.f64` (little-endian; peak indices as f64) and prints
//! `name=µs` medians. With SPECTRA_DIR (`../shared/data/spectra`) it also times
//! reading `vamas_matkrin_xps_eis.vms` (4 blocks, 10 004 points) and
//! `nexl_K412_0.msa` (4096 channels).

use interphase_benches::{compare_spectrum as data, median_time as time};
use interphase_io::{read_emsa, read_vamas};
use interphase_spectra::peaks::{Interval, PeakOptions, find_peaks};
use interphase_spectra::smooth::savgol_filter;

fn write(dir: &str, name: &str, v: &[f64]) {
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(format!("{dir}/{name}.f64"), bytes).expect("cannot write the output file");
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp".into());
    let spectra_dir = std::env::args().nth(2);
    let (_, y) = data();
    let reps = 201;

    let (t, (s, _)) = time(reps, || savgol_filter(&y, None, 11, 3, 0, 1.0).unwrap());
    println!("savgol_11_3={t:.2}");
    write(&dir, "savgol_11_3", &s);
    let (t, (s, _)) = time(reps, || savgol_filter(&y, None, 21, 2, 1, 1.0).unwrap());
    println!("savgol_21_2_d1={t:.2}");
    write(&dir, "savgol_21_2_d1", &s);

    let o = PeakOptions {
        prominence: Interval::at_least(5.0),
        ..Default::default()
    };
    let (t, p) = time(reps, || find_peaks(&y, &o).unwrap());
    println!("find_peaks_prom={t:.2}");
    write(
        &dir,
        "find_peaks_prom",
        &p.iter().map(|p| p.index as f64).collect::<Vec<_>>(),
    );
    let o = PeakOptions {
        prominence: Interval::at_least(5.0),
        width: Interval::at_least(2.0),
        distance: Some(10.0),
        ..Default::default()
    };
    let (t, p) = time(reps, || find_peaks(&y, &o).unwrap());
    println!("find_peaks_full={t:.2}");
    let mut v: Vec<f64> = p.iter().map(|p| p.index as f64).collect();
    v.extend(p.iter().map(|p| p.width));
    write(&dir, "find_peaks_full", &v);

    if let Some(sd) = spectra_dir {
        let vms =
            std::fs::read_to_string(format!("{sd}/vamas_matkrin_xps_eis.vms")).expect("VAMAS file");
        let (t, f) = time(51, || read_vamas(&vms, "xps_eis.vms").unwrap());
        println!("read_vamas={t:.2}");
        write(&dir, "read_vamas", &f.blocks[0].variables[0].2);
        let msa = std::fs::read_to_string(format!("{sd}/nexl_K412_0.msa")).expect("EMSA file");
        let (t, s) = time(51, || read_emsa(&msa, "K412.msa").unwrap());
        println!("read_emsa={t:.2}");
        write(&dir, "read_emsa", s.y());
    }
}
