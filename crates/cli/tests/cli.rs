//! The built `interphase` binary: outputs, and bad input that must end in
//! `error: ...` with exit status 2, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_interphase"))
}

fn nist(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fit/tests/data/nist")
        .join(name)
}

/// Writes `bytes` to `name` in this process's scratch directory and returns
/// the path. Tests run in parallel and some share a file (`llto.xy`), so the
/// file is written under a unique name and renamed into place: a reader sees
/// the old or the new complete file, never a truncated one (a plain
/// `fs::write` let one test read another's half-written file).
fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("interphase-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staging = dir.join(format!(".{name}.{serial}.part"));
    std::fs::write(&staging, bytes).unwrap();
    std::fs::rename(&staging, &p).unwrap();
    p
}

/// Asserts that the command succeeded (showing its stderr if not) and parses
/// its standard output as JSON.
fn ok_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_input_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.starts_with("error:"), "stderr: {err}");
    assert!(err.contains(needle), "stderr lacks '{needle}': {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    let out = bin()
        .args(["nist", "--format", "json", "--start", "2"])
        .arg(nist("Misra1a.dat"))
        .output()
        .unwrap();
    let doc = ok_json(&out);
    let fit = &doc["fits"][0];
    assert_eq!(fit["name"], "Misra1a start 2");
    assert_eq!(fit["converged"], true);
    for key in ["chi_square", "reduced_chi_square", "n_evaluations"] {
        assert!(fit[key].is_number(), "{key}");
    }
    let params = fit["parameters"].as_array().unwrap();
    assert_eq!(params[0]["name"], "b1");
    assert_eq!(params[1]["name"], "b2");
    // certified b1 = 2.3894212918E+02 (NIST StRD Misra1a)
    let b1 = params[0]["value"].as_f64().unwrap();
    assert!((b1 / 238.94212918 - 1.0).abs() < 1e-8, "{b1}");
    assert!(params[0]["stderr"].is_number());
    assert_eq!(params[0]["vary"], true);
}

#[test]
fn table_and_csv_outputs() {
    let out = bin()
        .args(["nist"])
        .arg(nist("DanWood.dat"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(
        text.contains("== DanWood start 1") && text.contains("== DanWood start 2"),
        "{text}"
    );
    assert!(text.contains("[[Variables]]"));
    let out = bin()
        .args(["nist", "--format", "csv", "--start", "1"])
        .arg(nist("DanWood.dat"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "fit,converged,chi_square,parameter,value,stderr,vary"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("DanWood start 1,true,"));
}

#[test]
fn bad_input_exits_2_with_a_message() {
    assert_input_error(
        &bin()
            .args(["nist", "/nonexistent/file.dat"])
            .output()
            .unwrap(),
        "cannot read",
    );
    assert_input_error(
        &bin()
            .arg("nist")
            .arg(tmp("empty.dat", b""))
            .output()
            .unwrap(),
        "line 1",
    );
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert_input_error(
        &bin()
            .arg("nist")
            .arg(tmp("binary.dat", &binary))
            .output()
            .unwrap(),
        "error",
    );
    assert_input_error(
        &bin()
            .arg("nist")
            .arg(tmp("csv.dat", b"x,y\n1,2\n3,4\n"))
            .output()
            .unwrap(),
        "NIST/ITL StRD",
    );
    let text = std::fs::read_to_string(nist("Misra1a.dat")).unwrap();
    let bad = text.replacen("b1 =   500 ", "b1 =   5x0 ", 1);
    assert_ne!(bad, text, "the mangling must change the file");
    assert_input_error(
        &bin()
            .arg("nist")
            .arg(tmp("badnum.dat", bad.as_bytes()))
            .output()
            .unwrap(),
        "expected a number",
    );
    // usage errors
    assert_input_error(
        &bin()
            .args(["nist", "--format", "xml"])
            .arg(nist("Misra1a.dat"))
            .output()
            .unwrap(),
        "xml",
    );
    assert_input_error(
        &bin()
            .args(["nist", "--start", "3"])
            .arg(nist("Misra1a.dat"))
            .output()
            .unwrap(),
        "3",
    );
    assert_input_error(&bin().args(["nist"]).output().unwrap(), "required");
    assert_input_error(&bin().args(["frobnicate"]).output().unwrap(), "frobnicate");
    assert_input_error(&bin().output().unwrap(), "Usage");
}

#[test]
fn help_and_version_succeed() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nist"));
    assert!(bin().arg("--version").output().unwrap().status.success());
}

fn quantities(args: &[&str]) -> serde_json::Value {
    let out = bin()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc = ok_json(&out);
    doc["quantities"].clone()
}

fn q(doc: &serde_json::Value, name: &str) -> f64 {
    doc.as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no quantity {name}"))["value"]
        .as_f64()
        .unwrap()
}

#[test]
fn materials_subcommands_reproduce_table_s2() {
    let d = quantities(&[
        "materials",
        "density",
        "--formula",
        "Li0.33La0.56TiO3",
        "--cell",
        "cubic",
        "--a",
        "3.875",
        "--z",
        "1",
    ]);
    assert!((q(&d, "theoretical_density") - 5.0212).abs() < 1e-3);
    let r = quantities(&[
        "materials",
        "relative-density",
        "--measured",
        "4.796",
        "--theoretical",
        "5.021",
    ]);
    assert!((q(&r, "relative_density_percent") - 95.52).abs() < 0.01);
    let f = quantities(&["materials", "formula", "TiO2"]);
    assert!((q(&f, "molar_mass") - (47.867 + 2.0 * 15.999)).abs() < 1e-9);
    let l = quantities(&[
        "materials",
        "llto",
        "--x",
        "0.11",
        "--ti3-fraction",
        "0.12",
        "--a",
        "3.875",
    ]);
    assert!((q(&l, "li_insertion_y") - 0.12).abs() < 1e-12);
    let a = quantities(&[
        "materials",
        "archimedes",
        "--dry",
        "1.2",
        "--suspended",
        "0.95",
        "--saturated",
        "1.205",
        "--temperature-c",
        "25",
    ]);
    assert!((q(&a, "bulk_density") - 1.2 * 0.997047 / 0.255).abs() < 1e-5);
}

#[test]
fn materials_bad_input_exits_2_with_a_message() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["materials", "formula", "Li3xLa2/3-xTiO3"],
            "variable stoichiometry",
        ),
        (&["materials", "formula", ""], "empty formula"),
        (
            &[
                "materials",
                "density",
                "--formula",
                "TiO2",
                "--cell",
                "tetragonal",
                "--a",
                "4.59",
                "--z",
                "2",
            ],
            "needs --c",
        ),
        (
            &[
                "materials",
                "density",
                "--formula",
                "TiO2",
                "--cell",
                "cubic",
                "--a=-4",
                "--z",
                "2",
            ],
            "a_angstrom",
        ),
        (&["materials", "llto", "--x", "0.3"], "1/6"),
        (
            &[
                "materials",
                "archimedes",
                "--dry",
                "1",
                "--suspended",
                "1.1",
                "--saturated",
                "1.2",
            ],
            "suspended",
        ),
    ];
    for (args, needle) in cases {
        let out = bin().args(args).output().unwrap();
        assert_input_error(&out, needle);
    }
    let out = bin()
        .args([
            "materials",
            "relative-density",
            "--measured",
            "abc",
            "--theoretical",
            "5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error:"));
}

fn minimal_vms() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spectra/tests/data/minimal.vms")
}

#[test]
fn spectrum_info_reports_blocks() {
    let out = bin()
        .args(["spectrum", "info", "--format", "json"])
        .arg(minimal_vms())
        .output()
        .unwrap();
    let doc = ok_json(&out);
    assert_eq!(doc["format"], "vamas");
    let s = &doc["spectra"][0];
    assert_eq!(s["name"], "C 1s");
    assert_eq!(s["technique"], "xps");
    assert_eq!(s["x_quantity"], "kinetic-energy");
    assert_eq!(s["points"], 5);
    assert_eq!(s["photon_energy"], 1486.6);
    assert_eq!(s["counts"], true);
    assert_eq!(s["extra"]["pass_energy"], "20");
}

#[test]
fn spectrum_baseline_every_column() {
    // two intensity columns → x plus (data, baseline, corrected) for each
    let mut csv = String::from("x,a,b\n");
    for i in 0..40 {
        let x = i as f64;
        csv.push_str(&format!(
            "{x},{},{}\n",
            10.0 + x,
            5.0 + 100.0 * (-((x - 20.0) / 3.0f64).powi(2)).exp()
        ));
    }
    let p = tmp("two.csv", csv.as_bytes());
    let out = bin()
        .args([
            "spectrum",
            "baseline",
            "--method",
            "linear",
            "--average-points",
            "1",
            "--format",
            "csv",
        ])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "x,a,a_baseline,a_corrected,b,b_baseline,b_corrected"
    );
    let row: Vec<f64> = lines
        .nth(10)
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    // column a is a straight line: the linear baseline is exact, corrected = 0
    assert!(
        (row[2] - 20.0).abs() < 1e-12 && row[3].abs() < 1e-12,
        "{row:?}"
    );
    let out = bin()
        .args([
            "spectrum", "baseline", "--method", "arpls", "--lam", "1e3", "--format", "json",
            "--block", "b",
        ])
        .arg(&p)
        .output()
        .unwrap();
    let doc = ok_json(&out);
    assert_eq!(doc["spectra"].as_array().unwrap().len(), 1);
    assert_eq!(doc["spectra"][0]["method"], "arpls");
    assert_eq!(doc["spectra"][0]["corrected"].as_array().unwrap().len(), 40);
}

#[test]
fn spectrum_peaks_finds_the_peak() {
    let mut csv = String::new();
    for i in 0..100 {
        let x = 280.0 + 0.1 * i as f64;
        csv.push_str(&format!(
            "{x} {}\n",
            50.0 + 1000.0 * (-0.5 * ((x - 285.0) / 0.4f64).powi(2)).exp()
        ));
    }
    let p = tmp("peak.txt", csv.as_bytes());
    let out = bin()
        .args([
            "spectrum",
            "peaks",
            "--prominence",
            "100",
            "--format",
            "json",
        ])
        .arg(&p)
        .output()
        .unwrap();
    let doc = ok_json(&out);
    let peaks = doc["peaks"].as_array().unwrap();
    assert_eq!(peaks.len(), 1);
    assert!((peaks[0]["x"].as_f64().unwrap() - 285.0).abs() < 1e-9);
    // FWHM of a Gaussian with σ = 0.4 eV: 0.942 eV (linear interpolation: within 1 %)
    assert!((peaks[0]["width_x"].as_f64().unwrap() - 0.942).abs() < 0.01);
}

#[test]
fn spectrum_bad_input_is_an_error_with_a_line() {
    let p = tmp("bad.csv", b"x,y\n1,2\n2,oops\n");
    let out = bin().args(["spectrum", "info"]).arg(&p).output().unwrap();
    assert_input_error(&out, "bad.csv:3: column 2");
    let vms = std::fs::read_to_string(minimal_vms()).unwrap();
    let p = tmp("cut.vms", &vms.as_bytes()[..vms.len() / 2]);
    let out = bin().args(["spectrum", "info"]).arg(&p).output().unwrap();
    assert_input_error(&out, "unexpected end of file");
    let out = bin()
        .args(["spectrum", "info", "--block", "Ti 2p"])
        .arg(minimal_vms())
        .output()
        .unwrap();
    assert_input_error(&out, "no spectrum named");
    let out = bin()
        .args(["spectrum", "baseline", "--method", "asls", "--lam=-1"])
        .arg(minimal_vms())
        .output()
        .unwrap();
    assert_input_error(&out, "lam");
    let out = bin()
        .args(["spectrum", "info", "/definitely/not/here.msa"])
        .output()
        .unwrap();
    assert_input_error(&out, "here.msa");
}

#[test]
fn eis_fit_recovers_an_rc_without_a_guess() {
    // R0-p(R1,C1) with R0 = 20 Ω, R1 = 100 Ω, C1 = 1 µF, as f, Re Z, Im Z
    let mut csv = String::from("freq,Zre,Zim\n");
    for i in 0..50 {
        let f = 10f64.powf(6.0 - 0.12 * i as f64);
        let w = 2.0 * std::f64::consts::PI * f;
        let (a, b) = (1.0, w * 100.0 * 1e-6);
        let d = a * a + b * b;
        csv.push_str(&format!(
            "{f},{},{}\n",
            20.0 + 100.0 * a / d,
            -100.0 * b / d
        ));
    }
    let p = tmp("rc.csv", csv.as_bytes());
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let doc = ok_json(&out);
    let params = doc["fits"][0]["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["R0", "R1", "C1"]);
    assert!(doc["fits"][0].get("covariance").is_none());
    // the robust covariance says so, on the same fit
    let robust = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--format", "json"])
        .arg("--robust-covariance")
        .arg(&p)
        .output()
        .unwrap();
    let rdoc: serde_json::Value = serde_json::from_slice(&robust.stdout).unwrap();
    assert_eq!(rdoc["fits"][0]["covariance"], "robust");
    assert_eq!(
        rdoc["fits"][0]["parameters"][1]["value"],
        doc["fits"][0]["parameters"][1]["value"]
    );
    for (p, want) in params.iter().zip([20.0, 100.0, 1e-6]) {
        let v = p["value"].as_f64().unwrap();
        assert!((v / want - 1.0).abs() < 1e-6, "{p}");
    }
}

/// `eis fit` of the LLTO example's symmetric cell (data/llto/eis_cell.csv)
/// with its circuit and `extra` options.
fn eis_fit_cell(extra: &[&str]) -> std::process::Output {
    let cell =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/llto/eis_cell.csv");
    bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,CPE1)-p(R2,CPE2)"])
        .args(extra)
        .arg(cell)
        .output()
        .unwrap()
}

/// `eis fit` reports the effective capacitance and relaxation time of every
/// parallel R–CPE pair with a standard error from the full covariance, in
/// every format (issue 26, item 5).
#[test]
fn eis_fit_reports_effective_capacitances_with_errors() {
    let run = |format: &str| {
        let out = eis_fit_cell(&["--format", format]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let doc: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let fit = &doc["fits"][0];
    let v = |n: &str| {
        fit["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let d = fit["derived"].as_array().unwrap();
    let names: Vec<&str> = d.iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "C_eff(R1,CPE1)",
            "tau(R1,CPE1)",
            "C_eff(R2,CPE2)",
            "tau(R2,CPE2)"
        ]
    );
    let c1 = (v("R1") * v("CPE1.Q")).powf(1.0 / v("CPE1.alpha")) / v("R1");
    assert!((d[0]["value"].as_f64().unwrap() / c1 - 1.0).abs() < 1e-12);
    for q in d {
        let (val, se) = (q["value"].as_f64().unwrap(), q["stderr"].as_f64().unwrap());
        // the synthetic cell (0.1 % noise) determines them to better than 2 %
        assert!(se > 0.0 && se < 0.02 * val, "{q}");
    }
    assert!(run("table").contains("C_eff(R2,CPE2)"));
    assert!(
        run("csv")
            .lines()
            .any(|l| l.contains("tau(R1,CPE1)") && l.ends_with(",derived"))
    );
}

/// `eis fit --monte-carlo N`: the spread of every parameter and derived
/// quantity over N refits, beside the covariance errors, reproducible from
/// the seed (issue 26, item 2).
#[test]
fn eis_fit_monte_carlo() {
    let run = |extra: &[&str]| {
        let base = [
            "--weight",
            "proportional",
            "--format",
            "json",
            "--monte-carlo",
            "150",
        ];
        let out = eis_fit_cell(&[&base[..], extra].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let doc = run(&[]);
    let mc = &doc["fits"][0]["monte_carlo"];
    assert_eq!(
        (mc["n_ok"].as_u64(), mc["resampling"].as_str()),
        (Some(150), Some("gaussian"))
    );
    for s in mc["params"]
        .as_array()
        .unwrap()
        .iter()
        .chain(mc["derived"].as_array().unwrap())
    {
        let ratio = s["std"].as_f64().unwrap() / s["covariance_stderr"].as_f64().unwrap();
        // a near-linear fit: the spread matches the covariance (sampling error 6 %)
        assert!((0.75..1.25).contains(&ratio), "{s}");
    }
    assert_eq!(mc["derived"][0]["name"], "C_eff(R1,CPE1)");
    assert_eq!(run(&[])["fits"][0]["monte_carlo"], *mc);
    let boot = run(&["--bootstrap", "--seed", "5"]);
    assert_eq!(boot["fits"][0]["monte_carlo"]["resampling"], "bootstrap");
    assert_ne!(boot["fits"][0]["monte_carlo"]["params"], mc["params"]);
}

/// `spectrum fit --robust-covariance`: the same optimum, the sandwich (HC3)
/// standard errors, and the JSON says which covariance it is.
#[test]
fn spectrum_fit_robust_covariance() {
    let data = spectra_data("ti2p_synthetic.csv");
    let model = spectra_data("ti2p_linear.toml");
    let plain = json_of(&spectrum_fit_json(&model, &[&data]));
    let robust = json_of(&spectrum_fit_json_with(
        &["--robust-covariance"],
        &model,
        &[&data],
    ));
    assert!(plain["fits"][0].get("covariance").is_none());
    assert_eq!(robust["fits"][0]["covariance"], "robust");
    let (a, b) = (
        &plain["fits"][0]["parameters"],
        &robust["fits"][0]["parameters"],
    );
    for k in 0..a.as_array().unwrap().len() {
        assert_eq!(a[k]["value"], b[k]["value"]);
        if let (Some(x), Some(y)) = (a[k]["stderr"].as_f64(), b[k]["stderr"].as_f64()) {
            assert!(
                x > 0.0 && y > 0.0 && (x / y - 1.0).abs() > 1e-9,
                "{}",
                a[k]["name"]
            );
        }
    }
}

/// `spectrum fit --projection on|off|auto`: the same optimum and standard
/// errors whichever way the areas and background coefficients are found.
#[test]
fn spectrum_fit_projection_choices_agree() {
    let data = spectra_data("ti2p_synthetic.csv");
    let model = spectra_data("ti2p_linear.toml");
    let run = |choice: &str| {
        json_of(&spectrum_fit_json_with(
            &["--projection", choice],
            &model,
            &[&data],
        ))
    };
    let off = run("off");
    for choice in ["on", "auto"] {
        let other = run(choice);
        let (a, b) = (&off["fits"][0], &other["fits"][0]);
        let (ca, cb) = (
            a["chi_square"].as_f64().unwrap(),
            b["chi_square"].as_f64().unwrap(),
        );
        assert!(((ca - cb) / ca).abs() < 1e-9, "{choice}: {ca} vs {cb}");
        for (p, q) in a["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["parameters"].as_array().unwrap())
        {
            let (x, y) = (p["value"].as_f64().unwrap(), q["value"].as_f64().unwrap());
            let se = p["stderr"].as_f64().unwrap_or(0.0);
            assert!(
                (x - y).abs() <= 1e-3 * se + 1e-9 * x.abs(),
                "{choice}: {p} vs {q}"
            );
        }
    }
    let bad = bin()
        .args(["spectrum", "fit", "--projection", "maybe", "--model"])
        .arg(&model)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("auto"));
}

/// The JSON document of a command that must have succeeded.
/// `interphase spectrum fit --format json --model MODEL FILES...`.
fn spectrum_fit_json(model: &Path, files: &[&Path]) -> Output {
    spectrum_fit_json_with(&[], model, files)
}

/// [`spectrum_fit_json`] with `extra` options before `--model`.
fn spectrum_fit_json_with(extra: &[&str], model: &Path, files: &[&Path]) -> Output {
    bin()
        .args(["spectrum", "fit", "--format", "json"])
        .args(extra)
        .arg("--model")
        .arg(model)
        .args(files)
        .output()
        .unwrap()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The JSON of a batch in which exactly `failed` of `total` fits failed
/// (exit status 1), after checking that stderr names each of `named`.
fn json_of_partial(
    out: &std::process::Output,
    failed: usize,
    total: usize,
    named: &[&str],
) -> serde_json::Value {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{failed} of {total} fits failed")),
        "{err}"
    );
    for n in named {
        assert!(err.contains(n), "{n} not in: {err}");
    }
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `spectrum fit --monte-carlo N`: a `monte_carlo` object per fit with the
/// spread of every parameter beside its covariance error.
#[test]
fn spectrum_fit_monte_carlo() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/llto");
    let out = bin()
        .args([
            "spectrum",
            "fit",
            "--format",
            "json",
            "--spectrum",
            "1",
            "--monte-carlo",
            "60",
            "--model",
        ])
        .arg(root.join("ti2p_model.toml"))
        .arg(root.join("xps_ti2p.csv"))
        .output()
        .unwrap();
    let doc = json_of(&out);
    let mc = &doc["fits"][0]["monte_carlo"];
    assert_eq!(
        mc["n_ok"].as_u64().unwrap() + mc["n_failed"].as_u64().unwrap(),
        60
    );
    let c = mc["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Ti4+.center")
        .unwrap();
    let ratio = c["std"].as_f64().unwrap() / c["covariance_stderr"].as_f64().unwrap();
    assert!((0.6..1.4).contains(&ratio), "{c}");
}

/// A batch never loses the other files' results because one failed: the
/// good fits are written, the failure is named on stderr, exit status 1.
#[test]
fn a_failed_fit_does_not_lose_the_batch() {
    let good = tmp("batch_good.csv", rc_csv(20.0, 100.0, 1e-6).as_bytes());
    let bad = tmp("batch_bad.csv", b"freq,Zre,Zim\n1000,20,-5\n");
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--format", "json"])
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    let doc = json_of_partial(&out, 1, 2, &["batch_bad.csv: "]);
    let fits = doc["fits"].as_array().unwrap();
    assert_eq!(fits.len(), 1);
    assert!(
        fits[0]["name"]
            .as_str()
            .unwrap()
            .ends_with("batch_good.csv")
    );

    // the same for spectra: a two-point spectrum cannot take a four-parameter model
    let model = tmp(
        "batch_model.toml",
        b"[background]\nkind = \"linear\"\n[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5.0\nfwhm = 1.0\narea = 10.0\n",
    );
    let mut spectrum = String::from("x,y\n");
    for i in 0..60 {
        let x = f64::from(i) * 0.2;
        spectrum.push_str(&format!(
            "{x},{}\n",
            1.0 + 9.39 * (-2.77 * (x - 5.0).powi(2)).exp()
        ));
    }
    let good = tmp("batch_peak.csv", spectrum.as_bytes());
    let bad = tmp("batch_short.csv", b"x,y\n1,2\n2,3\n");
    let out = spectrum_fit_json(&model, &[&good, &bad]);
    let doc = json_of_partial(&out, 1, 2, &["batch_short"]);
    assert_eq!(doc["fits"].as_array().unwrap().len(), 1);
}

/// R0-p(R1,C1) as "f,Re Z,Im Z" CSV text.
fn rc_csv(r0: f64, r1: f64, c1: f64) -> String {
    let mut csv = String::from("freq,Zre,Zim\n");
    for i in 0..50 {
        let f = 10f64.powf(6.0 - 0.12 * i as f64);
        let w = 2.0 * std::f64::consts::PI * f;
        let (a, b) = (1.0, w * r1 * c1);
        let d = a * a + b * b;
        csv.push_str(&format!("{f},{},{}\n", r0 + r1 * a / d, -r1 * b / d));
    }
    csv
}

#[test]
fn eis_fit_share_and_guess_auto() {
    // two cells sharing R0 and C1, with their own R1
    let a = tmp("cell_a.csv", rc_csv(20.0, 100.0, 1e-6).as_bytes());
    let b = tmp("cell_b.csv", rc_csv(20.0, 300.0, 1e-6).as_bytes());
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--guess", "auto"])
        .args([
            "--share",
            "R0,C1",
            "--weight",
            "proportional",
            "--format",
            "json",
        ])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    let doc = ok_json(&out);
    let fits = doc["fits"].as_array().unwrap();
    assert_eq!(fits.len(), 3);
    assert_eq!(fits[2]["name"], "global");
    let value = |fit: &serde_json::Value, name: &str| {
        fit["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["value"].as_f64())
            .unwrap()
    };
    for (k, r1) in [100.0, 300.0].iter().enumerate() {
        assert!((value(&fits[k], "R1") / r1 - 1.0).abs() < 1e-6);
        assert!((value(&fits[2], &format!("R1@{k}")) / r1 - 1.0).abs() < 1e-6);
    }
    assert!((value(&fits[2], "R0") / 20.0 - 1.0).abs() < 1e-6);
    assert!((value(&fits[2], "C1") / 1e-6 - 1.0).abs() < 1e-6);
    // each file's derived quantities, σ from the global covariance
    for (k, r1) in [100.0, 300.0].iter().enumerate() {
        let derived = fits[k]["derived"].as_array().unwrap();
        let tau = derived.iter().find(|d| d["name"] == "tau(R1,C1)").unwrap();
        assert!((tau["value"].as_f64().unwrap() / (r1 * 1e-6) - 1.0).abs() < 1e-6);
        assert!(tau.get("stderr").is_some(), "{tau}");
    }
    // the global entry has none of its own
    assert!(fits[2]["derived"].as_array().is_none_or(|d| d.is_empty()));
    // --guess and --initial conflict; an unknown shared name is an input error
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--guess", "auto"])
        .args(["--initial", "1,2,3"])
        .arg(&a)
        .output()
        .unwrap();
    assert_input_error(&out, "cannot be used with");
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--share", "R7"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_input_error(&out, "`R7` is not a parameter");
}

#[test]
fn eis_bad_input_is_an_error() {
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,Q1)", "x.csv"])
        .output()
        .unwrap();
    assert_input_error(&out, "position 9");
    let p = tmp(
        "bad.z",
        b"ZPLOT2 ASCII\nEnd Comments\n1e3\t0\t0\t0\t10\tabc\n",
    );
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)"])
        .arg(&p)
        .output()
        .unwrap();
    assert_input_error(&out, "bad.z:3: column 6");
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--initial", "1,2"])
        .arg(&p)
        .output()
        .unwrap();
    assert_input_error(&out, "bad.z");
}

fn spectra_data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../spectra/tests/data")
        .join(name)
}

#[test]
fn spectrum_fit_json_csv_and_curves() {
    let data = spectra_data("ti2p_synthetic.csv");
    let model = spectra_data("ti2p_linear.toml");
    let out = spectrum_fit_json(&model, &[&data]);
    let doc = ok_json(&out);
    let fit = &doc["fits"][0];
    assert_eq!(fit["converged"], true);
    // lmfit's optimum (crates/spectra/tests/peak_reference.rs)
    let chi = fit["chi_square"].as_f64().unwrap();
    assert!((chi / 428149.8344069208 - 1.0).abs() < 1e-6, "{chi}");
    let comps = fit["components"].as_array().unwrap();
    assert_eq!(comps.len(), 4);
    assert_eq!(comps[1]["label"], "Ti4+/2");
    let pct: f64 = comps
        .iter()
        .map(|c| c["area_percent"].as_f64().unwrap())
        .sum();
    assert!((pct - 100.0).abs() < 1e-9);
    // csv rows and curve files
    let dir = std::env::temp_dir().join(format!("interphase-cli-curves-{}", std::process::id()));
    let out = bin()
        .args(["spectrum", "fit", "--format", "csv", "--model"])
        .arg(&model)
        .arg(&data)
        .arg("--curves")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.starts_with("fit,component,peak,shape,center"));
    let curves = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let c = std::fs::read_to_string(curves).unwrap();
    assert!(c.starts_with("x,y,background,envelope,Ti4+,Ti4+/2,Ti3+,Ti3+/2,residual"));
    assert_eq!(c.lines().count(), 501);
    // a bad model file
    let bad = tmp(
        "bad_model.toml",
        b"[[peaks]]\nname = \"A\"\nshape = \"voight\"\n",
    );
    let out = bin()
        .args(["spectrum", "fit", "--model"])
        .arg(&bad)
        .arg(&data)
        .output()
        .unwrap();
    assert_input_error(&out, "bad_model.toml:3");
}

#[test]
fn spectrum_fit_global_share_and_plot() {
    // the same spectrum twice, sharing the widths: each spectrum's optimum is
    // still lmfit's, and the global χ² is twice it
    let data = spectra_data("ti2p_synthetic.csv");
    let model = spectra_data("ti2p_linear.toml");
    let dir = std::env::temp_dir().join(format!("interphase-cli-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("fit.svg");
    let out = bin()
        .args(["spectrum", "fit", "--format", "json", "--model"])
        .arg(&model)
        .arg(&data)
        .arg(&data)
        .args([
            "--share",
            "Ti4+.sigma,Ti4+.gamma,Ti4+.width_ratio",
            "--plot",
        ])
        .arg(&svg)
        .output()
        .unwrap();
    let doc = ok_json(&out);
    for k in 0..2 {
        let chi = doc["fits"][k]["chi_square"].as_f64().unwrap();
        assert!((chi / 428149.8344069208 - 1.0).abs() < 1e-6, "{chi}");
    }
    let g = &doc["global"];
    assert_eq!(g["shared"][0], "Ti4+.sigma");
    assert_eq!(g["n_data"], 1000);
    let chi = g["chi_square"].as_f64().unwrap();
    assert!(
        (chi / (2.0 * 428149.8344069208) - 1.0).abs() < 1e-6,
        "{chi}"
    );
    for k in 0..2 {
        let text = std::fs::read_to_string(dir.join(format!("fit-{k}.svg"))).unwrap();
        assert!(text.starts_with("<svg"), "{}", &text[..40.min(text.len())]);
        assert!(text.contains("Ti3+/2"));
    }
    // table output carries the global summary
    let out = bin()
        .args(["spectrum", "fit", "--model"])
        .arg(&model)
        .arg(&data)
        .args(["--share", "Ti4+.sigma"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("== global fit =="));
    // an unknown shared name
    let out = bin()
        .args(["spectrum", "fit", "--model"])
        .arg(&model)
        .arg(&data)
        .args(["--share", "Ti4+.sigmaa"])
        .output()
        .unwrap();
    assert_input_error(&out, "`Ti4+.sigmaa` is not a parameter");
}

#[test]
fn progress_lines_and_warm_starts() {
    let data = spectra_data("ti2p_synthetic.csv");
    let model = spectra_data("ti2p_linear.toml");
    let out = bin()
        .args([
            "spectrum",
            "fit",
            "--format",
            "csv",
            "--progress",
            "--warm-start",
            "--model",
        ])
        .arg(&model)
        .arg(&data)
        .arg(&data)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fitted 3/3 (0 failed)"), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1 + 3 * 4
    );
    // without --progress (and not on a terminal): nothing on stderr
    let out = bin()
        .args(["spectrum", "fit", "--model"])
        .arg(&model)
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
    let a = tmp("progress_cell.csv", rc_csv(20.0, 100.0, 1e-6).as_bytes());
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--progress"])
        .arg(&a)
        .arg(&a)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fitted 2/2 (0 failed)"));
}

#[test]
fn demo_generates_analyses_and_reports() {
    let dir = std::env::temp_dir().join(format!("interphase-cli-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin().arg("demo").arg("--out").arg(&dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("ΔE = E(b) − E(a), eV, from EELS"), "{text}");
    assert!(text.contains("ASR per interface"), "{text}");
    assert!(dir.join("index.html").is_file());
    assert!(dir.join("data/sample.toml").is_file());
    // a directory without sample.toml: input error naming the file
    let out = bin()
        .args(["demo", "--data"])
        .arg(dir.join("nowhere"))
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert_input_error(&out, "sample.toml");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eis_drt_processes() {
    let cell = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/llto/eis_cell.csv");
    let out = bin()
        .args(["eis", "drt", "--processes", "4", "--format", "json"])
        .arg(&cell)
        .output()
        .unwrap();
    let v = json_of(&out);
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| q.iter().find(|r| r["name"] == n).cloned();
    // the cell's DRT has several peaks; the data hold two R‖CPE processes
    assert_eq!(
        get("process_circuit").unwrap()["value"],
        "R0-p(R1,CPE1)-p(R2,CPE2)"
    );
    for name in ["process1_tau", "process1_R", "process2_tau", "process2_R"] {
        let r = get(name).unwrap();
        let (v, s) = (
            r["value"].as_f64().unwrap(),
            r["uncertainty"].as_f64().unwrap(),
        );
        assert!(v > 0.0 && s > 0.0 && s < 0.05 * v, "{name}: {v} ± {s}");
    }
    assert!(get("process3_tau").is_none());
}

#[test]
fn eis_kk_and_zhit_take_many_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/llto");
    let (cell, pellet) = (dir.join("eis_cell.csv"), dir.join("eis_pellet.csv"));
    for cmd in ["kk", "zhit"] {
        // one process, several files, output in the order given
        let out = bin()
            .args(["eis", cmd, "--format", "json"])
            .arg(&pellet)
            .arg(&cell)
            .output()
            .unwrap();
        let v = json_of(&out);
        let files: Vec<String> = v["quantities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["name"] == "file")
            .map(|r| r["value"].as_str().unwrap().to_string())
            .collect();
        assert!(
            files.len() == 2 && files[0].ends_with("eis_pellet.csv"),
            "{files:?}"
        );
        // a missing file does not lose the others: named on stderr, exit 1
        let out = bin()
            .args(["eis", cmd])
            .arg(&cell)
            .arg("no-such-file.csv")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("no-such-file.csv") && err.contains("1 of 2 files failed"),
            "{err}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("eis_cell.csv"));
        // per-point residuals of each file, numbered in the order given
        let base =
            std::env::temp_dir().join(format!("interphase-res-{cmd}-{}.csv", std::process::id()));
        let out = bin()
            .args(["eis", cmd, "--residuals-out"])
            .arg(&base)
            .arg(&pellet)
            .arg(&cell)
            .output()
            .unwrap();
        assert!(out.status.success());
        for k in 1..=2 {
            let p = base.with_file_name(format!(
                "interphase-res-{cmd}-{}-{k}.csv",
                std::process::id()
            ));
            let text = std::fs::read_to_string(&p).unwrap();
            let _ = std::fs::remove_file(&p);
            assert!(
                text.starts_with("freq_Hz,residual_re,residual_im"),
                "{text}"
            );
            assert!(text.lines().count() > 50);
        }
    }
    // Lin-KK lists the frequencies beyond its threshold
    let out = bin()
        .args([
            "eis",
            "kk",
            "--m",
            "40",
            "--threshold",
            "0.005",
            "--format",
            "json",
        ])
        .arg(&cell)
        .output()
        .unwrap();
    let v = json_of(&out);
    let q = v["quantities"].as_array().unwrap();
    let n = q.iter().find(|r| r["name"] == "failing_points").unwrap()["value"]
        .as_f64()
        .unwrap() as usize;
    let listed = q
        .iter()
        .find(|r| r["name"] == "beyond_threshold_Hz")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    if n == 0 {
        assert_eq!(listed, "none");
    } else {
        assert_eq!(listed.split(' ').count(), n, "{listed}");
    }
}

#[test]
fn eis_zhit() {
    let cell = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/llto/eis_cell.csv");
    let run = |extra: &[&str]| {
        let out = bin()
            .args(["eis", "zhit", "--format", "json"])
            .args(extra)
            .arg(&cell)
            .output()
            .unwrap();
        (
            out.status.code(),
            out.stdout,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| q.iter().find(|r| r["name"] == n).unwrap()["value"].clone();
    // 1 Hz – 1 kHz holds 30 points of this file; pseudo-χ² near pyimpspec's
    // 0.02698 (the same reconstruction, a least-squares offset)
    assert_eq!(get("window_points").as_f64(), Some(30.0));
    assert!((get("pseudo_chi2").as_f64().unwrap() / 0.02698 - 1.0).abs() < 0.05);
    assert!(get("lowest_decade_max_abs_residual").as_f64().unwrap() > 0.0);
    // the listed frequencies: one per point beyond the threshold
    let listed = get("beyond_threshold_Hz");
    let n = get("points_beyond_threshold").as_f64().unwrap() as usize;
    assert!(n > 0);
    assert_eq!(listed.as_str().unwrap().split(' ').count(), n, "{listed}");
    // smoothing the phase lowers the noise the derivative term carries
    let (_, smooth, _) = run(&["--smooth", "7"]);
    let v: serde_json::Value = serde_json::from_slice(&smooth).unwrap();
    let chi = v["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pseudo_chi2")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(chi < 0.6 * get("pseudo_chi2").as_f64().unwrap(), "{chi}");
    // with 0.5 % noise a stationary spectrum already reaches 1.6 % in its
    // lowest decade: the drift study's 1.5 % (for 0.25 % noise) does not
    // transfer, which is why no verdict is printed
    let low = v["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "lowest_decade_max_abs_residual")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(low > 0.01 && low < 0.03, "{low}");
    // bad options: exit 2 with the reason
    let (code, _, stderr) = run(&["--smooth", "4"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--smooth 4"), "{stderr}");
    let (code, _, stderr) = run(&["--window-center", "9"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("holds no point"), "{stderr}");
}

#[test]
fn eis_drt_bands() {
    // the two-ZARC spectrum of crates/eis/tests/drt_bands.rs (pyDRTtools:
    // posterior R_pol 150.14 ± 1.88 Ω with 2000 samples)
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../eis/tests/data/two_zarc_1pct.csv");
    let dir = std::env::temp_dir().join(format!("interphase-cli-bands-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gout = dir.join("gamma.csv");
    let out = bin()
        .args([
            "eis",
            "drt",
            "--lambda",
            "1e-3",
            "--tau-grid",
            "inverse",
            "--bands",
        ])
        .args([
            "--samples",
            "300",
            "--burn-in",
            "50",
            "--format",
            "json",
            "--gamma-out",
        ])
        .arg(&gout)
        .arg(&file)
        .output()
        .unwrap();
    let v = ok_json(&out);
    let q = v["quantities"].as_array().unwrap();
    let row = |n: &str| q.iter().find(|r| r["name"] == n).unwrap().clone();
    let post = row("R_polarization_posterior");
    let (m, s) = (
        post["value"].as_f64().unwrap(),
        post["uncertainty"].as_f64().unwrap(),
    );
    assert!((m - 150.2).abs() < 1.5 && s > 1.0 && s < 3.0, "{m} ± {s}");
    assert!(row("peak1_R_posterior")["uncertainty"].as_f64().unwrap() > 0.0);
    let text = std::fs::read_to_string(&gout).unwrap();
    assert!(text.starts_with("tau_s,gamma_ohm,gamma_mean_ohm,gamma_lower_ohm,gamma_upper_ohm"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin()
        .args([
            "eis",
            "drt",
            "--bands",
            "--samples",
            "10",
            "--burn-in",
            "10",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("burn-in"));
}

#[test]
fn eis_kk_and_conductivity() {
    let cell = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/llto/eis_cell.csv");
    let out = bin()
        .args(["eis", "kk", "--format", "json"])
        .arg(&cell)
        .output()
        .unwrap();
    let v = ok_json(&out);
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| q.iter().find(|r| r["name"] == n).unwrap()["value"].clone();
    // impedance.py's linKK on the same file: M = 6, mu = 0.7435604719318178
    assert_eq!(get("M").as_f64(), Some(6.0));
    assert!((get("mu").as_f64().unwrap() - 0.7435604719318178).abs() < 1e-6);
    assert_eq!(get("verdict"), "fail (residuals beyond 0.01)");
    assert_eq!(get("whiteness_z"), "n/a (complex fits only)");
    let out = bin()
        .args(["eis", "kk", "--m", "40", "--threshold", "0.02"])
        .arg(&cell)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("pass"));
    // the pseudo-χ² plateau chooses M = 17 and passes at 2 % without an M
    let out = bin()
        .args([
            "eis",
            "kk",
            "--select",
            "pseudo-chi2",
            "--threshold",
            "0.02",
        ])
        .args(["--format", "json"])
        .arg(&cell)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| q.iter().find(|r| r["name"] == n).unwrap()["value"].clone();
    assert_eq!(get("M").as_f64(), Some(17.0));
    assert_eq!(get("verdict"), "pass");
    assert!(get("pseudo_chi2").as_f64().unwrap() > 0.0);
    // --validate: complex fit with a series C; the residuals are white and
    // imply the generator's noise, 0.5 % of |Z| on each part (data/llto/README.md)
    let out = bin()
        .args(["eis", "kk", "--validate", "--threshold", "0.02"])
        .args(["--format", "json"])
        .arg(&cell)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| q.iter().find(|r| r["name"] == n).unwrap()["value"].clone();
    let noise = get("noise_estimate").as_f64().unwrap();
    assert!((noise - 0.005).abs() < 0.0005, "{noise}");
    assert!(get("whiteness_z").as_f64().unwrap().abs() < 3.0);
    assert_eq!(get("verdict"), "pass");
    // the M-scan as data
    let scan = std::env::temp_dir().join(format!("interphase-kk-scan-{}.csv", std::process::id()));
    let out = bin()
        .args(["eis", "kk", "--validate", "--max-m", "20", "--scan-out"])
        .arg(&scan)
        .arg(&cell)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(&scan).unwrap();
    let _ = std::fs::remove_file(&scan);
    assert!(text.starts_with("m,mu,pseudo_chi2,max_abs_residual\n"));
    assert_eq!(text.lines().count(), 21);
    // the same file given twice writes two numbered files (by position on
    // the command line; it used to write FILE-1.csv twice and no FILE-2.csv)
    let base = std::env::temp_dir().join(format!("interphase-kk-twice-{}", std::process::id()));
    let out = bin()
        .args(["eis", "kk", "--max-m", "8", "--scan-out"])
        .arg(base.with_extension("csv"))
        .arg(&cell)
        .arg(&cell)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for j in 1..=2 {
        let p = std::env::temp_dir().join(format!(
            "interphase-kk-twice-{}-{j}.csv",
            std::process::id()
        ));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let _ = std::fs::remove_file(&p);
        assert_eq!(text.lines().count(), 9);
    }
    // a short spectrum: at most N − 3 elements, so the whiteness test stays
    let mut text = String::from("freq_Hz,Zre_ohm,Zim_ohm\n");
    for i in 0..12 {
        let f = 10f64.powf(5.0 - 0.5 * i as f64);
        let z = interphase::eis::Complex64::new(10.0, 0.0)
            + 100.0 / interphase::eis::Complex64::new(1.0, 2.0 * std::f64::consts::PI * f * 1e-3);
        let e = 1.0 + 0.003 * ((i * 7 % 5) as f64 - 2.0);
        text.push_str(&format!("{f:e},{:e},{:e}\n", z.re * e, z.im * (2.0 - e)));
    }
    let short = tmp("short_kk.csv", text.as_bytes());
    let v = json_of(
        &bin()
            .args(["eis", "kk", "--validate", "--format", "json"])
            .arg(&short)
            .output()
            .unwrap(),
    );
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| q.iter().find(|r| r["name"] == n).unwrap()["value"].clone();
    assert!(get("M").as_f64().unwrap() <= 9.0);
    assert!(get("whiteness_z").is_f64(), "{v}");
    let out = bin()
        .args(["eis", "kk", "--validate", "--fit", "real"])
        .arg(&cell)
        .output()
        .unwrap();
    assert!(!out.status.success());
    // the admittance representation names the dual circuit's elements
    let out = bin()
        .args(["eis", "kk", "--admittance", "--select", "pseudo-chi2"])
        .args(["--threshold", "0.02", "--format", "json"])
        .arg(&cell)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let q = v["quantities"].as_array().unwrap();
    let get = |n: &str| {
        q.iter()
            .find(|r| r["name"] == n)
            .map(|r| r["value"].clone())
    };
    assert_eq!(get("representation").unwrap(), "admittance");
    assert!(get("R_inf").unwrap().as_f64().unwrap() > 0.0);
    assert!(get("C_inf").is_some() && get("L").is_none());
    let out = bin()
        .args(["eis", "kk", "--admittance", "--add-capacitance"])
        .arg(&cell)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap refuses both");
    let out = bin()
        .args([
            "eis",
            "conductivity",
            "--resistance",
            "130",
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("conductivity,0.000979"), "{text}");
    let out = bin()
        .args([
            "eis",
            "conductivity",
            "--resistance",
            "-1",
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
        ])
        .output()
        .unwrap();
    assert_input_error(&out, "resistance");
    let out = bin()
        .args(["eis", "kk"])
        .arg(tmp("empty.csv", b""))
        .output()
        .unwrap();
    assert_input_error(&out, "empty.csv");
}

#[test]
fn eis_arrhenius() {
    // σ = 1e3/T·exp(−0.30 eV/k_B T) at 0, 25, 50 °C
    let rows: String = [0.0f64, 25.0, 50.0]
        .iter()
        .map(|c| {
            let t = c + 273.15;
            format!("{c},{:e}\n", 1e3 / t * (-0.30 / (8.617333262e-5 * t)).exp())
        })
        .collect();
    let p = tmp("arr.csv", format!("T_C,sigma_S_cm\n{rows}").as_bytes());
    let out = bin()
        .args(["eis", "arrhenius", "--celsius", "--format", "csv"])
        .arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ea: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("activation_energy,"))
        .and_then(|l| l.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!((ea - 0.30).abs() < 1e-9, "{text}");
    let p = tmp("arr_bad.csv", b"300,1e-3\n310,abc\n");
    let out = bin().args(["eis", "arrhenius"]).arg(&p).output().unwrap();
    assert_input_error(&out, "arr_bad.csv:2");
    // a third column: a weighted fit whose errors come from the given σ, so
    // that two points have an uncertainty too (numpy polyfit reference in
    // conductivity.rs); two points without it say the uncertainty is not known
    let p = tmp("arr_w.csv", b"298.15,4.6e-5,1.0e-6\n323.15,9.1e-5,1.5e-6\n");
    let out = bin()
        .args(["eis", "arrhenius", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ea = doc["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "activation_energy")
        .unwrap();
    assert!((ea["uncertainty"].as_f64().unwrap() / 0.009060344855460064 - 1.0).abs() < 1e-9);
    let p = tmp("arr_2.csv", b"298.15,4.6e-5\n323.15,9.1e-5\n");
    let out = bin().args(["eis", "arrhenius"]).arg(&p).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(uncertainty not known)") && !text.contains("± 0"),
        "{text}"
    );
    let p = tmp("arr_mixed.csv", b"298.15,4.6e-5,1e-6\n323.15,9.1e-5\n");
    let out = bin().args(["eis", "arrhenius"]).arg(&p).output().unwrap();
    assert_input_error(&out, "on every row or on none");
}

#[test]
fn eis_drt_finds_the_cell_processes() {
    let cell = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/llto/eis_cell.csv");
    let gamma = tmp("gamma.csv", b"");
    let doc = quantities(&[
        "eis",
        "drt",
        cell.to_str().unwrap(),
        "--gamma-out",
        gamma.to_str().unwrap(),
    ]);
    // the synthetic cell: grain boundary 2600 Ω (CPE, τ₀ = (RQ)^(1/α) ≈ 0.59 µs)
    // and interfaces 5000 Ω (τ₀ ≈ 9.4 ms); the DRT's largest two peaks
    let n = q(&doc, "peaks") as usize;
    let mut peaks: Vec<(f64, f64)> = (1..=n)
        .map(|k| {
            (
                q(&doc, &format!("peak{k}_tau")),
                q(&doc, &format!("peak{k}_R")),
            )
        })
        .collect();
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (mut big, mut small) = (peaks[0], peaks[1]);
    if big.0 < small.0 {
        std::mem::swap(&mut big, &mut small);
    }
    let t_gb = (2600.0f64 * 2e-9).powf(1.0 / 0.85);
    let t_int = (5000.0f64 * 3e-6).powf(1.0 / 0.9);
    assert!((small.0 / t_gb - 1.0).abs() < 0.2, "{peaks:?}");
    assert!((big.0 / t_int - 1.0).abs() < 0.2, "{peaks:?}");
    assert!((small.1 / 2600.0 - 1.0).abs() < 0.15, "{peaks:?}");
    assert!((big.1 / 5000.0 - 1.0).abs() < 0.15, "{peaks:?}");
    // R∞ + R_polarization is the low-frequency limit, 7730 Ω
    assert!(((q(&doc, "R_inf") + q(&doc, "R_polarization")) / 7730.0 - 1.0).abs() < 0.02);
    let text = std::fs::read_to_string(&gamma).unwrap();
    assert!(text.starts_with("tau_s,gamma_ohm\n") && text.lines().count() > 100);
    // a fixed λ and the L-curve run too
    let fixed = quantities(&["eis", "drt", cell.to_str().unwrap(), "--lambda", "1e-3"]);
    assert!((q(&fixed, "lambda") - 1e-3).abs() < 1e-15);
    quantities(&["eis", "drt", cell.to_str().unwrap(), "--lambda", "lcurve"]);
    for (args, needle) in [
        (vec!["--lambda", "-1"], "--lambda"),
        (vec!["--lambda", "x"], "--lambda"),
        (vec!["--derivative", "3"], "--derivative"),
        (vec!["--fwhm-coeff", "0"], "FWHM"),
    ] {
        let out = bin()
            .args(["eis", "drt"])
            .arg(&cell)
            .args(args)
            .output()
            .unwrap();
        assert_input_error(&out, needle);
    }
    let out = bin()
        .args(["eis", "drt"])
        .arg(tmp("drt-empty.csv", b""))
        .output()
        .unwrap();
    assert_input_error(&out, "drt-empty.csv");
}

/// A noise-free Cu Kα1 diffractogram of a cubic cell (a = 3.87 Å) with
/// Gaussian peaks of FWHM 0.15° at the (100)…(211) reflections.
fn llto_xy() -> PathBuf {
    let a: f64 = 3.87;
    let lambda = 1.540_598;
    let hkls = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // h² + k² + l²
    let centers: Vec<f64> = hkls
        .iter()
        .map(|&s: &f64| 2.0 * (lambda * s.sqrt() / (2.0 * a)).asin().to_degrees())
        .collect();
    let w: f64 = 0.15;
    let sd = w / (8.0 * 2f64.ln()).sqrt();
    let mut text = String::from("2theta counts\n");
    for i in 0..4001 {
        let x = 20.0 + 0.01 * i as f64;
        let mut y = 50.0;
        for (k, c) in centers.iter().enumerate() {
            y += (300.0 + 100.0 * k as f64) * (-0.5 * ((x - c) / sd).powi(2)).exp();
        }
        text.push_str(&format!("{x} {y}\n"));
    }
    tmp("llto.xy", text.as_bytes())
}

#[test]
fn xrd_peaks_scherrer_and_lattice() {
    let f = llto_xy();
    let f = f.to_str().unwrap();
    let p = quantities(&["xrd", "peaks", f]);
    // (110) at 32.698° for a = 3.87 Å with Cu Kα1
    assert!((q(&p, "peak.2.two_theta") - 32.698).abs() < 2e-3, "{p}");
    assert!((q(&p, "peak.2.fwhm") - 0.15).abs() < 2e-3);
    let s = quantities(&["xrd", "scherrer", f, "--instrumental", "0.05"]);
    // sample width √(0.15² − 0.05²) at 2θ = 32.698°: D = 0.9 λ / (β cos θ)
    let beta = (0.15f64.powi(2) - 0.05f64.powi(2)).sqrt().to_radians();
    let want = 0.9 * 1.540_598 / (beta * (32.698f64 / 2.0).to_radians().cos()) / 10.0;
    assert!((q(&s, "peak.2.size") - want).abs() < 0.01 * want, "{s}");
    let l = quantities(&["xrd", "lattice", f, "--a", "3.85", "--zero"]);
    assert!((q(&l, "a") - 3.87).abs() < 1e-4, "{l}");
    assert!(q(&l, "zero_shift").abs() < 1e-3);
    assert!((q(&l, "indexed") - 6.0).abs() < 0.5);
}

#[test]
fn eds_identify_and_eels_delta_e() {
    // EDS: O Kα and Ti Kα/Kβ Gaussians (128 eV at Mn Kα) on a flat continuum, keV axis
    let mut text = String::from("energy,counts\n");
    let lines = [(524.9, 40_000.0), (4510.1, 60_000.0), (4933.4, 8_000.0)];
    for i in 0..2048 {
        let e = 10.0 * i as f64;
        let mut y = 200.0;
        for (e0, area) in lines {
            let w = (128.0f64.powi(2) + 2.5 * (e0 - 5898.7)).sqrt();
            let sd = w / (8.0 * 2f64.ln()).sqrt();
            y += area * 10.0 / (sd * (2.0 * std::f64::consts::PI).sqrt())
                * (-0.5 * ((e - e0) / sd).powi(2)).exp();
        }
        text.push_str(&format!("{},{y}\n", e / 1000.0));
    }
    let f = tmp("llto_eds.csv", text.as_bytes());
    let doc = quantities(&[
        "eds",
        "identify",
        f.to_str().unwrap(),
        "--fwhm",
        "128",
        "--areas",
    ]);
    let rows = doc.as_array().unwrap();
    let elements = rows.iter().find(|r| r["name"] == "elements").unwrap()["value"]
        .as_str()
        .unwrap();
    assert_eq!(elements, "O Ti");
    let ti = q(&doc, "area.Ti.Ka");
    assert!((ti - 60_000.0).abs() < 0.03 * 60_000.0, "{ti}");

    // EELS: two Gaussian features 5.0 eV apart
    let mut text = String::from("energy_loss,counts\n");
    for i in 0..400 {
        let e = 450.0 + 0.05 * i as f64;
        let y = 10.0
            + 500.0 * (-0.5 * ((e - 457.0) / 0.6f64).powi(2)).exp()
            + 300.0 * (-0.5 * ((e - 462.0) / 0.8f64).powi(2)).exp();
        text.push_str(&format!("{e},{y}\n"));
    }
    let f = tmp("ti_l.csv", text.as_bytes());
    let model = tmp(
        "ti_l.toml",
        br#"
[background]
kind = "constant"

[[peaks]]
name = "L3"
shape = "gaussian"
center = 456.8

[[peaks]]
name = "L2"
shape = "gaussian"
center = 462.3
"#,
    );
    let d = quantities(&[
        "eels",
        "delta-e",
        f.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--from",
        "L3",
        "--to",
        "L2",
    ]);
    let name = format!("{}.delta_e", f.display());
    assert!((q(&d, &name) - 5.0).abs() < 1e-6, "{d}");
}

#[test]
fn xrd_eds_eels_bad_input_exits_2() {
    let xy = llto_xy();
    let xy = xy.to_str().unwrap();
    let empty = tmp("empty.xy", b"");
    let binary = tmp("binary.xy", &[0u8, 159, 146, 150, 255, 0, 1, 2]);
    let flat = tmp("flat.xy", b"1 5\n2 5\n3 5\n4 5\n5 5\n6 5\n");
    for (args, needle) in [
        (vec!["xrd", "peaks", "/no/such/file.xy"], "No such file"),
        (vec!["xrd", "peaks", empty.to_str().unwrap()], ""),
        (vec!["xrd", "peaks", binary.to_str().unwrap()], ""),
        (vec!["xrd", "peaks", flat.to_str().unwrap()], "flat"),
        (vec!["xrd", "peaks", xy, "--wavelength", "Zz"], "wavelength"),
        (
            vec!["xrd", "peaks", xy, "--shape", "banana"],
            "unknown shape",
        ),
        (
            vec!["xrd", "peaks", xy, "--min-prominence", "2"],
            "min_prominence",
        ),
        (
            vec!["xrd", "peaks", xy, "--wavelength", "1.7", "--strip-ka2"],
            "anode",
        ),
        (vec!["xrd", "scherrer", xy, "--k=-1"], "K"),
        (vec!["xrd", "lattice", xy, "--a=-3"], "cell length"),
        (
            vec!["xrd", "lattice", xy, "--a", "3.87", "--system", "triclinic"],
            "crystal system",
        ),
        (vec!["xrd", "lattice", xy], "--a"),
        (vec!["eds", "identify", "/no/such.msa"], "No such file"),
        (vec!["eds", "identify", xy, "--fwhm=-5"], "Mn"),
        (vec!["eds", "identify", xy, "--elements", "Xx"], "Xx"),
        (
            vec![
                "eels",
                "delta-e",
                xy,
                "--model",
                "/no/model.toml",
                "--from",
                "a",
                "--to",
                "b",
            ],
            "model.toml",
        ),
        (vec!["eels", "delta-e", xy], "--model"),
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_input_error(&out, needle);
    }
}

#[test]
fn xrd_reads_xrdml() {
    let xy = std::fs::read_to_string(llto_xy()).unwrap();
    let counts: Vec<&str> = xy
        .lines()
        .skip(1)
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.1">
  <xrdMeasurement measurementType="Scan">
    <scan scanAxis="Gonio"><dataPoints>
      <positions axis="2Theta" unit="deg"><startPosition>20</startPosition><endPosition>60</endPosition></positions>
      <counts unit="counts">{}</counts>
    </dataPoints></scan>
  </xrdMeasurement>
</xrdMeasurements>"#,
        counts.join(" ")
    );
    let f = tmp("llto.xrdml", doc.as_bytes());
    let p = quantities(&["xrd", "peaks", f.to_str().unwrap()]);
    assert!((q(&p, "peak.2.two_theta") - 32.698).abs() < 2e-3, "{p}");
}

/// Every subcommand that reads a file, given a missing file, an empty file,
/// a binary file and a file of another format, prints `error: ...` and exits
/// with status 1 or 2, never a panic or a backtrace (the bad-input contract).
#[test]
fn every_file_subcommand_rejects_bad_files() {
    let model = spectra_data("ti2p_linear.toml");
    let model = model.to_str().unwrap();
    // (subcommand and options, placed before the file)
    let commands: Vec<Vec<&str>> = vec![
        vec!["nist"],
        vec!["spectrum", "info"],
        vec!["spectrum", "baseline", "--method", "shirley"],
        vec!["spectrum", "peaks"],
        vec!["spectrum", "fit", "--model", model],
        vec!["eis", "fit", "--circuit", "R0-p(R1,C1)"],
        vec!["eis", "kk"],
        vec!["eis", "drt"],
        vec!["eis", "arrhenius"],
        vec!["xrd", "peaks"],
        vec!["xrd", "scherrer"],
        vec!["xrd", "lattice", "--a", "3.87"],
        vec!["eds", "identify"],
        vec![
            "eels", "delta-e", "--model", model, "--from", "Ti4+", "--to", "Ti3+",
        ],
    ];
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    binary[10] = 0;
    let files = [
        ("missing", PathBuf::from("no/such/input.csv")),
        ("empty", tmp("empty.csv", b"")),
        ("binary", tmp("binary.csv", &binary)),
        ("other format", model_as_data()),
        (
            "bad numbers",
            tmp("bad_numbers.csv", b"x,y\n1,2\n2,abc\n3,4e999\n"),
        ),
    ];
    for cmd in &commands {
        for (what, file) in &files {
            let out = bin().args(cmd).arg(file).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            let code = out.status.code();
            assert!(
                matches!(code, Some(1 | 2)),
                "{cmd:?} with a {what} file: exit {code:?}, stderr {err}"
            );
            assert!(
                err.starts_with("error:"),
                "{cmd:?} with a {what} file: {err}"
            );
            assert!(
                !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
                "{cmd:?} with a {what} file: {err}"
            );
        }
    }
    // bad options: unknown flags and bad numbers are usage errors (exit 2)
    for args in [
        vec!["spectrum", "peaks", "--prominence", "abc", "x.csv"],
        vec![
            "eis",
            "fit",
            "--circuit",
            "R0",
            "--weight",
            "heavy",
            "x.csv",
        ],
        vec![
            "eis",
            "conductivity",
            "--resistance",
            "-5",
            "--thickness-mm",
            "1",
            "--diameter-mm",
            "10",
        ],
        vec!["materials", "formula", "Li0.33La0.56TiO3", "--frobnicate"],
        vec!["xrd", "scherrer", "--k", "nan", "x.csv"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_input_error(&out, "");
    }
}

/// A TOML file where a data file is expected.
fn model_as_data() -> PathBuf {
    let text = std::fs::read(spectra_data("ti2p_linear.toml")).unwrap();
    tmp("model_as_data.csv", &text)
}

/// Several sweeps in one file: `eis fit` fits each, single-result commands
/// ask for `--spectrum`, `info` lists them; files of the wrong kind are
/// refused by every command with what they hold.
#[test]
fn several_spectra_and_wrong_kinds() {
    let mut text = String::from("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n");
    for sweep in 0..2 {
        for i in 0..30 {
            let f = 10f64.powf(6.0 - 0.25 * f64::from(i));
            let w = 2.0 * std::f64::consts::PI * f;
            // R0 + R1 || C1 with R0 = 10 + sweep, R1 = 100, C1 = 1 µF
            let z = num(10.0 + f64::from(sweep), 100.0, 1e-6, w);
            text.push_str(&format!("{f},{},{}\n", z.0, -z.1));
        }
    }
    let p = tmp("two_sweeps.csv", text.as_bytes());
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let j = ok_json(&out);
    let fits = j["fits"].as_array().unwrap();
    assert_eq!(fits.len(), 2);
    for (k, fit) in fits.iter().enumerate() {
        assert!(
            fit["name"]
                .as_str()
                .unwrap()
                .ends_with(&format!("#{}", k + 1))
        );
        let r0 = fit["parameters"][0]["value"].as_f64().unwrap();
        assert!((r0 - 10.0 - k as f64).abs() < 1e-6, "R0 of sweep {k}: {r0}");
    }
    let out = bin().args(["eis", "kk"]).arg(&p).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && s.contains("two_sweeps.csv #1") && s.contains("two_sweeps.csv #2"),
        "{s}"
    );
    let out = bin()
        .args(["eis", "kk", "--spectrum", "2"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin().args(["info"]).arg(&p).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && s.contains("two_sweeps #2")
            && s.contains("delimited text (impedance)"),
        "{s}"
    );
    // an impedance table is not a spectrum, and a spectrum is not impedance data
    let out = bin().args(["spectrum", "info"]).arg(&p).output().unwrap();
    assert_input_error(&out, "holds 2 impedance spectra; use the `eis` commands");
    let xps = tmp(
        "c1s.csv",
        b"Binding Energy (eV),Counts\n290,100\n289,120\n288,150\n",
    );
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)"])
        .arg(&xps)
        .output()
        .unwrap();
    assert_input_error(&out, "needs impedance data");
    // columns that cannot be identified: the error lists them and the option
    let odd = tmp("odd.csv", b"a;b;c\n1000;10;-2\n100;12;-5\n10;20;-9\n");
    let out = bin().args(["eis", "kk"]).arg(&odd).output().unwrap();
    assert_input_error(&out, "--columns");
    let out = bin()
        .args(["eis", "kk", "--columns", "a,b,c", "--m", "2"])
        .arg(&odd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // a binary of a format that is not read: named, no bytes echoed
    let dm = tmp(
        "x.pssession",
        &[0xff, 0xfe, 0, 1, 0, 0x3c, 5, 0, 1, 0, 0, 0],
    );
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0"])
        .arg(&dm)
        .output()
        .unwrap();
    assert_input_error(&out, "PalmSens");
}

/// R0 + R1 ‖ C1 at angular frequency w: (Re, Im).
fn num(r0: f64, r1: f64, c1: f64, w: f64) -> (f64, f64) {
    let d = 1.0 + (w * r1 * c1).powi(2);
    (r0 + r1 / d, -w * r1 * r1 * c1 / d)
}

/// `convert` writes a file's spectra as CSV/JSON that read back the same;
/// `--spectrum` picks one in spectrum commands too (counted from 1).
#[test]
fn convert_round_trips_and_spectrum_selection() {
    let mut text = String::from("freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\n");
    for sweep in 0..2 {
        for f in [1e5f64, 1e3, 10.0] {
            text.push_str(&format!(
                "{f}\t{}\t{}\n",
                10.0 + f64::from(sweep),
                1.0 + f.log10()
            ));
        }
    }
    let p = tmp("sweeps.txt", text.as_bytes());
    let out = bin()
        .args(["convert", "--to", "csv"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("spectrum,frequency_hz,re_z_ohm,im_z_ohm\n1,100000,10,-6\n"),
        "{csv}"
    );
    let back = tmp("sweeps.csv", csv.as_bytes());
    let out = bin()
        .args(["info", "--format", "json"])
        .arg(&back)
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["files"][0]["spectra"].as_array().unwrap().len(), 2);
    let out = bin()
        .args(["convert", "--to", "json", "--spectrum", "2"])
        .arg(&p)
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j[0]["real"][0].as_f64(), Some(11.0));
    // spectrum commands: --spectrum 1 is the first column, --block 0 too
    let xy = tmp("two.csv", b"energy,a,b\n1,5,6\n2,7,8\n3,9,1\n");
    for args in [["--spectrum", "2"], ["--block", "1"]] {
        let out = bin()
            .args(["spectrum", "info", "--format", "json"])
            .args(args)
            .arg(&xy)
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && s.contains("\"name\":\"b\"") && !s.contains("\"name\":\"a\""),
            "{s}"
        );
    }
}

/// A PHI depth profile (../shared/real-files; skipped without it): `info`
/// lists the 84 spectra first (the numbers `--spectrum` uses), then the
/// table; `convert --table` writes the sputter times and areas, `convert`
/// without it the spectra; `--table` on a file without a table is an error.
#[test]
fn convert_table_of_a_depth_profile() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-files/unsupported/pnx_phi_SnO2_10nm_1.pro");
    if !p.exists() {
        eprintln!("skipped: {} is absent", p.display());
        return;
    }
    let out = bin()
        .args(["info", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = j["files"][0]["spectra"].as_array().unwrap();
    assert_eq!(entries.len(), 85);
    assert_eq!(entries[0]["name"], "Su1s cycle 1");
    assert_eq!(entries[84]["kind"], "table");
    let out = bin()
        .args(["convert", "--to", "csv", "--table"])
        .arg(&p)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("cycle,Su1s sputter time (s),Su1s area (c/s * eV),C1s sputter time (s)"),
        "{csv}"
    );
    assert!(csv.contains("\n21,600,25500528,600,"), "{csv}");
    let out = bin()
        .args(["convert", "--to", "csv", "--spectrum", "22"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("x,C1s cycle 1\n298,"));
    let xy = tmp("no-table.csv", b"energy,a\n1,5\n2,7\n");
    let out = bin()
        .args(["convert", "--to", "csv", "--table"])
        .arg(&xy)
        .output()
        .unwrap();
    assert_input_error(&out, "the file holds no table (1 spectra)");
}

/// A kinetic-energy spectrum fitted with a binding-energy model: converted
/// with the file's hν (a note), E_B = hν − E_K: the work function the file
/// names is the analyser's, already in its Fermi-referenced kinetic energies
/// (`--work-function` is for a vacuum-referenced scale); refused with the
/// way out when the model does not say its axis and its peaks lie outside
/// the spectrum.
#[test]
fn spectrum_fit_converts_kinetic_to_binding_energy() {
    let hv = 1486.61;
    let mut xy = String::from(
        "# Created by:        SpecsLab Prodigy, Version 4.1\n#   Energy Axis:              Kinetic Energy\n# Region:                       C 1s\n# Excitation Energy:            1486.61\n# Eff. Workfunction:            4.5\n# Cycle: 0, Curve: 0, Scan: 0\n# ColumnLabels:                 energy counts/s\n",
    );
    for i in 0..121 {
        let ke = 1190.0 + 0.1 * f64::from(i);
        let be: f64 = hv - ke;
        xy.push_str(&format!(
            "{ke:.1} {}\n",
            100.0 + 2000.0 * (-0.5 * ((be - 284.8) / 0.5).powi(2)).exp()
        ));
    }
    let data = tmp("c1s_ke.xy", xy.as_bytes());
    let body = "[background]\nkind = \"linear\"\n[[peaks]]\nname = \"C1s\"\nshape = \"gaussian\"\ncenter = { value = 285.0, min = 283.0, max = 287.0 }\nfwhm = { value = 1.2, min = 0.3, max = 3.0 }\narea = { value = 1000.0, min = 0.0 }\n";
    let declared = tmp(
        "c1s_be.toml",
        format!("axis = \"binding-energy\"\n{body}").as_bytes(),
    );
    let out = spectrum_fit_json(&declared, &[&data]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success()
            && err.contains("converted to binding energy with hν = 1486.61 eV, φ = 0 eV (the file's work function 4.5 eV is taken as already applied"),
        "{err}"
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = j["fits"][0]["components"][0]["center"].as_f64().unwrap();
    assert!((c - 284.8).abs() < 1e-6, "{c}");
    let shifted = tmp(
        "c1s_be_vacuum.toml",
        format!("axis = \"binding-energy\"\n{body}")
            .replace(
                "285.0, min = 283.0, max = 287.0",
                "280.5, min = 278.5, max = 282.5",
            )
            .as_bytes(),
    );
    let out = bin()
        .args([
            "spectrum",
            "fit",
            "--format",
            "json",
            "--work-function",
            "4.5",
            "--model",
        ])
        .arg(&shifted)
        .arg(&data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("φ = 4.5 eV\n"),
        "{err}"
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = j["fits"][0]["components"][0]["center"].as_f64().unwrap();
    assert!((c - 280.3).abs() < 1e-6, "{c}");
    let silent = tmp("c1s.toml", body.as_bytes());
    let out = bin()
        .args(["spectrum", "fit", "--model"])
        .arg(&silent)
        .arg(&data)
        .output()
        .unwrap();
    assert_input_error(&out, "all outside the spectrum's kinetic energy range");
    let out = bin()
        .args(["spectrum", "fit", "--axis", "binding", "--model"])
        .arg(&silent)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn spectrum_fit_output_is_the_same_with_and_without_the_curves_kept() {
    // without --curves/--plot/--monte-carlo each fit drops its arrays as soon
    // as it is done (memory flat in the number of spectra): the JSON, table
    // and CSV outputs must not change
    let model = spectra_data("ti2p_linear.toml");
    let data = spectra_data("ti2p_synthetic.csv");
    let dir = std::env::temp_dir().join(format!("interphase-cli-curves-{}", std::process::id()));
    for format in ["json", "table", "csv"] {
        let run = |keep: bool| {
            let mut c = bin();
            c.args(["spectrum", "fit", "--format", format, "--model"])
                .arg(&model)
                .arg(&data)
                .arg(&data);
            if keep {
                c.arg("--curves").arg(&dir);
            }
            let out = c.output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let (slim, full) = (run(false), run(true));
        assert!(!slim.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&slim),
            String::from_utf8_lossy(&full),
            "{format}"
        );
    }
    // the runs with --curves did write them: one file per spectrum
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn a_file_that_cannot_be_read_fails_alone_in_a_batch() {
    let garbage = tmp("unreadable.csv", b"\x00\x01binary garbage\xff\xfe\n");
    // spectra
    let model = spectra_data("ti2p_linear.toml");
    let data = spectra_data("ti2p_synthetic.csv");
    let out = spectrum_fit_json(&model, &[&garbage, &data]);
    let doc = json_of_partial(&out, 1, 2, &["unreadable.csv"]);
    assert_eq!(doc["fits"].as_array().unwrap().len(), 1);
    // impedance
    let cell = tmp("readable_cell.csv", rc_csv(20.0, 100.0, 1e-6).as_bytes());
    let out = bin()
        .args(["eis", "fit", "--format", "json", "--circuit", "R0-p(R1,C1)"])
        .arg(&garbage)
        .arg(&cell)
        .output()
        .unwrap();
    let doc = json_of_partial(&out, 1, 2, &["unreadable.csv"]);
    assert_eq!(doc["fits"].as_array().unwrap().len(), 1);
    // nothing readable at all: an input error (status 2), nothing written
    let out = bin()
        .args(["eis", "fit", "--circuit", "R0-p(R1,C1)"])
        .arg(&garbage)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_parallel_resistance_the_data_do_not_determine_is_flagged() {
    // the synthetic pellet (R0-p(R1,CPE1)-CPE2) fitted with the cell's
    // circuit: R2 runs off to ~1e90 Ω; the result must say so
    let pellet =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/llto/eis_pellet.csv");
    let run = |circuit: &str| {
        let out = bin()
            .args(["eis", "fit", "--circuit", circuit])
            .arg(&pellet)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wrong = run("R0-p(R1,CPE1)-p(R2,CPE2)");
    assert!(
        wrong.contains("R2 = ") && wrong.contains("the data do not determine it"),
        "{wrong}"
    );
    // its derived quantities claim no uncertainty (not "± inf")
    assert!(!wrong.contains("± inf"), "{wrong}");
    assert!(wrong.contains("(uncertainty not known)"), "{wrong}");
    let right = run("R0-p(R1,CPE1)-CPE2");
    assert!(!right.contains("do not determine"), "{right}");
}

/// A low-loss spectrum: a Gaussian zero-loss peak at `centre` (σ 0.4 eV,
/// `zl` counts) and a plasmon (Lorentzian at 17 eV, `pl` counts, starting
/// above 2 eV), on −5 … 94.9 eV in 0.1 eV channels.
fn low_loss(centre: f64, zl: f64, pl: f64) -> Vec<f64> {
    (0..1000)
        .map(|i| {
            let e = -5.0 + 0.1 * i as f64;
            let g = zl * 0.1 / (0.4 * (2.0 * std::f64::consts::PI).sqrt())
                * (-0.5 * ((e - centre) / 0.4f64).powi(2)).exp();
            let l = if e > 2.0 {
                pl * 0.1 * 3.0 / std::f64::consts::PI / ((e - 17.0).powi(2) + 9.0)
            } else {
                0.0
            };
            g + l
        })
        .collect()
}

fn columns_csv(x: &[f64], cols: &[(&str, Vec<f64>)]) -> String {
    let mut s = String::from("energy_loss");
    for (n, _) in cols {
        s.push_str(&format!(",{n}"));
    }
    s.push('\n');
    for (i, e) in x.iter().enumerate() {
        s.push_str(&format!("{e}"));
        for (_, c) in cols {
            s.push_str(&format!(",{}", c[i]));
        }
        s.push('\n');
    }
    s
}

#[test]
fn eels_thickness_valence_align_deconvolve() {
    let x: Vec<f64> = (0..1000).map(|i| -5.0 + 0.1 * i as f64).collect();
    let (a, b) = (low_loss(0.0, 1e5, 3e4), low_loss(0.0, 1e5, 8e4));
    let f = tmp(
        "lowloss.csv",
        columns_csv(&x, &[("thin", a.clone()), ("thick", b.clone())]).as_bytes(),
    );
    let fs = f.to_str().unwrap();
    // t/λ = ln(ΣJ / Σ_{E<3 eV} J); t = t/λ · λ(Iakoubovskii, 200 keV, 5 g/cm³)
    let doc = quantities(&[
        "eels",
        "thickness",
        fs,
        "--threshold",
        "3",
        "--beam-kev",
        "200",
        "--density",
        "5",
    ]);
    let lambda = q(&doc, "mean_free_path");
    for (name, y) in [("thin", &a), ("thick", &b)] {
        let k = x.iter().position(|&e| (e - 3.0).abs() < 1e-9).unwrap();
        let want = (y.iter().sum::<f64>() / y[..k].iter().sum::<f64>()).ln();
        let got = q(
            &doc,
            &format!("{fs}[{}].t_over_lambda", if name == "thin" { 0 } else { 1 }),
        );
        assert!((got - want).abs() < 1e-12, "{name}: {got} vs {want}");
        let t = q(
            &doc,
            &format!("{fs}[{}].thickness", if name == "thin" { 0 } else { 1 }),
        );
        assert!((t - want * lambda).abs() < 1e-9 * t);
    }
    assert!(lambda > 50.0 && lambda < 300.0, "{lambda}");
    // --plot: a profile per quantity (two spectra in a CSV: no image shape)
    let figs = std::env::temp_dir().join(format!("interphase-eels-figs-{}", std::process::id()));
    let out = bin()
        .args([
            "eels",
            "thickness",
            fs,
            "--threshold",
            "3",
            "--mfp-nm",
            "100",
        ])
        .arg("--plot")
        .arg(&figs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 3 figures"));
    for q in ["t_over_lambda", "thickness", "threshold"] {
        let svg = std::fs::read_to_string(figs.join(format!("lowloss.{q}.svg"))).unwrap();
        assert!(svg.contains("spectrum index"), "{q}");
    }
    std::fs::remove_dir_all(&figs).unwrap();
    // Malis needs β; the error says so
    let out = bin()
        .args([
            "eels",
            "thickness",
            fs,
            "--beam-kev",
            "200",
            "--composition",
            "TiO2",
        ])
        .output()
        .unwrap();
    assert_input_error(&out, "--beta-mrad");
    let doc = quantities(&[
        "eels",
        "thickness",
        fs,
        "--beam-kev",
        "200",
        "--beta-mrad",
        "10",
        "--composition",
        "TiO2",
    ]);
    assert!(q(&doc, "mean_free_path") > 50.0);

    // a spectrum with no zero-loss intensity fails alone (exit 1), the other is written
    let z = vec![0.0; x.len()];
    let f2 = tmp(
        "lowloss_bad.csv",
        columns_csv(&x, &[("good", a.clone()), ("empty", z)]).as_bytes(),
    );
    let out = bin()
        .args([
            "eels",
            "thickness",
            f2.to_str().unwrap(),
            "--threshold",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 of 2 spectra failed") && err.contains("[1]"),
        "{err}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["quantities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"].as_str().unwrap().ends_with("[0].t_over_lambda"))
    );

    // align: zero-loss peaks at +0.23 and −0.31 eV
    let (c, d) = (low_loss(0.23, 1e5, 3e4), low_loss(-0.31, 1e5, 3e4));
    let f3 = tmp(
        "drift.csv",
        columns_csv(&x, &[("p0", c), ("p1", d)]).as_bytes(),
    );
    let aligned =
        std::env::temp_dir().join(format!("interphase-aligned-{}.csv", std::process::id()));
    let doc = quantities(&[
        "eels",
        "align",
        f3.to_str().unwrap(),
        "--output",
        aligned.to_str().unwrap(),
    ]);
    let f3s = f3.to_str().unwrap();
    assert!((q(&doc, &format!("{f3s}[0].zlp_centre")) - 0.23).abs() < 1e-3);
    assert!((q(&doc, &format!("{f3s}[1].zlp_centre")) + 0.31).abs() < 1e-3);
    let doc = quantities(&["eels", "align", aligned.to_str().unwrap()]);
    let al = aligned.to_str().unwrap();
    assert!(q(&doc, &format!("{al}[0].zlp_centre")).abs() < 0.01);
    assert!(q(&doc, &format!("{al}[1].zlp_centre")).abs() < 0.01);

    // deconvolve (Fourier-log): the spectra come out as CSV with the same axis
    let zlp = low_loss(0.0, 1e5, 0.0);
    let fz = tmp("zlp.csv", columns_csv(&x, &[("zlp", zlp)]).as_bytes());
    let out = bin()
        .args(["eels", "deconvolve", fs, "--zlp", fz.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1001);
    // neither --zlp nor --low-loss: a usage error
    let out = bin().args(["eels", "deconvolve", fs]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    // valence: two references, spectra mixing them 25/75 and 60/40 on a constant
    let e: Vec<f64> = (0..300).map(|i| 450.0 + 0.1 * i as f64).collect();
    let g = |c: f64, w: f64| -> Vec<f64> {
        e.iter()
            .map(|&x| (-0.5 * ((x - c) / w).powi(2)).exp())
            .collect()
    };
    let (r3, r4) = (g(456.5, 0.7), g(458.2, 0.5));
    let mix = |f: f64| -> Vec<f64> {
        r3.iter()
            .zip(&r4)
            .map(|(a, b)| 100.0 * (f * a + (1.0 - f) * b) + 3.0)
            .collect()
    };
    // the references cover 452–474.9 eV only
    let sub = |v: &[f64]| v[20..250].to_vec();
    let fr3 = tmp(
        "Ti3.csv",
        columns_csv(&e[20..250], &[("ti3", sub(&r3))]).as_bytes(),
    );
    let fr4 = tmp(
        "Ti4.csv",
        columns_csv(&e[20..250], &[("ti4", sub(&r4))]).as_bytes(),
    );
    let fm = tmp(
        "mix.csv",
        columns_csv(&e, &[("a", mix(0.25)), ("b", mix(0.6))]).as_bytes(),
    );
    let refs = format!("{},{}", fr3.display(), fr4.display());
    let doc = quantities(&[
        "eels",
        "valence",
        fm.to_str().unwrap(),
        "--references",
        &refs,
        "--background",
        "1",
        "--window",
        "452,470",
    ]);
    let fms = fm.to_str().unwrap();
    assert!((q(&doc, &format!("{fms}[0].fraction.Ti3")) - 0.25).abs() < 1e-9);
    assert!((q(&doc, &format!("{fms}[1].fraction.Ti3")) - 0.6).abs() < 1e-9);
    // a window beyond the references is an error for each spectrum (exit 1)
    let out = bin()
        .args([
            "eels",
            "valence",
            fms,
            "--references",
            &refs,
            "--window",
            "440,470",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the reference"));
}

#[test]
fn eels_quantify_ratios_and_areal_densities() {
    use interphase::spectra::eels::{self, EdgeSpec, HydrogenicEdge, Optics, QuantifyOptions};
    let ti = HydrogenicEdge::lookup("Ti", "L23").unwrap();
    let o = HydrogenicEdge::lookup("O", "K").unwrap();
    let x: Vec<f64> = (0..2400).map(|i| 380.0 + 0.25 * i as f64).collect();
    let il = 1e9;
    // counts per channel: power law + I_l·N·dσ/dE·ΔE (N in atoms/nm², 1 barn = 1e-10 nm²)
    let core = |n_ti: f64, n_o: f64| -> Vec<f64> {
        x.iter()
            .map(|&e| {
                2e13 * e.powf(-3.2)
                    + il * 1e-10
                        * 0.25
                        * (n_ti * ti.differential_cross_section(e, 200.0, 20.0).unwrap()
                            + n_o * o.differential_cross_section(e, 200.0, 20.0).unwrap())
            })
            .collect()
    };
    let (a, b) = (core(1000.0, 3000.0), core(1500.0, 3000.0));
    let f = tmp(
        "coreloss.csv",
        columns_csv(&x, &[("p0", a.clone()), ("p1", b)]).as_bytes(),
    );
    let fs = f.to_str().unwrap();
    // a low-loss spectrum whose channels up to 50 eV sum to I_l
    let lx: Vec<f64> = (0..300).map(|i| -5.0 + 0.25 * i as f64).collect();
    let ly: Vec<f64> = lx
        .iter()
        .map(|&e| if e.abs() < 0.01 { il - 220.0 } else { 1.0 })
        .collect();
    let fl = tmp(
        "ll_for_quant.csv",
        columns_csv(&lx, &[("ll", ly)]).as_bytes(),
    );
    let args = [
        "eels",
        "quantify",
        fs,
        "--edges",
        "Ti:L23,O:K",
        "--beam-kev",
        "200",
        "--beta-mrad",
        "20",
        "--low-loss",
        fl.to_str().unwrap(),
    ];
    let doc = quantities(&args);
    // the same numbers as the library
    let lib = eels::quantify(
        &x,
        &a,
        &[
            EdgeSpec::hydrogenic("Ti", "L23").unwrap(),
            EdgeSpec::hydrogenic("O", "K").unwrap(),
        ],
        &QuantifyOptions {
            optics: Optics {
                beam_kev: 200.0,
                beta_mrad: 20.0,
                alpha_mrad: 0.0,
            },
            delta_ev: 50.0,
            gain: 1.0,
        },
        None,
    )
    .unwrap();
    let r0 = q(&doc, &format!("{fs}[0].ratio.Ti/O"));
    assert!((r0 - lib.ratios[0].value.value).abs() < 1e-12 * r0);
    assert!((r0 - 1.0 / 3.0).abs() < 0.05 / 3.0, "{r0}");
    let r1 = q(&doc, &format!("{fs}[1].ratio.Ti/O"));
    assert!((r1 - 0.5).abs() < 0.05 * 0.5, "{r1}");
    let n_o = q(&doc, &format!("{fs}[0].O_K.areal_density"));
    assert!((n_o - 3000.0).abs() < 0.05 * 3000.0, "{n_o}");
    assert!((q(&doc, "cross_section.O_K") - 1057.5997).abs() < 1e-3);

    // M edges have no hydrogenic model: the error says what to do
    let out = bin()
        .args([
            "eels",
            "quantify",
            fs,
            "--edges",
            "Ti:L23,La:M45",
            "--beam-kev",
            "200",
            "--beta-mrad",
            "20",
        ])
        .output()
        .unwrap();
    assert_input_error(&out, "give the cross-section yourself");
    // a given cross-section works
    let doc = quantities(&[
        "eels",
        "quantify",
        fs,
        "--edges",
        "Ti:L23[400,445],O:K@532=1057.6",
        "--beam-kev",
        "200",
        "--beta-mrad",
        "20",
    ]);
    assert!((q(&doc, &format!("{fs}[0].ratio.Ti/O")) - 1.0 / 3.0).abs() < 0.05 / 3.0);

    // --method model: the whole spectrum fitted, no extrapolation bias
    let mut model_args = args.to_vec();
    model_args.extend(["--method", "model"]);
    let doc = quantities(&model_args);
    assert!((q(&doc, &format!("{fs}[0].ratio.Ti/O")) - 1.0 / 3.0).abs() < 1e-8);
    assert!((q(&doc, &format!("{fs}[1].ratio.Ti/O")) - 0.5).abs() < 1e-8);
    // I_l summed to Δ = 50 eV is the low-loss file's 1e9 less 220 + 220 channels
    let n_o = q(&doc, &format!("{fs}[0].O_K.areal_density"));
    assert!((n_o - 3000.0).abs() < 1e-6 * 3000.0, "{n_o}");
    assert!((q(&doc, &format!("{fs}[0].power_law_r")) - 3.2).abs() < 1e-9);
    // the fine-structure region fitted with splines instead of left out
    let mut spline_args = model_args.clone();
    spline_args.extend(["--fine-structure", "10", "--fine-structure-knots", "8"]);
    let doc = quantities(&spline_args);
    assert!((q(&doc, &format!("{fs}[0].ratio.Ti/O")) - 1.0 / 3.0).abs() < 1e-3);
    for (edges, needle) in [
        (
            "Ti:L23[400,445],O:K",
            "remove the background window [LO,HI] of Ti L23",
        ),
        ("Ti:L23,O:K@532=1057.6", "quantify it by edge integration"),
    ] {
        let out = bin()
            .args([
                "eels",
                "quantify",
                fs,
                "--edges",
                edges,
                "--beam-kev",
                "200",
                "--beta-mrad",
                "20",
                "--method",
                "model",
            ])
            .output()
            .unwrap();
        assert_input_error(&out, needle);
    }
}
