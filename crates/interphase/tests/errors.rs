//! The error catalogue (docs/errors.md), one test per entry: each builds the
//! documented trigger, checks the error variant and the words of its message
//! that docs/errors.md quotes. A test name here is the `test` column there.

use std::path::Path;

use interphase::eis::{self, Circuit, ImpedanceSpectrum};
use interphase::fit::{self, CurveFit, LmOptions, Parameter, Parameters};
use interphase::materials::{self, Element, Formula};
use interphase::plot::{self, Series, XyPlot};
use interphase::spectra::{self, Spectrum};

/// Asserts `r` is an error whose message contains `needle`; returns it.
fn err<T, E: std::fmt::Display>(r: Result<T, E>, needle: &str) -> E {
    match r {
        Ok(_) => panic!("expected an error containing {needle:?}"),
        Err(e) => {
            let m = e.to_string();
            assert!(m.contains(needle), "message {m:?} lacks {needle:?}");
            e
        }
    }
}

fn line(x: f64, p: &[f64]) -> f64 {
    p[0] + p[1] * x
}

const X: [f64; 4] = [0.0, 1.0, 2.0, 3.0];
const Y: [f64; 4] = [1.0, 3.0, 5.0, 7.0];

// ---- interphase-fit ----

#[test]
fn fit_parameter() {
    let mut p = Parameters::new();
    let e = err(p.push(Parameter::new("a", f64::NAN)), "parameter 'a'");
    assert!(matches!(e, fit::Error::Parameter { .. }));
    let e = err(
        p.push(Parameter::new("b", 5.0).with_bounds(0.0, 1.0)),
        "outside its bounds",
    );
    assert!(matches!(e, fit::Error::Parameter { .. }));
    let mut q = Parameters::new();
    q.push(Parameter::new("a", 1.0).tied_to("b", 1.0, 0.0))
        .unwrap();
    q.push(Parameter::new("b", 1.0).tied_to("a", 1.0, 0.0))
        .unwrap();
    let problem = CurveFit::new(&X, &Y, line).unwrap();
    err(fit::fit(&problem, &q, &LmOptions::default()), "cycle");
}

#[test]
fn fit_unknown_parameter() {
    let mut p = Parameters::from_values(&[("a", 1.0)]).unwrap();
    let e = err(p.set_value("nope", 1.0), "no parameter named 'nope'");
    assert!(matches!(e, fit::Error::UnknownParameter(_)));
}

#[test]
fn fit_data() {
    let e = err(
        CurveFit::new(&[0.0, f64::NAN], &[1.0, 2.0], line),
        "invalid data",
    );
    assert!(matches!(e, fit::Error::Data(_)));
    err(CurveFit::new(&X, &Y[..3], line), "invalid data");
    err(CurveFit::new(&[], &[], line), "invalid data");
}

#[test]
fn fit_dimension() {
    let problem = CurveFit::new(&X, &Y, line).unwrap().with_n_params(2);
    let p = Parameters::from_values(&[("a", 1.0), ("b", 1.0), ("c", 1.0)]).unwrap();
    let e = err(
        fit::fit(&problem, &p, &LmOptions::default()),
        "dimension mismatch",
    );
    assert!(matches!(e, fit::Error::Dimension(_)));
}

#[test]
fn fit_non_finite_start() {
    let problem = CurveFit::new(&X, &Y, |x: f64, p: &[f64]| p[0].ln() * x).unwrap();
    let p = Parameters::from_values(&[("a", -1.0)]).unwrap();
    let e = err(
        fit::fit(&problem, &p, &LmOptions::default()),
        "residual is not finite at the starting parameters (first at index 0)",
    );
    assert!(matches!(e, fit::Error::NonFiniteStart { .. }));
}

#[test]
fn fit_options() {
    let problem = CurveFit::new(&X, &Y, line).unwrap();
    let p = Parameters::from_values(&[("a", 1.0), ("b", 1.0)]).unwrap();
    let o = LmOptions {
        ftol: -1.0,
        ..LmOptions::default()
    };
    let e = err(fit::fit(&problem, &p, &o), "invalid option: ftol");
    assert!(matches!(e, fit::Error::Options(_)));
}

#[test]
fn fit_no_free_parameters() {
    let problem = CurveFit::new(&X, &Y, line).unwrap();
    let mut p = Parameters::new();
    p.push(Parameter::new("a", 1.0).fixed()).unwrap();
    p.push(Parameter::new("b", 1.0).fixed()).unwrap();
    let e = err(
        fit::fit(&problem, &p, &LmOptions::default()),
        "no varying parameters",
    );
    assert!(matches!(e, fit::Error::NoFreeParameters));
}

#[test]
fn fit_parse() {
    let e = err(fit::nist::Dataset::parse("not a NIST file\n"), "line ");
    assert!(matches!(e, fit::Error::Parse { .. }));
}

#[test]
fn fit_diverging_is_a_status_not_an_error() {
    // an exponential the data cannot follow, with an evaluation budget of 5:
    // the fit returns, says it did not converge, and has finite numbers
    let problem = CurveFit::new(&X, &Y, |x: f64, p: &[f64]| p[0] * (p[1] * x).exp()).unwrap();
    let p = Parameters::from_values(&[("a", 1e-3), ("b", 5.0)]).unwrap();
    let o = LmOptions {
        max_evaluations: Some(5),
        ..LmOptions::default()
    };
    let r = fit::fit(&problem, &p, &o).unwrap();
    assert!(!r.converged);
    assert_eq!(r.termination, fit::Termination::MaxEvaluations);
    assert!(r.values().iter().all(|v| v.is_finite()));
    assert!(r.warnings.iter().any(|w| w.contains("not converged")));
}

// ---- interphase-spectra ----

#[test]
fn spectra_fit() {
    let model = spectra::model::PeakModel::from_toml(
        "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 1.5\nfwhm = 1\narea = 1\n",
    )
    .unwrap();
    let s = Spectrum::new(X.to_vec(), Y.to_vec()).unwrap();
    let o = spectra::model::PeakFitOptions {
        lm: LmOptions {
            xtol: f64::NAN,
            ..LmOptions::default()
        },
        ..Default::default()
    };
    let e = err(model.fit(&s, &o), "invalid option: xtol");
    assert!(matches!(e, spectra::Error::Fit(_)));
}

#[test]
fn spectra_invalid_parameter() {
    let e = err(
        spectra::lineshape::Voigt::new(458.8, -0.5, 0.3, 1.0),
        "voigt: parameter `sigma` = -0.5",
    );
    assert!(matches!(e, spectra::Error::InvalidParameter { .. }));
}

#[test]
fn spectra_parameters() {
    use spectra::lineshape::{Shape, ShapeKind};
    let e = err(Shape::from_parameters(ShapeKind::Voigt, &[1.0]), "voigt:");
    assert!(matches!(e, spectra::Error::Parameters { .. }));
    assert_eq!(ShapeKind::from_name("voight"), None);
}

#[test]
fn spectra_length() {
    let e = err(
        Spectrum::new(vec![1.0, 2.0, 3.0], vec![1.0, 2.0]),
        "length mismatch",
    );
    assert!(matches!(e, spectra::Error::Length { .. }));
}

#[test]
fn spectra_non_finite() {
    let e = err(
        Spectrum::new(vec![1.0, 2.0, 3.0], vec![1.0, f64::INFINITY, 2.0]),
        "non-finite value inf at index 1",
    );
    assert!(matches!(e, spectra::Error::NonFinite { index: 1, .. }));
}

#[test]
fn spectra_parse() {
    let e = err(
        interphase::io::read_text(
            "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4\nnot a number\n",
            interphase::io::Format::Vamas,
            "x.vms",
        ),
        "x.vms:",
    );
    assert!(matches!(e, interphase::io::Error::Parse { line, .. } if line > 0));
}

#[test]
fn spectra_io() {
    let e = err(
        interphase::io::read_spectra("no/such/file.vms"),
        "no/such/file.vms",
    );
    assert!(matches!(e, interphase::io::Error::Io { .. }));
}

#[test]
fn spectra_invalid() {
    let s = Spectrum::new(vec![1.0, 2.0, 3.0, 4.0, 5.0], vec![1.0; 5]).unwrap();
    let e = err(s.savgol(4, 2, 0), "odd");
    assert!(matches!(e, spectra::Error::Invalid(_)));
    // unsorted and duplicate axes
    err(
        Spectrum::new(vec![1.0, 3.0, 2.0], vec![1.0; 3]),
        "monotonic",
    );
    err(
        Spectrum::new(vec![1.0, 1.0, 2.0], vec![1.0; 3]),
        "monotonic",
    );
}

#[test]
fn spectra_flat_data_and_too_few_points() {
    let model = spectra::model::PeakModel::from_toml(
        "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 1.5\nfwhm = 1\narea = 1\n",
    )
    .unwrap();
    let flat = Spectrum::new(X.to_vec(), vec![2.0; 4]).unwrap();
    err(model.fit(&flat, &Default::default()), "constant");
    err(Spectrum::new(vec![1.0], vec![1.0]), "at least 2");
}

// ---- interphase-eis ----

#[test]
fn eis_fit() {
    let c: Circuit = "R0-p(R1,C1)".parse().unwrap();
    let data =
        ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-6], &[1e4, 1e3, 1e2, 10.0]).unwrap();
    let o = eis::fit::FitOptions {
        lm: LmOptions {
            step_bound: 0.0,
            ..LmOptions::default()
        },
        ..Default::default()
    };
    let e = err(eis::fit::fit_circuit(&c, &data, None, &o), "step_bound");
    assert!(matches!(e, eis::Error::Fit(_)));
}

#[test]
fn eis_circuit() {
    let e = err("R0-p(R1,Q1)".parse::<Circuit>(), "circuit, position 9");
    assert!(matches!(e, eis::Error::Circuit { position: 9, .. }));
    err("R0-p(R1,C1".parse::<Circuit>(), "position");
}

#[test]
fn io_parse() {
    use interphase::io;
    let e = err(
        io::impedance::read_zplot2(
            "ZPLOT2 ASCII\nEnd Comments\n1e3\t0\t0\t0\t10\tabc\n",
            "bad.z",
            &io::ReadOptions::default(),
        ),
        "bad.z:3: column 6",
    );
    assert!(matches!(e, io::Error::Parse { line: 3, .. }));
}

#[test]
fn io_missing_file() {
    use interphase::io;
    let e = err(
        io::read_path("no/such/cell.mpt", &io::ReadOptions::default()),
        "no/such/cell.mpt",
    );
    assert!(matches!(e, io::Error::Io { .. }));
}

#[test]
fn io_unidentified_columns() {
    use interphase::io;
    let e = err(
        io::read_bytes(
            b"f,a,b\n1,2,3\n2,3,4\n",
            "t.csv",
            &io::ReadOptions::default(),
        )
        .and_then(io::into_impedance),
        "needs impedance data",
    );
    assert!(matches!(e, io::Error::WrongKind { .. }));
}

#[test]
fn eis_invalid() {
    use eis::Complex64 as C;
    let e = err(
        ImpedanceSpectrum::new(vec![1e3, -1.0], vec![C::new(1.0, 0.0); 2]),
        "frequenc",
    );
    assert!(matches!(e, eis::Error::Invalid(_)));
    err(
        ImpedanceSpectrum::new(vec![1e3, 1e2], vec![C::new(f64::NAN, 0.0); 2]),
        "finite",
    );
}

// ---- interphase-materials ----

#[test]
fn materials_parse() {
    let e = err("Li0.33La(TiO3".parse::<Formula>(), "position");
    assert!(matches!(e, materials::Error::Parse { .. }));
}

#[test]
fn materials_unknown_element() {
    let e = err(Element::from_symbol("Xx"), "unknown element `Xx`");
    assert!(matches!(e, materials::Error::UnknownElement(_)));
}

#[test]
fn materials_invalid_value() {
    let e = err(materials::density::Lattice::cubic(-3.9), "must be");
    assert!(matches!(e, materials::Error::InvalidValue { .. }));
}

#[test]
fn materials_not_tabulated() {
    let e = err(
        materials::radii::shannon_radius("Ti", 4, 3, materials::radii::Spin::None),
        "not tabulated",
    );
    assert!(matches!(e, materials::Error::NotTabulated(_)));
}

// ---- interphase-plot ----

#[test]
fn plot_data() {
    let e = err(
        XyPlot::new("t")
            .series(Series::line("s", &[1.0, 2.0], &[1.0]))
            .draw(),
        "cannot plot",
    );
    assert!(matches!(e, plot::Error::Data { .. }));
}

#[test]
fn plot_io() {
    let fig = XyPlot::new("t")
        .series(Series::line("s", &[1.0, 2.0], &[1.0, 3.0]))
        .draw()
        .unwrap();
    let e = err(fig.save("no/such/dir/fig.svg"), "cannot write the figure");
    assert!(matches!(e, plot::Error::Io(_)));
}

// ---- interphase (workflows) ----

#[test]
fn workflow_io() {
    let e = err(
        interphase::workflows::llto::analyse_dir(Path::new("no/such/dataset")),
        "no/such/dataset",
    );
    assert!(matches!(e, interphase::Error::Io { .. }));
}

#[test]
fn workflow_data() {
    let e = err(
        interphase::workflows::llto::Settings::from_toml("[xps]\nnonsense_key = 1\n"),
        "nonsense_key",
    );
    assert!(matches!(
        e,
        interphase::Error::Data(_) | interphase::Error::Spectra(_)
    ));
}

#[test]
fn spectra_parse_lying_header_counts() {
    // a header that claims 10^12 comment lines: refused before any allocation
    let vamas = "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4\n\
                 inst\nmodel\nop\nexp\n1000000000000\n";
    let e = err(
        interphase::io::read_text(vamas, interphase::io::Format::Vamas, "big.vms"),
        "is 1000000000000, but only 1 lines follow",
    );
    assert!(matches!(e, interphase::io::Error::Parse { line: 6, .. }));
    let emsa = "#FORMAT : EMSA/MAS Spectral Data File\n#VERSION : 1.0\n#TITLE : t\n\
                #NPOINTS : 1e12\n#NCOLUMNS : 1\n#XPERCHAN : 1\n#OFFSET : 0\n#DATATYPE : Y\n\
                #SPECTRUM :\n1, 2, 3\n#ENDOFDATA :\n";
    err(
        interphase::io::read_text(emsa, interphase::io::Format::Emsa, "big.msa"),
        "big.msa:",
    );
}
