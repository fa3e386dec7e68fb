//! The direct kernels against im2col + gemm, side by side (ignored tests: measurements, not
//! checks): `cargo test -p kindling-core --release conv::timing -- --ignored --nocapture`.
//! Per shape class and pass, `PAIRS` interleaved (im2col, direct) pairs on 2 threads; prints the
//! medians and their ratio. `KINDLING_SIMD=avx2` times the AVX2 kernels.
use super::*;
use crate::test_util::data;
use std::time::Instant;

const PAIRS: usize = 15;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[allow(clippy::too_many_arguments)]
fn shape(batch: usize, cin: usize, hw: usize, cout: usize, k: usize, pad: usize) -> Conv2dOptions {
    Conv2dOptions {
        batch,
        in_channels: cin,
        in_h: hw,
        in_w: hw,
        out_channels: cout,
        kernel_h: k,
        kernel_w: k,
        stride_h: 1,
        stride_w: 1,
        pad_h: pad,
        pad_w: pad,
        dilation_h: 1,
        dilation_w: 1,
        groups: 1,
        pad_bottom: pad,
        pad_right: pad,
    }
}

#[test]
#[ignore]
fn direct_vs_im2col() {
    let _g = crate::threads::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    crate::threads::set_num_threads(2).unwrap();
    let simd = cpu::active();
    let cases = [
        (
            "MNIST conv1 1→32, 28×28, batch 64",
            shape(64, 1, 28, 32, 3, 0),
        ),
        (
            "MNIST conv2 32→64, 26×26, batch 64",
            shape(64, 32, 26, 64, 3, 0),
        ),
        ("16→16, 32×32, pad 1, batch 64", shape(64, 16, 32, 16, 3, 1)),
        ("3→16, 32×32, pad 1, batch 64", shape(64, 3, 32, 16, 3, 1)),
        ("64→64, 14×14, pad 1, batch 64", shape(64, 64, 14, 64, 3, 1)),
        ("32→64, 26×26, batch 1", shape(1, 32, 26, 64, 3, 0)),
        ("1→32, 28×28, batch 1", shape(1, 1, 28, 32, 3, 0)),
        ("16→16, 32×32, pad 1, batch 1", shape(1, 16, 32, 16, 3, 1)),
        ("3→16, 32×32, pad 1, batch 1", shape(1, 3, 32, 16, 3, 1)),
        ("64→64, 14×14, pad 1, batch 1", shape(1, 64, 14, 64, 3, 1)),
        ("32→64, 26×26, batch 4", shape(4, 32, 26, 64, 3, 0)),
        ("1→32, 28×28, batch 4", shape(4, 1, 28, 32, 3, 0)),
        ("3→16 1×1, 32×32, batch 1", shape(1, 3, 32, 16, 1, 0)),
        ("8→32 1×1, 32×32, batch 1", shape(1, 8, 32, 32, 1, 0)),
        ("2→8 2×2, 16×16, batch 1", shape(1, 2, 16, 8, 2, 0)),
    ];
    println!("{simd:?}, 2 threads, medians of {PAIRS} interleaved pairs (ms)");
    println!("| shape | pass | im2col | direct | direct / im2col | min im2col | min direct | direct GFLOP/s (min) |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let only = std::env::var("CONV_TIMING_ONLY").ok();
    for (name, o) in cases {
        if only.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let geo = Geometry::new("timing", &o).unwrap();
        let x = data(geo.input_len(), 1, -1.0, 1.0);
        let w = data(geo.weight_len(), 2, -0.5, 0.5);
        let b = data(o.out_channels, 3, -0.5, 0.5);
        let dy = data(geo.output_len(), 4, -1.0, 1.0);
        let mut out = vec![0.0; geo.output_len()];
        let mut gx = vec![0.0; geo.input_len()];
        let mut gw = vec![0.0; geo.weight_len()];
        let mut gb = vec![0.0; o.out_channels];
        for pass in ["forward", "grad input", "grad weight"] {
            let mut call = |algo: ConvAlgo| {
                let t = Instant::now();
                match pass {
                    "forward" => conv2d_using(simd, algo, &x, &w, Some(&b), &mut out, &o),
                    "grad input" => conv2d_backward_input_using(simd, algo, &dy, &w, &mut gx, &o),
                    _ => conv2d_backward_weight_using(
                        simd,
                        algo,
                        &dy,
                        &x,
                        &mut gw,
                        Some(&mut gb),
                        &o,
                    ),
                }
                .unwrap();
                t.elapsed().as_secs_f64() * 1e3
            };
            call(ConvAlgo::Im2col);
            call(ConvAlgo::Direct);
            let (mut a, mut d) = (Vec::new(), Vec::new());
            for _ in 0..PAIRS {
                a.push(call(ConvAlgo::Im2col));
                d.push(call(ConvAlgo::Direct));
            }
            let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            let (amin, dmin) = (min(&a), min(&d));
            let (a, d) = (median(a), median(d));
            let flop = 2.0 * (o.batch * o.out_channels * geo.k * geo.p) as f64;
            println!(
                "| {name} | {pass} | {a:.3} | {d:.3} | {:.2} | {amin:.3} | {dmin:.3} | {:.0} |",
                d / a,
                flop / dmin / 1e6
            );
        }
    }
}

/// One algorithm and pass, `CONV_TIMING_REPS` times on one thread, for `perf stat -e cycles:u`
/// (robust on a shared machine, where wall time is not): `CONV_TIMING_ALGO=direct|im2col`,
/// `CONV_TIMING_PASS=forward|input|weight`, the MNIST conv2 shape (or `CONV_TIMING_SHAPE`).
#[test]
#[ignore]
fn one_pass_for_perf() {
    let _g = crate::threads::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    crate::threads::set_num_threads(1).unwrap();
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let algo = match env("CONV_TIMING_ALGO", "direct").as_str() {
        "im2col" => ConvAlgo::Im2col,
        _ => ConvAlgo::Direct,
    };
    let pass = env("CONV_TIMING_PASS", "forward");
    let reps: usize = env("CONV_TIMING_REPS", "20").parse().unwrap();
    // `CONV_TIMING_SHAPE=batch,cin,hw,cout` (3×3, unpadded) replaces the MNIST conv2 at batch 64.
    let dims: Vec<usize> = env("CONV_TIMING_SHAPE", "64,32,26,64")
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    let o = shape(dims[0], dims[1], dims[2], dims[3], 3, 0);
    let simd = cpu::active();
    let geo = Geometry::new("timing", &o).unwrap();
    let x = data(geo.input_len(), 1, -1.0, 1.0);
    let w = data(geo.weight_len(), 2, -0.5, 0.5);
    let dy = data(geo.output_len(), 4, -1.0, 1.0);
    let mut out = vec![0.0; geo.output_len()];
    let mut gx = vec![0.0; geo.input_len()];
    let mut gw = vec![0.0; geo.weight_len()];
    for _ in 0..reps {
        match pass.as_str() {
            "input" => conv2d_backward_input_using(simd, algo, &dy, &w, &mut gx, &o),
            "weight" => conv2d_backward_weight_using(simd, algo, &dy, &x, &mut gw, None, &o),
            _ => conv2d_using(simd, algo, &x, &w, None, &mut out, &o),
        }
        .unwrap();
    }
}

/// Grad bias alone (a weight pass with no input channels): the per-channel f64 sums, 2 threads.
#[test]
#[ignore]
fn grad_bias_for_perf() {
    let o = shape(64, 32, 26, 64, 3, 0);
    let geo = Geometry::new("timing", &o).unwrap();
    let dy = data(geo.output_len(), 4, -1.0, 1.0);
    let mut gb = vec![0.0; o.out_channels];
    let t = Instant::now();
    for _ in 0..20 {
        // A zero-sized weight pass: only the bias sums run.
        let empty = Conv2dOptions {
            in_channels: 0,
            ..o
        };
        conv2d_backward_weight(&dy, &[], &mut [], Some(&mut gb), &empty).unwrap();
    }
    println!(
        "grad bias: {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3 / 20.0
    );
}

/// A single image's forward (the MNIST conv2 at batch 1) and its weight packing alone, medians of
/// `CONV_TIMING_REPS` calls on `CONV_TIMING_THREADS` threads (default 2).
#[test]
#[ignore]
fn single_image_forward() {
    let _g = crate::threads::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let threads: usize = env("CONV_TIMING_THREADS", "2").parse().unwrap();
    let reps: usize = env("CONV_TIMING_REPS", "200").parse().unwrap();
    crate::threads::set_num_threads(threads).unwrap();
    let o = shape(1, 32, 26, 64, 3, 0);
    let simd = cpu::active();
    let geo = Geometry::new("timing", &o).unwrap();
    let x = data(geo.input_len(), 1, -1.0, 1.0);
    let w = data(geo.weight_len(), 2, -0.5, 0.5);
    let b = data(o.out_channels, 3, -0.5, 0.5);
    let mut out = vec![0.0; geo.output_len()];
    let (mut f, mut p) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let t = Instant::now();
        conv2d_using(simd, ConvAlgo::Auto, &x, &w, Some(&b), &mut out, &o).unwrap();
        f.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        let packed = direct::weight_rows(64, geo.k, |r, t| w[r * geo.k + t]);
        p.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(packed);
    }
    println!(
        "{simd:?}, {threads} threads: forward {:.1} µs, packing {:.1} µs (medians of {reps})",
        median(f),
        median(p)
    );
}

/// The three passes of a shape (`CONV_TIMING_SHAPE`, default the MNIST conv2 at batch 64) on
/// `CONV_TIMING_THREADS` threads (default 1), each algorithm of each pass interleaved over
/// `CONV_TIMING_REPS` rounds: medians and minima in ms, and GFLOP/s of the minima.
#[test]
#[ignore]
fn passes() {
    let _g = crate::threads::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let threads: usize = env("CONV_TIMING_THREADS", "1").parse().unwrap();
    let reps: usize = env("CONV_TIMING_REPS", "15").parse().unwrap();
    crate::threads::set_num_threads(threads).unwrap();
    let dims: Vec<usize> = env("CONV_TIMING_SHAPE", "64,32,26,64,3,0")
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    let o = shape(dims[0], dims[1], dims[2], dims[3], dims[4], dims[5]);
    let simd = cpu::active();
    let geo = Geometry::new("timing", &o).unwrap();
    let x = data(geo.input_len(), 1, -1.0, 1.0);
    let w = data(geo.weight_len(), 2, -0.5, 0.5);
    let b = data(o.out_channels, 3, -0.5, 0.5);
    let dy = data(geo.output_len(), 4, -1.0, 1.0);
    let mut out = vec![0.0; geo.output_len()];
    let mut gx = vec![0.0; geo.input_len()];
    let mut gw = vec![0.0; geo.weight_len()];
    let mut gb = vec![0.0; o.out_channels];
    let flop = 2.0 * (o.batch * o.out_channels * geo.k * geo.p) as f64;
    println!(
        "{simd:?}, {threads} threads, {dims:?}, {reps} rounds (ms: median, min, GFLOP/s of min)"
    );
    let algos = [ConvAlgo::Auto, ConvAlgo::Direct, ConvAlgo::Im2col];
    for pass in ["forward", "input", "weight", "weight+bias"] {
        let mut times = vec![Vec::new(); algos.len()];
        for round in 0..=reps {
            for (i, &algo) in algos.iter().enumerate() {
                let t = Instant::now();
                match pass {
                    "forward" => conv2d_using(simd, algo, &x, &w, Some(&b), &mut out, &o),
                    "input" => conv2d_backward_input_using(simd, algo, &dy, &w, &mut gx, &o),
                    "weight" => {
                        conv2d_backward_weight_using(simd, algo, &dy, &x, &mut gw, None, &o)
                    }
                    _ => conv2d_backward_weight_using(
                        simd,
                        algo,
                        &dy,
                        &x,
                        &mut gw,
                        Some(&mut gb),
                        &o,
                    ),
                }
                .unwrap();
                if round > 0 {
                    times[i].push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
        }
        for (algo, t) in algos.iter().zip(times) {
            let min = t.iter().copied().fold(f64::INFINITY, f64::min);
            println!(
                "{pass:>12} {algo:?}: {:.3} {min:.3} {:.0}",
                median(t),
                flop / min / 1e6
            );
        }
    }
}
