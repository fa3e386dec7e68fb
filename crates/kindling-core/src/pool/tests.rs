//! The pooling kernels against naive loops that enumerate every kernel tap (`o·s − p + k·d`) and
//! keep the taps inside the input, an independent formulation of PyTorch's window clipping.
use super::*;
use crate::test_util::{assert_close, at_1_and_2_threads, data};

fn out_size(len: usize, k: usize, s: usize, p: usize, d: usize, ceil: bool) -> usize {
    let span = (len + 2 * p) as isize - (d * (k - 1)) as isize - 1;
    let mut n = if ceil {
        (span + s as isize - 1).div_euclid(s as isize)
    } else {
        span.div_euclid(s as isize)
    } + 1;
    if ceil && (n - 1) * s as isize >= (len + p) as isize {
        n -= 1;
    }
    n as usize
}

#[allow(clippy::too_many_arguments)]
fn options(
    planes: usize,
    ih: usize,
    iw: usize,
    k: (usize, usize),
    s: (usize, usize),
    p: (usize, usize),
    d: (usize, usize),
    ceil: bool,
) -> Pool2dOptions {
    Pool2dOptions {
        planes,
        in_h: ih,
        in_w: iw,
        out_h: out_size(ih, k.0, s.0, p.0, d.0, ceil),
        out_w: out_size(iw, k.1, s.1, p.1, d.1, ceil),
        kernel_h: k.0,
        kernel_w: k.1,
        stride_h: s.0,
        stride_w: s.1,
        pad_h: p.0,
        pad_w: p.1,
        dilation_h: d.0,
        dilation_w: d.1,
        count_include_pad: true,
        divisor_override: 0,
    }
}

fn taps(o: usize, s: usize, p: usize, k: usize, d: usize, len: usize) -> Vec<usize> {
    (0..k)
        .map(|t| (o * s + t * d) as isize - p as isize)
        .filter(|&i| i >= 0 && (i as usize) < len)
        .map(|i| i as usize)
        .collect()
}

/// `None` when a window holds no input element (PyTorch then reports −inf at an index past the plane).
fn naive_max(x: &[f32], o: &Pool2dOptions) -> Option<(Vec<f32>, Vec<i32>)> {
    let mut values = vec![];
    let mut indices = vec![];
    for p in 0..o.planes {
        for oh in 0..o.out_h {
            for ow in 0..o.out_w {
                let hs = taps(oh, o.stride_h, o.pad_h, o.kernel_h, o.dilation_h, o.in_h);
                let ws = taps(ow, o.stride_w, o.pad_w, o.kernel_w, o.dilation_w, o.in_w);
                if hs.is_empty() || ws.is_empty() {
                    return None;
                }
                let mut best = (f32::NEG_INFINITY, (hs[0] * o.in_w + ws[0]) as i32);
                for &h in &hs {
                    for &w in &ws {
                        let v = x[p * o.in_h * o.in_w + h * o.in_w + w];
                        if v > best.0 || v.is_nan() {
                            best = (v, (h * o.in_w + w) as i32);
                        }
                    }
                }
                values.push(best.0);
                indices.push(best.1);
            }
        }
    }
    Some((values, indices))
}

fn naive_avg(x: &[f32], o: &Pool2dOptions) -> Vec<f32> {
    let mut out = vec![];
    for p in 0..o.planes {
        for oh in 0..o.out_h {
            for ow in 0..o.out_w {
                let hs = taps(oh, o.stride_h, o.pad_h, o.kernel_h, 1, o.in_h);
                let ws = taps(ow, o.stride_w, o.pad_w, o.kernel_w, 1, o.in_w);
                // Taps inside the padded input count with count_include_pad.
                let padded = |oo: usize, s: usize, pad: usize, k: usize, len: usize| {
                    (0..k).filter(|t| oo * s + t < len + 2 * pad).count()
                };
                let sum: f32 = hs
                    .iter()
                    .flat_map(|&h| ws.iter().map(move |&w| (h, w)))
                    .map(|(h, w)| x[p * o.in_h * o.in_w + h * o.in_w + w])
                    .sum();
                let divisor = if o.divisor_override != 0 {
                    o.divisor_override
                } else if o.count_include_pad {
                    padded(oh, o.stride_h, o.pad_h, o.kernel_h, o.in_h)
                        * padded(ow, o.stride_w, o.pad_w, o.kernel_w, o.in_w)
                } else {
                    hs.len() * ws.len()
                };
                out.push(if hs.is_empty() || ws.is_empty() {
                    0.0
                } else {
                    sum / divisor as f32
                });
            }
        }
    }
    out
}

fn cases() -> Vec<Pool2dOptions> {
    let mut all = vec![];
    for &(ih, iw) in &[(5, 7), (6, 6), (1, 9)] {
        for &k in &[(1, 1), (2, 2), (2, 3), (3, 3)] {
            for &s in &[(1, 1), (2, 2), (3, 2)] {
                for &p in &[(0, 0), (1, 1)] {
                    for &d in &[(1, 1), (2, 1)] {
                        for &ceil in &[false, true] {
                            if 2 * p.0 > (k.0 - 1) * d.0 + 1 || 2 * p.1 > (k.1 - 1) * d.1 + 1 {
                                continue;
                            }
                            let o = options(2, ih, iw, k, s, p, d, ceil);
                            if (ih + 2 * p.0) as isize - ((k.0 - 1) * d.0) as isize - 1 < 0
                                || (iw + 2 * p.1) as isize - ((k.1 - 1) * d.1) as isize - 1 < 0
                            {
                                continue;
                            }
                            all.push(o);
                        }
                    }
                }
            }
        }
    }
    all
}

#[test]
fn max_pool2d_matches_naive_taps() {
    for o in cases() {
        let mut x = data(o.planes * o.in_h * o.in_w, 7, -1.0, 1.0);
        x[3] = f32::NAN;
        x[4] = x[5];
        let n = o.planes * o.out_h * o.out_w;
        let (mut values, mut indices) = (vec![0.0; n], vec![0; n]);
        max_pool2d(&x, &mut values, &mut indices, &o).unwrap();
        let Some((ev, ei)) = naive_max(&x, &o) else {
            continue;
        };
        assert_eq!(indices, ei, "{o:?}");
        assert_eq!(format!("{values:?}"), format!("{ev:?}"), "{o:?}");
        let g = data(n, 9, -1.0, 1.0);
        let mut gi = vec![1.0; x.len()];
        max_pool_backward(
            &g,
            &indices,
            &mut gi,
            o.planes,
            o.in_h * o.in_w,
            o.out_h * o.out_w,
        )
        .unwrap();
        let mut expected = vec![0.0; x.len()];
        for (j, &i) in indices.iter().enumerate() {
            expected[j / (o.out_h * o.out_w) * o.in_h * o.in_w + i as usize] += g[j];
        }
        assert_close(&gi, &expected, 0.0, 0.0, "max backward");
    }
}

#[test]
fn max_pool_ties_take_the_first_and_nan_the_last() {
    let o = options(1, 1, 4, (1, 4), (1, 4), (0, 0), (1, 1), false);
    let (mut v, mut i) = (vec![0.0], vec![0]);
    max_pool2d(&[2.0, 2.0, 1.0, 2.0], &mut v, &mut i, &o).unwrap();
    assert_eq!((v[0], i[0]), (2.0, 0));
    max_pool2d(&[1.0, f32::NAN, 3.0, f32::NAN], &mut v, &mut i, &o).unwrap();
    assert!(v[0].is_nan());
    assert_eq!(i[0], 3);
}

#[test]
fn max_pool_2x2_fast_path_keeps_the_tie_nan_and_infinity_rules() {
    // One 2×4 plane, two windows: [a b / c d] visited a, b, c, d.
    let o = options(1, 2, 4, (2, 2), (2, 2), (0, 0), (1, 1), false);
    let (mut v, mut i) = (vec![0.0; 2], vec![0; 2]);
    let ninf = f32::NEG_INFINITY;
    for (x, ev, ei) in [
        ([2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0], [2.0, 1.0], [0, 2]),
        (
            [ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf],
            [ninf, ninf],
            [0, 2],
        ),
        (
            [1.0, f32::NAN, 0.0, 3.0, 5.0, 0.0, f32::NAN, 2.0],
            [f32::NAN, f32::NAN],
            [1, 6],
        ),
        (
            [0.0, 1.0, 0.0, 0.0, f32::NAN, f32::NAN, 0.0, 9.0],
            [f32::NAN, 9.0],
            [5, 7],
        ),
    ] {
        max_pool2d(&x, &mut v, &mut i, &o).unwrap();
        assert_eq!(format!("{v:?}"), format!("{ev:?}"), "{x:?}");
        assert_eq!(i, ei, "{x:?}");
    }
}

#[test]
fn avg_pool2d_matches_naive_taps_with_every_divisor_rule() {
    for mut o in cases()
        .into_iter()
        .filter(|o| o.dilation_h == 1 && o.dilation_w == 1)
    {
        for (include, divisor) in [(true, 0), (false, 0), (false, 5)] {
            o.count_include_pad = include;
            o.divisor_override = divisor;
            let x = data(o.planes * o.in_h * o.in_w, 3, -1.0, 1.0);
            let mut out = vec![0.0; o.planes * o.out_h * o.out_w];
            avg_pool2d(&x, &mut out, &o).unwrap();
            assert_close(&out, &naive_avg(&x, &o), 1e-6, 1e-6, "avg forward");
            // The backward is the transpose of the forward: <g, A x> = <Aᵀ g, x>.
            let g = data(out.len(), 4, -1.0, 1.0);
            let mut gi = vec![0.0; x.len()];
            avg_pool2d_backward(&g, &mut gi, &o).unwrap();
            let lhs: f32 = g.iter().zip(&out).map(|(a, b)| a * b).sum();
            let rhs: f32 = gi.iter().zip(&x).map(|(a, b)| a * b).sum();
            assert!((lhs - rhs).abs() < 1e-4, "{o:?}: {lhs} vs {rhs}");
        }
    }
}

#[test]
fn adaptive_pools_match_naive_windows() {
    for &(ih, iw, oh, ow) in &[
        (5, 7, 3, 4),
        (6, 6, 6, 6),
        (7, 5, 2, 3),
        (4, 4, 5, 3),
        (5, 5, 1, 1),
    ] {
        let o = AdaptiveOptions {
            planes: 3,
            in_h: ih,
            in_w: iw,
            out_h: oh,
            out_w: ow,
        };
        let x = data(3 * ih * iw, 11, -1.0, 1.0);
        let n = 3 * oh * ow;
        let (mut avg, mut max, mut idx) = (vec![0.0; n], vec![0.0; n], vec![0; n]);
        adaptive_avg_pool2d(&x, &mut avg, &o).unwrap();
        adaptive_max_pool2d(&x, &mut max, &mut idx, &o).unwrap();
        let mut j = 0;
        for p in 0..3 {
            for a in 0..oh {
                for b in 0..ow {
                    let h0 = ((a * ih) as f64 / oh as f64).floor() as usize;
                    let h1 = (((a + 1) * ih) as f64 / oh as f64).ceil() as usize;
                    let w0 = ((b * iw) as f64 / ow as f64).floor() as usize;
                    let w1 = (((b + 1) * iw) as f64 / ow as f64).ceil() as usize;
                    let window: Vec<(usize, f32)> = (h0..h1)
                        .flat_map(|h| (w0..w1).map(move |w| h * iw + w))
                        .map(|i| (i, x[p * ih * iw + i]))
                        .collect();
                    let mean = window.iter().map(|e| e.1).sum::<f32>() / window.len() as f32;
                    assert!((avg[j] - mean).abs() < 1e-6);
                    let best = window
                        .iter()
                        .fold(window[0], |b, &e| if e.1 > b.1 { e } else { b });
                    assert_eq!((max[j], idx[j]), (best.1, best.0 as i32));
                    j += 1;
                }
            }
        }
        let g = data(n, 5, -1.0, 1.0);
        let mut gi = vec![0.0; x.len()];
        adaptive_avg_pool2d_backward(&g, &mut gi, &o).unwrap();
        let lhs: f32 = g.iter().zip(&avg).map(|(a, b)| a * b).sum();
        let rhs: f32 = gi.iter().zip(&x).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-4);
    }
}

#[test]
fn pooling_rejects_wrong_lengths_and_bad_indices() {
    let o = options(2, 4, 4, (2, 2), (2, 2), (0, 0), (1, 1), false);
    let mut out = vec![0.0; 7];
    let e = avg_pool2d(&[0.0; 32], &mut out, &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        "avg_pool2d: out has 7 elements, expected 8 (2 planes of 16 in, 4 out)"
    );
    let mut gi = vec![0.0; 32];
    let e = max_pool_backward(&[1.0; 8], &[16; 8], &mut gi, 2, 16, 4).unwrap_err();
    assert_eq!(
        e.to_string(),
        "max_pool_backward: index 16 is outside the input plane of 16 elements"
    );
    let e = Pool2dOptions::unpack(&[1.0; 3]).unwrap_err();
    assert!(e
        .to_string()
        .starts_with("pool2d: options has 3 elements, expected 15"));
}

#[test]
fn parallel_planes_give_the_single_thread_results_bit_for_bit() {
    // 64 planes of 32×32: enough work for the pool to split the planes across threads.
    let o = options(64, 32, 32, (3, 3), (2, 2), (1, 1), (1, 1), true);
    let a = AdaptiveOptions {
        planes: 64,
        in_h: 32,
        in_w: 32,
        out_h: 5,
        out_w: 7,
    };
    let x = data(64 * 32 * 32, 21, -1.0, 1.0);
    let run = || {
        let n = o.planes * o.out_h * o.out_w;
        let g = data(n, 22, -1.0, 1.0);
        let (mut avg, mut avg_grad) = (vec![0.0; n], vec![0.0; x.len()]);
        avg_pool2d(&x, &mut avg, &o).unwrap();
        avg_pool2d_backward(&g, &mut avg_grad, &o).unwrap();
        let (mut max, mut idx, mut max_grad) = (vec![0.0; n], vec![0; n], vec![0.0; x.len()]);
        max_pool2d(&x, &mut max, &mut idx, &o).unwrap();
        max_pool_backward(&g, &idx, &mut max_grad, 64, 32 * 32, n / 64).unwrap();
        let m = 64 * 5 * 7;
        let ga = data(m, 23, -1.0, 1.0);
        let (mut ad, mut ad_grad) = (vec![0.0; m], vec![0.0; x.len()]);
        adaptive_avg_pool2d(&x, &mut ad, &a).unwrap();
        adaptive_avg_pool2d_backward(&ga, &mut ad_grad, &a).unwrap();
        [avg, avg_grad, max, max_grad, ad, ad_grad]
            .map(|v| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>())
    };
    let (one, two) = at_1_and_2_threads(run);
    assert_eq!(one, two);
}

/// The values-only forward against `max_pool2d`, bit for bit (`to_bits`: NaN payloads and the sign
/// of zero included): every case of `cases()` (most take the fallback, the 2×2 stride-2 ones the
/// values-only kernel), the MNIST shape with NaN, ±0 ties and ±∞ planted, on every SIMD path, and
/// at 1 and 2 threads.
#[test]
fn values_only_max_pool_gives_max_pool2d_values_bit_for_bit() {
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let mnist = options(64, 24, 24, (2, 2), (2, 2), (0, 0), (1, 1), false);
    // Odd sizes: the last input row and column are outside every window.
    let odd = options(3, 7, 9, (2, 2), (2, 2), (0, 0), (1, 1), false);
    for o in cases().into_iter().chain([mnist, odd]) {
        let mut x = data(o.planes * o.in_h * o.in_w, 11, -1.0, 1.0);
        for (i, v) in x.iter_mut().enumerate() {
            match i % 13 {
                0 => *v = f32::NAN,
                1 => *v = -f32::NAN,
                2 | 3 => *v = 0.0,
                4 | 5 => *v = -0.0,
                6 => *v = f32::INFINITY,
                7 => *v = f32::NEG_INFINITY,
                _ => {}
            }
        }
        let n = o.planes * o.out_h * o.out_w;
        let (mut want, mut indices) = (vec![0.0; n], vec![0; n]);
        max_pool2d(&x, &mut want, &mut indices, &o).unwrap();
        let (one, two) = at_1_and_2_threads(|| {
            let mut got = vec![f32::NAN; n];
            max_pool2d_values(&x, &mut got, &o).unwrap();
            got
        });
        assert_eq!(bits(&one), bits(&want), "{o:?}");
        assert_eq!(bits(&two), bits(&want), "{o:?} on 2 threads");
    }
    // Every window a ±0 tie: the first tap's sign is kept.
    let o = options(1, 2, 4, (2, 2), (2, 2), (0, 0), (1, 1), false);
    let mut v = vec![f32::NAN; 2];
    max_pool2d_values(&[-0.0, 0.0, 0.0, -0.0, 0.0, -0.0, -0.0, 0.0], &mut v, &o).unwrap();
    assert_eq!(bits(&v), bits(&[-0.0, 0.0]));
    let err = max_pool2d_values(&[0.0; 7], &mut v, &o).unwrap_err();
    assert!(
        err.to_string().starts_with("max_pool2d: x has 7 elements"),
        "{err}"
    );
}

/// The MNIST pooling (64 planes of 24×24, 2×2) with and without indices, medians of 500 calls
/// on 1 thread: `cargo test -p kindling-core --release pool::tests::values_only_timing --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn values_only_timing() {
    let _g = crate::threads::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    crate::threads::set_num_threads(1).unwrap();
    let o = options(64, 24, 24, (2, 2), (2, 2), (0, 0), (1, 1), false);
    let x = data(o.planes * o.in_h * o.in_w, 1, -1.0, 1.0);
    let n = o.planes * o.out_h * o.out_w;
    let (mut v, mut i) = (vec![0.0; n], vec![0; n]);
    let median = |mut t: Vec<f64>| {
        t.sort_by(|a, b| a.total_cmp(b));
        t[t.len() / 2]
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..500 {
        let t = std::time::Instant::now();
        max_pool2d(&x, &mut v, &mut i, &o).unwrap();
        a.push(t.elapsed().as_secs_f64() * 1e6);
        let t = std::time::Instant::now();
        max_pool2d_values(&x, &mut v, &o).unwrap();
        b.push(t.elapsed().as_secs_f64() * 1e6);
    }
    println!(
        "MNIST max pool, 1 thread: with indices {:.1} µs, values only {:.1} µs",
        median(a),
        median(b)
    );
}
