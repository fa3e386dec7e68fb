use super::*;
use crate::test_util::{assert_close, at_1_and_2_threads, data};

/// The textbook formulas in f64: (out, grad_in, grad_weight, grad_bias) in training mode.
fn reference(o: &BatchNormOptions, x: &[f32], w: &[f32], b: &[f32], dy: &[f32], eps: f64) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let m = (o.n * o.l) as f64;
    let idx = |n: usize, ch: usize, i: usize| (n * o.c + ch) * o.l + i;
    let (mut out, mut gx) = (vec![0.0f32; o.len()], vec![0.0f32; o.len()]);
    let (mut gw, mut gb) = (vec![0.0f32; o.c], vec![0.0f32; o.c]);
    for ch in 0..o.c {
        let all: Vec<usize> = (0..o.n).flat_map(|n| (0..o.l).map(move |i| idx(n, ch, i))).collect();
        let mean = all.iter().map(|&i| x[i] as f64).sum::<f64>() / m;
        let var = all.iter().map(|&i| (x[i] as f64 - mean).powi(2)).sum::<f64>() / m;
        let invstd = 1.0 / (var + eps).sqrt();
        let sdy: f64 = all.iter().map(|&i| dy[i] as f64).sum();
        let sdyx: f64 = all.iter().map(|&i| dy[i] as f64 * (x[i] as f64 - mean) * invstd).sum();
        for &i in &all {
            let xhat = (x[i] as f64 - mean) * invstd;
            out[i] = (xhat * w[ch] as f64 + b[ch] as f64) as f32;
            gx[i] = (w[ch] as f64 * invstd * (dy[i] as f64 - sdy / m - xhat * sdyx / m)) as f32;
        }
        gw[ch] = sdyx as f32;
        gb[ch] = sdy as f32;
    }
    (out, gx, gw, gb)
}

fn run(o: &BatchNormOptions, x: &[f32], w: &[f32], b: &[f32], dy: &[f32], eps: f32) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let (mut mean, mut var) = (vec![0.0; o.c], vec![0.0; o.c]);
    batch_norm_stats(x, &mut mean, &mut var, o).unwrap();
    let invstd: Vec<f32> = var.iter().map(|&v| (1.0 / (v as f64 + eps as f64).sqrt()) as f32).collect();
    let mut out = vec![f32::NAN; o.len()];
    batch_norm_apply(x, &mean, &invstd, Some(w), Some(b), &mut out, o).unwrap();
    let mut sums = vec![0.0; 2 * o.c];
    let (sdy, sdyx) = sums.split_at_mut(o.c);
    batch_norm_backward_reduce(dy, x, &mean, &invstd, sdy, sdyx, o).unwrap();
    let mut gx = vec![f32::NAN; o.len()];
    batch_norm_backward_input(dy, x, &mean, &invstd, Some(w), &sums, &mut gx, o).unwrap();
    (out, gx, sums[o.c..].to_vec(), sums[..o.c].to_vec())
}

#[test]
fn training_matches_the_formulas() {
    for (n, c, l) in [(2, 3, 1), (4, 5, 7), (1, 2, 9), (8, 16, 26 * 26)] {
        let o = BatchNormOptions { n, c, l, train: true };
        let x = data(o.len(), 1, -2.0, 3.0);
        let w = data(c, 2, 0.5, 1.5);
        let b = data(c, 3, -0.5, 0.5);
        let dy = data(o.len(), 4, -1.0, 1.0);
        let want = reference(&o, &x, &w, &b, &dy, 1e-5);
        let got = run(&o, &x, &w, &b, &dy, 1e-5);
        let what = format!("{o:?}");
        assert_close(&got.0, &want.0, 1e-5, 1e-5, &format!("output {what}"));
        assert_close(&got.1, &want.1, 1e-4, 1e-5, &format!("grad input {what}"));
        assert_close(&got.2, &want.2, 1e-5, 1e-4, &format!("grad weight {what}"));
        assert_close(&got.3, &want.3, 1e-5, 1e-4, &format!("grad bias {what}"));
    }
}

#[test]
fn evaluation_gradient_is_the_scaled_upstream_gradient() {
    let o = BatchNormOptions { n: 3, c: 2, l: 4, train: false };
    let x = data(o.len(), 1, -1.0, 1.0);
    let dy = data(o.len(), 2, -1.0, 1.0);
    let (mean, invstd, w) = ([0.5, -0.25], [2.0, 0.5], [3.0, -1.0]);
    let mut gx = vec![0.0; o.len()];
    batch_norm_backward_input(&dy, &x, &mean, &invstd, Some(&w), &[0.0; 4], &mut gx, &o).unwrap();
    for (i, (&g, &d)) in gx.iter().zip(&dy).enumerate() {
        let ch = i / o.l % o.c;
        assert_eq!(g, d * invstd[ch] * w[ch]);
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let o = BatchNormOptions { n: 16, c: 32, l: 26 * 26, train: true };
    let x = data(o.len(), 1, -2.0, 3.0);
    let (w, b) = (data(32, 2, 0.5, 1.5), data(32, 3, -0.5, 0.5));
    let dy = data(o.len(), 4, -1.0, 1.0);
    let (one, two) = at_1_and_2_threads(|| run(&o, &x, &w, &b, &dy, 1e-5));
    assert!(one == two, "batch norm differs between 1 and 2 threads");
}

#[test]
fn bad_sizes_are_errors() {
    let o = BatchNormOptions { n: 2, c: 3, l: 1, train: true };
    let err = batch_norm_stats(&[0.0; 5], &mut [0.0; 3], &mut [0.0; 3], &o).unwrap_err();
    assert_eq!(err.to_string(), "batch_norm_stats: x has 5 elements, expected 6 (n=2, c=3, l=1)");
    let empty = BatchNormOptions { n: 0, ..o };
    let err = batch_norm_stats(&[], &mut [0.0; 3], &mut [0.0; 3], &empty).unwrap_err();
    assert_eq!(err.to_string(), "batch_norm_stats: no values per channel (n=0, c=3, l=1)");
    let err = batch_norm_backward_input(&[0.0; 6], &[0.0; 6], &[0.0; 3], &[0.0; 3], None, &[0.0; 3], &mut [0.0; 6], &o).unwrap_err();
    assert!(err.to_string().starts_with("batch_norm_backward_input: sums has 3 elements, expected 6"), "{err}");
}
