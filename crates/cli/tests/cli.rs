//! The built `interphase` binary: outputs, and bad input that must end in
//! `error: ...` with exit status 2, never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_interphase"))
}

fn nist(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fit/tests/data/nist")
        .join(name)
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("interphase-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
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
