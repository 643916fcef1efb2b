//! The XRDML reader: both schema generations, metadata, and malformed input
//! (errors with a line, never a panic).

use interphase_io::{Format, read_text as read_str, read_xrdml};
use interphase_spectra::{Technique, XQuantity};
use proptest::prelude::*;

fn v2(counts: &str, positions: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.1" status="Completed">
  <sample type="To be analyzed">
    <id>LLTO-pellet</id>
    <name>LLTO 1150 C</name>
  </sample>
  <xrdMeasurement measurementType="Scan" status="Completed">
    <usedWavelength intended="K-Alpha 1">
      <kAlpha1 unit="Angstrom">1.5405980</kAlpha1>
      <kAlpha2 unit="Angstrom">1.5444260</kAlpha2>
      <kBeta unit="Angstrom">1.3922500</kBeta>
      <ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1>
    </usedWavelength>
    <scan appendNumber="0" mode="Continuous" scanAxis="Gonio" status="Completed">
      <dataPoints>
        {positions}
        <positions axis="Omega" unit="deg">
          <startPosition>10.0</startPosition>
          <endPosition>40.0</endPosition>
        </positions>
        <commonCountingTime unit="seconds">0.5</commonCountingTime>
        {counts}
      </dataPoints>
    </scan>
  </xrdMeasurement>
</xrdMeasurements>
"#
    )
}

const START_END: &str = r#"<positions axis="2Theta" unit="deg">
          <startPosition>20.00</startPosition>
          <endPosition>20.08</endPosition>
        </positions>"#;

#[test]
fn schema_2_counts_with_start_and_end() {
    let text = v2(
        r#"<counts unit="counts">100 120 400 130 101</counts>"#,
        START_END,
    );
    let s = read_xrdml(&text, "a.xrdml").unwrap();
    assert_eq!(s.len(), 1);
    let s = &s[0];
    assert_eq!(s.len(), 5);
    assert!((s.x()[1] - 20.02).abs() < 1e-12 && (s.x()[4] - 20.08).abs() < 1e-12);
    assert!((s.y()[2] - 400.0).abs() < 1e-12);
    assert_eq!(s.meta.name, "LLTO 1150 C");
    assert_eq!(s.meta.technique, Technique::Xrd);
    assert_eq!(s.meta.x_quantity, XQuantity::TwoTheta);
    assert!(s.meta.counts);
    assert_eq!(s.meta.extra["kAlpha2"], "1.5444260");
    assert_eq!(s.meta.extra["ratioKAlpha2KAlpha1"], "0.5000");
    assert_eq!(s.meta.extra["commonCountingTime"], "0.5");
    // the generic entry points find it by extension or by content
    assert_eq!(
        interphase_io::sniff(text.as_bytes(), std::path::Path::new("a.dat")),
        Format::Xrdml
    );
    assert_eq!(
        read_str(&text, Format::Xrdml, "a.xrdml").unwrap()[0].len(),
        5
    );
}

#[test]
fn schema_1_intensities_with_list_positions() {
    let pos = r#"<positions axis="2Theta" unit="deg"><listPositions>30.0 30.5 31.5</listPositions></positions>"#;
    let text = v2(r#"<intensities unit="counts">5 7 9</intensities>"#, pos)
        .replace("XRDMeasurement/2.1", "XRDMeasurement/1.0");
    let s = read_xrdml(&text, "b.xrdml").unwrap();
    assert!((s[0].x()[2] - 31.5).abs() < 1e-12);
    assert!((s[0].y()[1] - 7.0).abs() < 1e-12);
}

#[test]
fn malformed_files_are_errors_with_a_line() {
    let cases: Vec<(String, &str)> = vec![
        ("not xml at all".into(), "not well-formed"),
        ("<a><b></a>".into(), "not well-formed"),
        ("<root/>".into(), "not an XRDML"),
        ("<xrdMeasurements/>".into(), "no <xrdMeasurement>"),
        (v2("", START_END), "without <counts>"),
        (v2(r#"<counts unit="counts">1 2 x 4</counts>"#, START_END), "`x` is not a number"),
        (v2(r#"<counts unit="counts">1 2 NaN 4</counts>"#, START_END), "value 2 is NaN"),
        (v2(r#"<counts unit="counts"></counts>"#, START_END), "no counts"),
        (
            v2(
                r#"<counts unit="counts">1 2 3</counts>"#,
                r#"<positions axis="2Theta"><listPositions>1 2</listPositions></positions>"#,
            ),
            "2 positions for 3 counts",
        ),
        (
            v2(r#"<counts unit="counts">1 2 3</counts>"#, r#"<positions axis="2Theta"><startPosition>1</startPosition></positions>"#),
            "startPosition",
        ),
        // equal start and end: not a monotonic axis
        (
            v2(
                r#"<counts unit="counts">1 2 3</counts>"#,
                r#"<positions axis="2Theta"><startPosition>5</startPosition><endPosition>5</endPosition></positions>"#,
            ),
            "monotonic",
        ),
        // a DTD (entity expansion) is refused
        (
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><xrdMeasurements>&lol;</xrdMeasurements>"#.into(),
            "not well-formed",
        ),
    ];
    for (text, needle) in cases {
        let e = read_xrdml(&text, "bad.xrdml").unwrap_err().to_string();
        assert!(e.starts_with("bad.xrdml:"), "{e}");
        assert!(e.contains(needle), "`{needle}` not in: {e}");
    }
    // the line of the offending element
    let e = read_xrdml(
        &v2(r#"<counts unit="counts">1 2 x</counts>"#, START_END),
        "c.xrdml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("c.xrdml:25:"), "{e}");
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
        let _ = read_xrdml(&s, "p.xrdml");
    }

    #[test]
    fn mutated_files_never_panic(cut in 0usize..1200, junk in "[<>/a-z0-9 \"=.]{0,12}") {
        let text = v2(r#"<counts unit="counts">100 120 400 130 101</counts>"#, START_END);
        let cut = cut.min(text.len());
        let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let m = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        let _ = read_xrdml(&m, "p.xrdml");
        let _ = read_xrdml(&text[..cut], "p.xrdml");
    }
}
