//! Accuracy of the Faddeeva function against mpmath (80-digit) references.
#![allow(clippy::excessive_precision)] // reference values keep the digits their source printed

use interphase_spectra::lineshape::{dawson, erfcx, faddeeva};
use num_complex::Complex64;

#[path = "refs/faddeeva_w.rs"]
mod refs;

#[path = "refs/faddeeva_band.rs"]
mod band_refs;

#[test]
fn faddeeva_matches_mpmath_over_the_whole_plane() {
    // reference: crates/spectra/tools/gen_faddeeva_refs.py (mpmath, 80 digits), 1500 points in
    // all four quadrants, on both axes, |z| from 1e-300 to 1e300.
    let mut worst = (0.0f64, 0.0, 0.0);
    for &(x, y, re, im) in refs::W_REFS {
        let w = faddeeva(Complex64::new(x, y));
        let r = Complex64::new(re, im);
        let err = (w - r).norm() / r.norm();
        if err > 1e-13 {
            println!("z = {x:e} + {y:e}i: w = {w}, ref = {r}, err {err:.2e}");
        }
        if err > worst.0 {
            worst = (err, x, y);
        }
    }
    println!(
        "worst relative error {:.3e} at z = {} + {}i ({} points)",
        worst.0,
        worst.1,
        worst.2,
        refs::W_REFS.len()
    );
    assert!(
        worst.0 <= 1e-13,
        "worst relative error {:.3e} at z = {} + {}i",
        worst.0,
        worst.1,
        worst.2
    );
}

#[test]
fn real_part_is_accurate_where_the_voigt_profile_needs_it() {
    // The Voigt profile uses Re w(x + iy) for y ≥ 0: check Re w component-wise
    // wherever it is not negligible against |w| (> 1e-3 |w|).
    let mut worst = 0.0f64;
    for &(x, y, re, im) in refs::W_REFS {
        if y < 0.0 || re.abs() < 1e-3 * re.hypot(im) {
            continue;
        }
        let w = faddeeva(Complex64::new(x, y));
        worst = worst.max((w.re - re).abs() / re.abs());
    }
    assert!(worst <= 1e-13, "worst relative error of Re w: {worst:.3e}");
}

#[test]
fn weideman_band_is_accurate_part_by_part() {
    // Where faddeeva uses Weideman's approximation (0.1 ≤ Im z ≤ 1e4, |Re z| ≤ 1e5,
    // and 0.06 ≤ Im z < 0.1, |Re z| ≤ 8):
    // Re w to 1e-13 of itself everywhere (the Voigt profile, even in its far
    // tails, where Re w ≈ y/(√π x²) is 1e-12 of |w|), and Im w to 1e-13 of |w|.
    // reference: crates/spectra/tools/gen_faddeeva_refs.py --band (mpmath, 60 digits),
    // 650 points, half of them at 0.1 ≤ y ≤ 0.3 where the approximation's error is largest,
    // and 424 in the low part, half of them at 4 ≤ |x| ≤ 8 (its worst is printed
    // on its own).
    let (mut worst_re, mut worst_im) = ((0.0f64, 0.0, 0.0), 0.0f64);
    let (mut low_re, mut low_n) = (0.0f64, 0);
    for &(x, y, re, im) in band_refs::W_BAND_REFS {
        let w = faddeeva(Complex64::new(x, y));
        let e = (w.re - re).abs() / re.abs();
        if e > worst_re.0 {
            worst_re = (e, x, y);
        }
        if y < 0.1 {
            low_re = low_re.max(e);
            low_n += 1;
        }
        worst_im = worst_im.max((w.im - im).abs() / re.hypot(im));
    }
    println!(
        "worst relative error of Re w {:.2e} at z = {} + {}i; of Im w (against |w|) {worst_im:.2e}; \
         of Re w in the low part ({low_n} points) {low_re:.2e}",
        worst_re.0, worst_re.1, worst_re.2
    );
    assert!(low_n >= 400, "{low_n} points in the low part");
    assert!(worst_re.0 <= 1e-13, "Re w: {worst_re:?}");
    assert!(worst_im <= 1e-13, "Im w: {worst_im:.3e}");
}

#[test]
fn erfcx_and_dawson_match_mpmath() {
    // reference: mpmath 1.3.0 at 50 digits: exp(x**2)*erfc(x) and
    // sqrt(pi)/2*exp(-x**2)*erfi(x)
    let erfcx_refs = [
        (-3.0, 16_205.988_853_999_586_625),
        (-0.5, 1.952_360_489_182_557_093_3),
        (1e-10, 0.999_999_999_887_162_083_3),
        (0.3, 0.734_599_334_567_655_149_92),
        (3.0, 0.179_001_151_181_389_950_42),
        (12.0, 0.046_854_221_014_893_762_62),
        (49.9, 0.011_304_135_492_993_412_771),
        (50.1, 0.011_259_027_200_185_286_354),
        (1e5, 5.641_895_835_195_468_077_7e-6),
        (1e-300, 1.0),
    ];
    for (x, v) in erfcx_refs {
        let e = (erfcx(x) - v).abs() / v;
        assert!(
            e <= 2e-15,
            "erfcx({x}) = {}, relative error {e:.2e}",
            erfcx(x)
        );
    }
    let dawson_refs = [
        (1e-5, 9.999_999_999_333_334_151_4e-6),
        (0.5, 0.424_436_383_502_022_295_93),
        (1.0, 0.538_079_506_912_768_419_14),
        (2.5, 0.223_083_722_167_435_481_13),
        (5.0, 0.102_134_074_424_276_835_44),
        (10.0, 0.050_253_847_187_598_528_033),
        (100.0, 0.005_000_250_037_509_378_282_7),
        (-3.0, -0.178_271_030_610_558_287_34),
    ];
    for (x, v) in dawson_refs {
        let e = (dawson(x) - v).abs() / v.abs();
        assert!(
            e <= 1e-13,
            "dawson({x}) = {}, relative error {e:.2e}",
            dawson(x)
        );
    }
}

#[test]
fn nan_in_nan_out_and_symmetries() {
    assert!(faddeeva(Complex64::new(f64::NAN, 1.0)).re.is_nan());
    assert!(erfcx(f64::NAN).is_nan());
    // w(−z̄) = conj(w(z))
    for &(x, y) in &[(0.3, 0.7), (5.0, 0.01), (12.0, 3.0), (0.0, 2.0)] {
        let a = faddeeva(Complex64::new(x, y));
        let b = faddeeva(Complex64::new(-x, y)).conj();
        assert!((a - b).norm() <= 1e-15 * a.norm(), "symmetry at {x}+{y}i");
    }
}
