//! The main job's dataset: the generator is deterministic and the analysis
//! recovers the parameters the data were generated from.

use std::path::{Path, PathBuf};

use interphase::workflows::llto::{Settings, analyse, analyse_dir};
use interphase::workflows::synthetic::{CONDITIONS, DEPTHS, SAMPLE_TOML, SEED, Truth, generate};

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/llto")
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("interphase-llto-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn bundled_data_is_what_the_seeded_generator_writes() {
    let d = temp_dir("gen");
    generate(&d, SEED).unwrap();
    for name in [
        "sample.toml",
        "ti2p_model.toml",
        "eels_model.toml",
        "xps_ti2p.csv",
        "eels.csv",
        "eis_pellet.csv",
        "eis_cell.csv",
        "density.csv",
        "eels_linescan.csv",
        "eels_linescan_lowloss.csv",
        "eels_ref_ti3.csv",
        "eels_ref_ti4.csv",
        "eels_map.csv",
    ] {
        let a = std::fs::read(d.join(name)).unwrap();
        let b = std::fs::read(bundled().join(name)).unwrap();
        assert!(
            a == b,
            "{name} differs from the generator's output (regenerate with the gen_llto_data example)"
        );
    }
    // another seed gives other noise
    let e = temp_dir("gen2");
    generate(&e, SEED + 1).unwrap();
    assert_ne!(
        std::fs::read(d.join("xps_ti2p.csv")).unwrap(),
        std::fs::read(e.join("xps_ti2p.csv")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::remove_dir_all(&e);
}

#[test]
fn analysis_recovers_the_generating_parameters() {
    let r = analyse_dir(&bundled()).unwrap();
    assert_eq!(r.ti3_fraction.rows, DEPTHS);
    assert_eq!(r.ti3_fraction.columns, CONDITIONS);
    for (d, depth) in DEPTHS.iter().enumerate() {
        for (c, cond) in CONDITIONS.iter().enumerate() {
            let f = r.ti3_fraction.get(depth, cond).unwrap();
            let truth = Truth::TI3_FRACTION[d][c];
            let s = f.stderr.unwrap();
            assert!(s > 0.0 && s < 0.01, "{cond}/{depth}: stderr {s}");
            assert!(
                (f.value - truth).abs() < (4.0 * s).max(0.003),
                "{cond}/{depth}: Ti3+ fraction {f} vs {truth}"
            );
            // one Ti per formula unit: y equals the fraction
            let y = r.li_insertion.get(depth, cond).unwrap();
            assert!((y.value - f.value.clamp(0.0, 1.0)).abs() < 1e-12);
            let de = r.delta_e.get(depth, cond).unwrap();
            let truth = Truth::DELTA_E[d][c];
            let s = de.stderr.unwrap();
            assert!(s > 0.0 && s < 0.1, "{cond}/{depth}: ΔE stderr {s}");
            assert!(
                (de.value - truth).abs() < 4.0 * s,
                "{cond}/{depth}: ΔE {de} vs Table S1 {truth}"
            );
        }
    }
    // Ti 2p positions and splitting
    let fit = &r.xps[0].fit;
    let c4 = fit.fit.value("Ti4+.center").unwrap();
    let c3 = fit.fit.value("Ti3+.center").unwrap();
    let sp = fit.fit.value("Ti4+.splitting").unwrap();
    assert!((c4 - Truth::TI4_CENTER).abs() < 0.01, "Ti4+ at {c4}");
    assert!((c3 - Truth::TI3_CENTER).abs() < 0.1, "Ti3+ at {c3}");
    assert!((sp - Truth::TI2P_SPLITTING).abs() < 0.02, "splitting {sp}");

    // impedance: resistances within 2 %, the interface arc assigned to the electrode
    let p = &r.pellet;
    for (name, truth) in [
        ("R bulk", Truth::PELLET[0]),
        ("R grain boundary", Truth::PELLET[1]),
    ] {
        let v = p.quantity(name).unwrap().value;
        assert!(
            (v / truth - 1.0).abs() < 0.02,
            "pellet {name}: {v} vs {truth}"
        );
    }
    let c = &r.cell;
    for (name, truth) in [
        ("R bulk", Truth::CELL[0]),
        ("R grain boundary", Truth::CELL[1]),
        ("R interface", Truth::CELL[4]),
    ] {
        let v = c.quantity(name).unwrap().value;
        assert!(
            (v / truth - 1.0).abs() < 0.02,
            "cell {name}: {v} vs {truth}"
        );
    }
    // the DRT's peaks become two R‖CPE processes: the generating R and α
    // within 4 standard errors
    let pf = c.processes.as_ref().expect("the cell has a DRT");
    assert_eq!(pf.processes.len(), 2, "{pf}");
    for (p, (r, alpha)) in pf.processes.iter().zip([
        (Truth::CELL[1], Truth::CELL[3]),
        (Truth::CELL[4], Truth::CELL[6]),
    ]) {
        let (v, e) = (p.resistance.value, p.resistance.stderr.unwrap());
        assert!((v - r).abs() < 4.0 * e, "{}: R {v} ± {e} vs {r}", p.element);
        let (v, e) = (p.alpha.value, p.alpha.stderr.unwrap());
        assert!(
            (v - alpha).abs() < 4.0 * e,
            "{}: α {v} ± {e} vs {alpha}",
            p.element
        );
    }
    // the DRT's credible band: R_pol's posterior agrees with the DRT's R_pol
    // within a few σ, and the Lin-KK residuals are white with the
    // generator's 0.5 % noise
    let b = c.drt_bands.as_ref().expect("the cell has a DRT");
    let d = c.drt.as_ref().unwrap();
    let rp = b.polarization_resistance;
    assert!(
        (rp.mean - d.polarization_resistance).abs() < 4.0 * rp.std && rp.std > 0.0,
        "{rp:?} vs {}",
        d.polarization_resistance
    );
    assert_eq!(c.kk_scan.len(), (2 * c.kk.m).min(100));
    let w = c.kk.whiteness.expect("the report's Lin-KK fit is complex");
    assert!(w.z < 3.0 && (w.noise / 0.005 - 1.0).abs() < 0.1, "{w:?}");
    let (t, dmm) = Truth::PELLET_MM;
    let area = std::f64::consts::PI * (dmm / 20.0).powi(2);
    let sigma = c.quantity("σ bulk").unwrap().value;
    let truth = t / 10.0 / (Truth::CELL[0] * area);
    assert!(
        (sigma / truth - 1.0).abs() < 0.02,
        "σ bulk {sigma} vs {truth}"
    );
    let asr = c.quantity("ASR per interface").unwrap().value;
    assert!((asr / (Truth::CELL[4] * area / 2.0) - 1.0).abs() < 0.02);
    // every derived quantity carries a standard error (never ± 0), and the
    // effective capacitances, propagated through the full covariance of R, Q
    // and α, cover the generating values within 4σ
    for a in [&r.pellet, &r.cell] {
        for q in &a.quantities {
            let e = q.value.stderr;
            assert!(e.is_finite() && e > 0.0, "{} {}: ± {e}", a.name, q.name);
        }
    }
    use interphase::eis::conductivity::capacitance_zarc;
    for (name, truth) in [
        (
            "C grain boundary",
            capacitance_zarc(Truth::CELL[1], Truth::CELL[2], Truth::CELL[3]).unwrap(),
        ),
        (
            "C interface",
            capacitance_zarc(Truth::CELL[4], Truth::CELL[5], Truth::CELL[6]).unwrap(),
        ),
    ] {
        let v = c.quantity(name).unwrap();
        assert!(
            (v.value - truth).abs() < 4.0 * v.stderr,
            "cell {name}: {v} vs {truth:e}"
        );
    }
    // the two theoretical densities, both stated: exact x and Table S2's rounded formula
    let (rf, rd) = &r.rounded_formula_density;
    assert_eq!(rf, "Li0.33La0.56TiO3");
    assert!((rd - 5.021).abs() < 5e-4, "{rd}");
    let text = r.to_string();
    assert!(
        text.contains("Li0.33La0.5567TiO3") && text.contains("5.021 g/cm³"),
        "{text}"
    );
    use interphase::eis::conductivity::Assignment;
    let kinds: Vec<Assignment> = c.assignments.iter().map(|a| a.2).collect();
    assert_eq!(
        kinds,
        [Assignment::GrainBoundary, Assignment::ElectrodeInterface]
    );

    // Lin-KK: the synthetic spectra are KK-compliant within the 0.5 % noise
    for a in [&r.pellet, &r.cell] {
        assert!(a.kk.passes(0.02), "{}: {}", a.name, a.kk.max_abs_residual());
    }

    // DRT of the cell: the two largest peaks at the Zarcs' τ₀ = (RQ)^(1/α)
    // holding most of their resistances; none for the blocking pellet
    assert!(r.pellet.drt.is_none());
    let d = r.cell.drt.as_ref().unwrap();
    let mut big: Vec<_> = d.peaks.iter().collect();
    big.sort_by(|a, b| b.resistance.total_cmp(&a.resistance));
    let (mut gb, mut int) = (big[0], big[1]);
    if gb.tau > int.tau {
        std::mem::swap(&mut gb, &mut int);
    }
    let tau0 = |r: f64, q: f64, a: f64| (r * q).powf(1.0 / a);
    let t_gb = tau0(Truth::CELL[1], Truth::CELL[2], Truth::CELL[3]);
    let t_int = tau0(Truth::CELL[4], Truth::CELL[5], Truth::CELL[6]);
    assert!((gb.tau / t_gb - 1.0).abs() < 0.25, "{gb:?} vs {t_gb}");
    assert!((int.tau / t_int - 1.0).abs() < 0.1, "{int:?} vs {t_int}");
    assert!(
        (gb.resistance / Truth::CELL[1] - 1.0).abs() < 0.15,
        "{gb:?}"
    );
    assert!(
        (int.resistance / Truth::CELL[4] - 1.0).abs() < 0.1,
        "{int:?}"
    );
    let dc: f64 = Truth::CELL[0] + Truth::CELL[1] + Truth::CELL[4];
    assert!(((d.r_inf + d.polarization_resistance) / dc - 1.0).abs() < 0.02);

    // density: Table S2's 4.796 g/cm³ back from the Archimedes masses
    let row = &r.density[0];
    assert!(
        (row.bulk.value - Truth::BULK_DENSITY.0).abs() < 1e-4,
        "{}",
        row.bulk.value
    );
    assert!((row.open_porosity.value - Truth::BULK_DENSITY.1).abs() < 1e-4);
    assert!((row.relative.value - row.bulk.value / row.theoretical).abs() < 1e-12);

    // the report: text tables and HTML with every figure
    let text = r.to_string();
    for needle in [
        "Ti³⁺ / (Ti³⁺ + Ti⁴⁺)",
        "ΔE = E(b) − E(a)",
        "ASR per interface",
        "LLTO pellet",
        "Lin-KK (M = ",
        "Z-HIT (phase smoothed over 7 points",
        "DRT (λ = ",
        "DRT processes (one R‖CPE per peak",
        "posterior R_pol = ",
        "residuals white (whiteness z = ",
    ] {
        assert!(text.contains(needle), "report lacks {needle}:\n{text}");
    }
    // notebook HTML of the results
    let h = r.xps[0].fit.html();
    assert!(
        h.contains("<td>Ti3+/2</td>") && h.contains("<td>Ti4+.center</td>"),
        "{h}"
    );
    let h = r.cell.fit.html();
    assert!(
        h.contains("R0-p(R1,CPE1)-p(R2,CPE2)") && h.contains("<td>CPE2.alpha</td>"),
        "{h}"
    );
    let out = temp_dir("html");
    let index = r.write_html(&out).unwrap();
    let html = std::fs::read_to_string(&index).unwrap();
    assert_eq!(html.matches("<svg").count(), r.figures().unwrap().len());
    // every figure has a caption of its own, which does not repeat its title
    for f in r.figures().unwrap() {
        assert!(
            !f.caption().is_empty() && !f.caption().contains(f.title()),
            "{}: {}",
            f.title(),
            f.caption()
        );
    }
    assert_eq!(
        html.matches("<figcaption>").count(),
        html.matches("<svg").count()
    );
    // a zoom that would leave no point out is not drawn (the same figure twice)
    let titles: Vec<String> = r
        .figures()
        .unwrap()
        .iter()
        .map(|f| f.title().to_string())
        .collect();
    assert!(
        titles.iter().filter(|t| t.contains("arcs (Re Z")).count() <= 2,
        "{titles:?}"
    );
    assert!(html.contains("<caption>ΔE = E(b) − E(a), eV, from EELS</caption>"));
    // every result is a table (no preformatted terminal text), with a contents list
    assert!(
        !html.contains("<pre>"),
        "preformatted text left in the report"
    );
    assert!(html.contains("<caption>cell: fitted and derived quantities"));
    assert!(html.contains("<caption>Archimedes density (Table S2)</caption>"));
    assert!(html.contains("<a href=\"#eis\">Impedance</a>") && html.contains("id=\"eis\""));
    // no value rounded below its uncertainty (the Ti³⁺ fraction was 0.02 ± 0.00)
    assert!(
        !html.contains("± 0.00<") && !html.contains("± 0<"),
        "a value rounded away"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn settings_errors_are_clear() {
    let e = Settings::from_toml("composition_x = 0.11\nbogus = 1\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("sample.toml") && e.contains("bogus"), "{e}");
    // a series column not named <condition>/<depth>
    let d = temp_dir("bad");
    generate(&d, SEED).unwrap();
    std::fs::write(d.join("eels.csv"), "x,pristine\n500,1\n501,2\n502,3\n").unwrap();
    let e = analyse(&d, Settings::from_toml(SAMPLE_TOML).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("eels.csv: column `pristine` is not named `<condition>/<depth>`"),
        "{e}"
    );
    // a missing file names the path
    std::fs::remove_file(d.join("density.csv")).unwrap();
    std::fs::write(
        d.join("eels.csv"),
        std::fs::read(bundled().join("eels.csv")).unwrap(),
    )
    .unwrap();
    let e = analyse(&d, Settings::from_toml(SAMPLE_TOML).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("density.csv"), "{e}");
    // a bad density row names the line and column
    std::fs::write(
        d.join("density.csv"),
        "sample,dry_g,suspended_g,saturated_g,water_temperature_c\nA,1.2,x,1.3,22\n",
    )
    .unwrap();
    let e = analyse(&d, Settings::from_toml(SAMPLE_TOML).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("density.csv:2: column 3: `x` is not a number"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Arbitrary text, and byte changes and truncations of the bundled
    /// `sample.toml`, never panic the settings parser.
    #[test]
    fn settings_never_panic(text in "\\PC{0,200}", pos in 0usize..4000, cut in 1usize..4000, byte in 0u8..128) {
        let _ = Settings::from_toml(&text);
        let mut b = SAMPLE_TOML.as_bytes().to_vec();
        let p = pos % b.len();
        b[p] = byte;
        b.truncate(cut);
        let _ = Settings::from_toml(&String::from_utf8_lossy(&b));
    }
}

#[test]
fn eels_line_scan_recovers_thickness_and_valence_within_their_errors() {
    let r = analyse_dir(&bundled()).unwrap();
    let ls = r
        .linescan
        .as_ref()
        .expect("the bundled settings have a line scan");
    assert_eq!(ls.distance_nm.len(), Truth::LINESCAN_STEPS);
    let (mut within_1s_t, mut within_1s_f) = (0, 0);
    for (i, &d) in ls.distance_nm.iter().enumerate() {
        let row = &ls.thickness.rows[i];
        let t = ls.thickness.get(row, "t/λ").unwrap();
        let f = ls.ti3_fraction.get(row, "Ti³⁺ fraction").unwrap();
        let (st, sf) = (t.stderr.unwrap(), f.stderr.unwrap());
        let (tt, tf) = (
            Truth::linescan_t_over_lambda(d),
            Truth::linescan_ti3_fraction(d),
        );
        assert!(st > 0.0 && sf > 0.0);
        assert!((t.value - tt).abs() < 3.5 * st, "{d} nm: t/λ {t} vs {tt}");
        assert!((f.value - tf).abs() < 3.5 * sf, "{d} nm: Ti3+ {f} vs {tf}");
        within_1s_t += usize::from((t.value - tt).abs() < st);
        within_1s_f += usize::from((f.value - tf).abs() < sf);
    }
    // honest errors: about 68 % of 31 within 1σ (21 ± 2.6), neither all nor few
    for (what, k) in [("t/λ", within_1s_t), ("Ti3+", within_1s_f)] {
        assert!((14..=30).contains(&k), "{what}: {k} of 31 within 1σ");
    }
    // the profile is what the study reports: reduced near lithium
    let f0 = ls.ti3_fraction.get("0 nm", "Ti³⁺ fraction").unwrap().value;
    let f30 = ls.ti3_fraction.get("30 nm", "Ti³⁺ fraction").unwrap().value;
    assert!(f0 > 0.5 && f30 < 0.1, "{f0} {f30}");
}

/// The first headless Chromium found: `$INTERPHASE_CHROMIUM`, then `chromium`,
/// `chromium-browser`, `google-chrome` on PATH.
fn chromium() -> Option<String> {
    let named = std::env::var("INTERPHASE_CHROMIUM").ok();
    named
        .into_iter()
        .chain(["chromium", "chromium-browser", "google-chrome"].map(String::from))
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Runs headless Chromium on `file` with `args` before the URL; its stdout.
fn browse(chrome: &str, args: &[&str], file: &Path) -> String {
    let url = format!("file://{}", file.canonicalize().unwrap().display());
    let out = std::process::Command::new(chrome)
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .args(args)
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{chrome} on {url}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn report_renders_in_headless_chromium() {
    // The check of docs/llto.md "Looking at the report", run where a Chromium
    // is installed (CI installs Debian's `chromium`); elsewhere it says so.
    let Some(chrome) = chromium() else {
        eprintln!(
            "skipped: no headless Chromium (apt-get install chromium, or set INTERPHASE_CHROMIUM)"
        );
        return;
    };
    let r = analyse_dir(&bundled()).unwrap();
    let out = temp_dir("browser");
    let index = r.write_html(&out).unwrap();
    let html = std::fs::read_to_string(&index).unwrap();
    // the browser's DOM keeps every element of the file: no table, figure or
    // SVG swallowed or moved by the parser's error recovery
    let dom = browse(&chrome, &["--dump-dom"], &index);
    for tag in [
        "<table",
        "<caption>",
        "<figure",
        "<figcaption>",
        "<svg",
        "<h2",
        "<li>",
    ] {
        let (file_n, dom_n) = (html.matches(tag).count(), dom.matches(tag).count());
        assert!(
            file_n > 0 && dom_n == file_n,
            "{tag}: {file_n} in the file, {dom_n} in Chromium's DOM"
        );
    }
    // every figure file is well-formed SVG to the browser's XML parser
    let mut svgs = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            let d = browse(&chrome, &["--dump-dom"], &p);
            assert!(
                d.contains("<svg") && !d.contains("parsererror"),
                "{}: {}",
                p.display(),
                &d[..d.len().min(800)]
            );
            svgs += 1;
        }
    }
    assert_eq!(svgs, r.figures().unwrap().len());
    // a screenshot of the size asked for, with content (a blank page is ~5 kB)
    let shot = out.join("report.png");
    let arg = format!("--screenshot={}", shot.display());
    browse(&chrome, &[&arg, "--window-size=1100,2600"], &index);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    assert_eq!((be(16), be(20)), (1100, 2600), "IHDR width, height");
    assert!(
        png.len() > 50_000,
        "screenshot of {} bytes: a blank page?",
        png.len()
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn eels_map_recovers_the_rough_contact_within_its_errors() {
    let r = analyse_dir(&bundled()).unwrap();
    let m = r
        .eels_map
        .as_ref()
        .expect("the bundled settings have a map");
    let f = &m.ti3_fraction;
    let (ny, nx) = Truth::MAP_SHAPE;
    assert_eq!(f.shape, (ny, nx));
    assert!(f.failures.is_empty(), "{:?}", f.failures);
    let (mut within1, mut worst) = (0, 0.0f64);
    for row in 0..ny {
        for col in 0..nx {
            let e = f.get(row, col).unwrap();
            let s = e.stderr.expect("every pixel has σ");
            let z = (e.value - Truth::map_ti3_fraction(row, col)) / s;
            worst = worst.max(z.abs());
            within1 += usize::from(z.abs() <= 1.0);
            assert!(s > 0.0 && s < 0.02, "σ = {s} at ({row}, {col})");
        }
    }
    let n = ny * nx;
    println!("{within1} of {n} pixels within 1σ, largest |z| {worst:.2}");
    assert!(worst < 4.0, "largest |z| {worst}");
    // 68 % nominal: 192 pixels give 0.68 ± 0.034
    assert!(
        (0.58..=0.78).contains(&(within1 as f64 / n as f64)),
        "{within1} of {n}"
    );
    // the roughness shows: the same column differs between rows by far more than σ
    let col = 3;
    let v: Vec<f64> = (0..ny).map(|r| f.get(r, col).unwrap().value).collect();
    let spread =
        v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 0.1, "spread {spread} in column {col}");
    // a wrong column order is refused, not mapped
    let d = temp_dir("map-order");
    generate(&d, SEED).unwrap();
    let csv = std::fs::read_to_string(d.join("eels_map.csv")).unwrap();
    std::fs::write(
        d.join("eels_map.csv"),
        csv.replacen("y0 x1,y0 x2", "y0 x2,y0 x1", 1),
    )
    .unwrap();
    let e = analyse_dir(&d).unwrap_err().to_string();
    assert!(e.contains("`y0 x2` where pixel `y0 x1` belongs"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}
