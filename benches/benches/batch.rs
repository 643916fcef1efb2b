//! Batch fits: a 64 × 64 Ti 2p spectrum image (4096 spectra, 240 channels,
//! two Voigt doublets on an active Shirley background), warm-started along
//! each row, on all of the machine's threads.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use interphase_benches::ti2p_image;
use interphase_spectra::model::BatchOptions;

fn bench(c: &mut Criterion) {
    let (model, x, cube) = ti2p_image(64, 64);
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.bench_function("ti2p_image_64x64", |b| {
        b.iter(|| {
            model
                .fit_image(&x, black_box(cube.view()), &BatchOptions::default())
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
