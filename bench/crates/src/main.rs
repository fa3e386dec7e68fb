//! Prints, for the MNIST CNN's kernels at batch 64 on 2 threads, kindling's own code against:
//! the `gemm` crate (candle's) for the convolution's and fc1's products, `ndarray` for im2col, and
//! a `rayon` pool that includes the calling thread (`use_current_thread`) for pooling and for a
//! small region entered after the pool went idle. Medians of interleaved repetitions.
use std::time::{Duration, Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn data(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2654435761).wrapping_add(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s as f32 / u32::MAX as f32) - 0.5
        })
        .collect()
}

/// Interleaves `a` and `b` `reps` times; returns their median times in ms.
fn ab(reps: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    a();
    b();
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let t = Instant::now();
        a();
        ta.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        b();
        tb.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (median(ta), median(tb))
}

fn row(what: &str, ours: f64, theirs: f64, flops: f64) {
    let gf = |ms: f64| if flops > 0.0 { format!("{:.1}", flops / ms / 1e6) } else { "—".into() };
    println!(
        "| {what} | {ours:.3} | {theirs:.3} | {} | {} | {:.2} |",
        gf(ours),
        gf(theirs),
        theirs / ours
    );
}

/// C (m×n) = A (m×k) · op(B), row-major; `trans_b`: B stored n×k.
fn gemm_crate(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], trans_b: bool, c: &mut [f32], par: gemm::Parallelism) {
    let (rhs_cs, rhs_rs) = if trans_b { (k as isize, 1) } else { (1, n as isize) };
    unsafe {
        gemm::gemm(
            m, n, k, c.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), 1, k as isize, b.as_ptr(), rhs_cs, rhs_rs,
            0.0f32, 1.0f32, false, false, false, par,
        );
    }
}

fn main() {
    kindling_core::threads::set_num_threads(2).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).use_current_thread().build().unwrap();
    let reps = 15;
    println!("machine: {} threads (kindling pool and rayon pool of 2, Node's thread included in both)\n", 2);

    println!("| GEMM (m×n×k) | kindling ms | gemm crate ms | kindling GFLOP/s | gemm GFLOP/s | gemm / kindling |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let shapes: [(&str, usize, usize, usize, bool, usize); 5] = [
        ("conv2 forward, per image, ×64 (64×576×288)", 64, 576, 288, false, 64),
        ("conv2 grad input, per image, ×64 (288×576×64)", 288, 576, 64, false, 64),
        ("conv2 grad weight, per image, ×64 (288×64×576, B transposed)", 288, 64, 576, true, 64),
        ("conv2 forward, whole batch (64×36864×288)", 64, 36864, 288, false, 1),
        ("fc1 forward (64×128×9216, B transposed)", 64, 128, 9216, true, 1),
    ];
    for (what, m, n, k, tb, times) in shapes {
        let a = data(m * k, 1);
        let b = data(k * n, 2);
        let mut c1 = vec![0.0f32; m * n];
        let mut c2 = vec![0.0f32; m * n];
        // Per-image products run one per task on the two threads, as the convolution kernel does.
        let (ours, theirs) = if times > 1 {
            ab(
                reps,
                || {
                    kindling_core::threads::run_tasks(times, usize::MAX, |_| {
                        let mut c = vec![0.0f32; m * n];
                        kindling_core::gemm::sgemm(false, tb, m, n, k, 1.0, &a, &b, 0.0, &mut c, None).unwrap();
                    })
                },
                || {
                    pool.install(|| {
                        use rayon::prelude::*;
                        (0..times).into_par_iter().for_each(|_| {
                            let mut c = vec![0.0f32; m * n];
                            gemm_crate(m, n, k, &a, &b, tb, &mut c, gemm::Parallelism::None);
                        })
                    })
                },
            )
        } else {
            ab(
                reps,
                || kindling_core::gemm::sgemm(false, tb, m, n, k, 1.0, &a, &b, 0.0, &mut c1, None).unwrap(),
                || pool.install(|| gemm_crate(m, n, k, &a, &b, tb, &mut c2, gemm::Parallelism::Rayon(2))),
            )
        };
        row(what, ours, theirs, 2.0 * (m * n * k * times) as f64);
    }

    println!("\n| im2col, conv2 at batch 64 (one thread) | plain loops ms | ndarray ms | | | ndarray / plain |");
    println!("| --- | --- | --- | --- | --- | --- |");
    {
        let (c, h, w, k) = (32usize, 26usize, 26usize, 3usize);
        let (oh, ow) = (h - k + 1, w - k + 1);
        let img = data(c * h * w, 3);
        let mut cols = vec![0.0f32; c * k * k * oh * ow];
        let mut cols2 = vec![0.0f32; c * k * k * oh * ow];
        let x = ndarray::ArrayView3::from_shape((c, h, w), &img).unwrap();
        let (ours, theirs) = ab(
            reps,
            || {
                for _ in 0..64 {
                    let mut r = 0;
                    for ch in 0..c {
                        for i in 0..k {
                            for j in 0..k {
                                let dst = &mut cols[r * oh * ow..(r + 1) * oh * ow];
                                r += 1;
                                for y in 0..oh {
                                    let src = &img[(ch * h + y + i) * w + j..(ch * h + y + i) * w + j + ow];
                                    dst[y * ow..(y + 1) * ow].copy_from_slice(src);
                                }
                            }
                        }
                    }
                }
            },
            || {
                for _ in 0..64 {
                    let mut out = ndarray::ArrayViewMut2::from_shape((c * k * k, oh * ow), &mut cols2).unwrap();
                    let mut r = 0;
                    for ch in 0..c {
                        for i in 0..k {
                            for j in 0..k {
                                let window = x.slice(ndarray::s![ch, i..i + oh, j..j + ow]);
                                let mut dst = out.row_mut(r).into_shape_with_order((oh, ow)).unwrap();
                                dst.assign(&window);
                                r += 1;
                            }
                        }
                    }
                }
            },
        );
        assert_eq!(cols, cols2);
        row("64 images, 32×26×26, 3×3", ours, theirs, 0.0);
    }

    println!("\n| parallel region | kindling pool ms | rayon (use_current_thread) ms | | | rayon / kindling |");
    println!("| --- | --- | --- | --- | --- | --- |");
    {
        // 2×2 max pooling of 4,096 planes of 24×24, planes grouped 28 per task as crate::pool does.
        let x = data(4096 * 576, 4);
        let mut out1 = vec![0.0f32; 4096 * 144];
        let mut out2 = vec![0.0f32; 4096 * 144];
        let pool_plane = |p: usize, o: &mut [f32]| {
            let src = &x[p * 576..(p + 1) * 576];
            for y in 0..12 {
                for xx in 0..12 {
                    let a = src[(2 * y) * 24 + 2 * xx].max(src[(2 * y) * 24 + 2 * xx + 1]);
                    let b = src[(2 * y + 1) * 24 + 2 * xx].max(src[(2 * y + 1) * 24 + 2 * xx + 1]);
                    o[y * 12 + xx] = a.max(b);
                }
            }
        };
        let (ours, theirs) = ab(
            reps,
            || kindling_core::threads::par_chunks_mut(&mut out1, 144 * 28, usize::MAX, |s, o| {
                for (q, plane) in o.chunks_mut(144).enumerate() {
                    pool_plane(s / 144 + q, plane);
                }
            }),
            || pool.install(|| {
                use rayon::prelude::*;
                out2.par_chunks_mut(144 * 28).enumerate().for_each(|(t, o)| {
                    for (q, plane) in o.chunks_mut(144).enumerate() {
                        pool_plane(t * 28 + q, plane);
                    }
                })
            }),
        );
        assert_eq!(out1, out2);
        row("max pool 2×2, [64, 64, 24, 24]", ours, theirs, 0.0);
        // A small region entered after 1 ms idle (between a step's kernels the pool sleeps).
        let mut small1 = vec![0.0f32; 4096];
        let mut small2 = vec![0.0f32; 4096];
        let (ours, theirs) = ab(
            reps * 4,
            || {
                std::thread::sleep(Duration::from_millis(1));
                kindling_core::threads::par_chunks_mut(&mut small1, 2048, usize::MAX, |s, o| o.iter_mut().enumerate().for_each(|(i, v)| *v = (s + i) as f32))
            },
            || {
                std::thread::sleep(Duration::from_millis(1));
                pool.install(|| {
                    use rayon::prelude::*;
                    small2.par_chunks_mut(2048).enumerate().for_each(|(t, o)| o.iter_mut().enumerate().for_each(|(i, v)| *v = (t * 2048 + i) as f32))
                })
            },
        );
        // Both timings include the 1 ms sleep: subtract it to show the region's own cost.
        row("4,096-float region after 1 ms idle (sleep subtracted)", ours - 1.0, theirs - 1.0, 0.0);
    }
}
