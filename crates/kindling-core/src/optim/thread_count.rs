//! Adam, AdamW and SGD give bit-identical results on 1 and 2 threads for groups just below, at
//! and above the size from which they go to the pool, and for the seed's six buffers (whose chunks
//! span several buffers).
use super::buffers::PARALLEL_MIN_ELEMENTS;
use super::{adam_step, sgd_step, AdamOptions, SgdOptions};
use crate::threads::{set_num_threads, TEST_LOCK};

fn groups() -> Vec<Vec<usize>> {
    let t = PARALLEL_MIN_ELEMENTS;
    vec![
        vec![t - 1],
        vec![t],
        vec![t + 1],
        vec![t / 2, 3, t / 2 + 5],
        vec![784 * 64, 64, 64 * 32, 32, 32 * 10, 10],
        vec![2 * t + 17, 0, 1, 4099],
    ]
}

fn filled(sizes: &[usize], k: f32, offset: f32) -> Vec<Vec<f32>> {
    sizes
        .iter()
        .enumerate()
        .map(|(b, &n)| {
            (0..n)
                .map(|j| ((j + 31 * b) as f32 * k).sin() * 0.1 + offset)
                .collect()
        })
        .collect()
}

fn slices(v: &mut [Vec<f32>]) -> Vec<&mut [f32]> {
    v.iter_mut().map(|b| &mut b[..]).collect()
}

/// Three Adam steps (new gradient each step); returns every buffer.
fn adam_run(sizes: &[usize], options: &AdamOptions, threads: usize) -> Vec<Vec<f32>> {
    set_num_threads(threads).unwrap();
    let mut p = filled(sizes, 0.01, 0.0);
    let mut m = filled(sizes, 0.0, 0.0);
    let mut v = m.clone();
    let mut vmax = if options.amsgrad {
        m.clone()
    } else {
        Vec::new()
    };
    for step in 1..=3 {
        let g = filled(sizes, 0.03 * step as f32, 0.01);
        let g: Vec<&[f32]> = g.iter().map(|b| &b[..]).collect();
        let steps = vec![step as f64; sizes.len()];
        adam_step(
            &mut slices(&mut p),
            &g,
            &mut slices(&mut m),
            &mut slices(&mut v),
            &mut slices(&mut vmax),
            &steps,
            options,
        )
        .unwrap();
    }
    [p, m, v, vmax].concat()
}

fn sgd_run(sizes: &[usize], options: &SgdOptions, threads: usize) -> Vec<Vec<f32>> {
    set_num_threads(threads).unwrap();
    let mut p = filled(sizes, 0.01, 0.0);
    let mut buf = filled(sizes, 0.0, 0.0);
    let mut initialized = vec![0u8; sizes.len()];
    for step in 1..=3 {
        let g = filled(sizes, 0.03 * step as f32, 0.01);
        let g: Vec<&[f32]> = g.iter().map(|b| &b[..]).collect();
        sgd_step(
            &mut slices(&mut p),
            &g,
            &mut slices(&mut buf),
            &mut initialized,
            options,
        )
        .unwrap();
    }
    [p, buf].concat()
}

fn bits(v: Vec<Vec<f32>>) -> Vec<Vec<u32>> {
    v.into_iter()
        .map(|b| b.into_iter().map(f32::to_bits).collect())
        .collect()
}

#[test]
fn adam_and_adamw_do_not_depend_on_thread_count() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let d = AdamOptions::default();
    let cases = [
        AdamOptions { lr: 1e-4, ..d },
        AdamOptions {
            weight_decay: 0.01,
            amsgrad: true,
            ..d
        },
        AdamOptions {
            weight_decay: 0.01,
            decoupled_weight_decay: true,
            maximize: true,
            ..d
        },
    ];
    for sizes in groups() {
        for options in &cases {
            let one = bits(adam_run(&sizes, options, 1));
            let two = bits(adam_run(&sizes, options, 2));
            assert!(one == two, "sizes {sizes:?}, {options:?}");
        }
    }
}

#[test]
fn sgd_does_not_depend_on_thread_count() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let d = SgdOptions::default();
    let cases = [
        SgdOptions { lr: 0.1, ..d },
        SgdOptions {
            lr: 0.1,
            momentum: 0.9,
            nesterov: true,
            weight_decay: 1e-4,
            ..d
        },
        SgdOptions {
            lr: 0.1,
            momentum: 0.5,
            dampening: 0.1,
            maximize: true,
            ..d
        },
    ];
    for sizes in groups() {
        for options in &cases {
            let one = bits(sgd_run(&sizes, options, 1));
            let two = bits(sgd_run(&sizes, options, 2));
            assert!(one == two, "sizes {sizes:?}, {options:?}");
        }
    }
}
