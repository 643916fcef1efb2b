//! Line-shape evaluation: Voigt values and values + gradients, and the other
//! shapes of the family, on 1000 points of a typical XPS window.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use interphase_spectra::lineshape::{LineShape, Shape, ShapeKind};

fn bench(c: &mut Criterion) {
    let x: Vec<f64> = (0..1000).map(|i| 450.0 + 0.02 * i as f64).collect();
    let mut out = vec![0.0; x.len()];
    let cases: [(&str, ShapeKind, &[f64]); 12] = [
        ("voigt", ShapeKind::Voigt, &[458.8, 0.5, 0.3, 5000.0]),
        // γ = 0.1σ: a nearly Gaussian peak (a narrow core level, C 1s-like)
        ("voigt_g0.1s", ShapeKind::Voigt, &[458.8, 0.5, 0.05, 5000.0]),
        ("gaussian", ShapeKind::Gaussian, &[458.8, 1.2, 5000.0]),
        (
            "pseudo_voigt",
            ShapeKind::PseudoVoigt,
            &[458.8, 1.2, 0.3, 5000.0],
        ),
        ("gl", ShapeKind::Gl, &[458.8, 1.2, 30.0, 5000.0]),
        ("pearson7", ShapeKind::Pearson7, &[458.8, 1.2, 2.0, 5000.0]),
        (
            "doniach_gauss",
            ShapeKind::DoniachGauss,
            &[458.8, 0.3, 0.1, 0.4, 5000.0],
        ),
        // γ = 0.3σ: the grid's most terms (360); just below it, Gauss–Jacobi
        (
            "doniach_gauss_g0.3s",
            ShapeKind::DoniachGauss,
            &[458.8, 0.12, 0.1, 0.4, 5000.0],
        ),
        (
            "doniach_gauss_g0.29s",
            ShapeKind::DoniachGauss,
            &[458.8, 0.116, 0.1, 0.4, 5000.0],
        ),
        // γ = 0.1σ: in Weideman's low band (0.085σ ≤ γ < 0.14σ, |Re ζ| ≤ 8);
        // γ = 0.03σ below it: lanes of the general w(z)
        (
            "doniach_gauss_g0.1s",
            ShapeKind::DoniachGauss,
            &[458.8, 0.04, 0.1, 0.4, 5000.0],
        ),
        (
            "doniach_gauss_g0.03s",
            ShapeKind::DoniachGauss,
            &[458.8, 0.012, 0.1, 0.4, 5000.0],
        ),
        (
            "la_gauss",
            ShapeKind::La,
            &[458.8, 0.6, 1.1, 1.9, 0.4, 5000.0],
        ),
    ];
    for (name, kind, p) in cases {
        let s = Shape::from_parameters(kind, p).unwrap();
        let mut jac = vec![0.0; x.len() * p.len()];
        c.bench_function(&format!("{name}_eval/1000pts"), |b| {
            b.iter(|| s.eval_into(black_box(&x), &mut out).unwrap())
        });
        c.bench_function(&format!("{name}_eval_grad/1000pts"), |b| {
            b.iter(|| {
                s.eval_with_jacobian(black_box(&x), &mut out, &mut jac)
                    .unwrap()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
