//! GEMM tests: the scalar reference against hand-computed values and an f64 oracle, validation
//! messages, and every SIMD path this CPU has against the scalar reference.
use super::*;
use crate::error::ErrorKind;

/// Deterministic values in [-1, 1) (no `rand` dependency in tests, same data every run).
fn data(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

struct Case {
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: f32,
    beta: f32,
    bias: bool,
}

struct Inputs {
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
    bias: Vec<f32>,
}

fn inputs(t: &Case, seed: u64) -> Inputs {
    Inputs {
        a: data(t.m * t.k, seed),
        b: data(t.k * t.n, seed + 1),
        c: data(t.m * t.n, seed + 2),
        bias: data(t.n, seed + 3),
    }
}

fn run_case(simd: Simd, t: &Case, x: &Inputs) -> Vec<f32> {
    let mut c = x.c.clone();
    let bias = if t.bias { Some(&x.bias[..]) } else { None };
    sgemm_with(
        simd, t.trans_a, t.trans_b, t.m, t.n, t.k, t.alpha, &x.a, &x.b, t.beta, &mut c, bias,
    )
    .unwrap();
    c
}

/// The f64 oracle, and Σ|terms| per element for a tolerance that scales with k.
fn oracle(t: &Case, x: &Inputs) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0f64; t.m * t.n];
    let mut mag = vec![0f64; t.m * t.n];
    for i in 0..t.m {
        for j in 0..t.n {
            let (mut acc, mut abs) = (0f64, 0f64);
            for p in 0..t.k {
                let a = if t.trans_a {
                    x.a[p * t.m + i]
                } else {
                    x.a[i * t.k + p]
                } as f64;
                let b = if t.trans_b {
                    x.b[j * t.k + p]
                } else {
                    x.b[p * t.n + j]
                } as f64;
                acc += a * b;
                abs += (a * b).abs();
            }
            let mut v = t.alpha as f64 * acc;
            if t.beta != 0.0 {
                v += t.beta as f64 * x.c[i * t.n + j] as f64;
            }
            if t.bias {
                v += x.bias[j] as f64;
            }
            out[i * t.n + j] = v;
            mag[i * t.n + j] = (t.alpha as f64).abs() * abs
                + (t.beta as f64 * x.c[i * t.n + j] as f64).abs()
                + 1.0;
        }
    }
    (out, mag)
}

fn assert_close(label: &str, got: &[f32], want: &[f64], mag: &[f64]) {
    assert_eq!(got.len(), want.len(), "{label}: length");
    for (idx, ((&g, &w), &s)) in got.iter().zip(want).zip(mag).enumerate() {
        let tol = 4e-6 * s;
        assert!(
            ((g as f64) - w).abs() <= tol,
            "{label}: element {idx}: got {g}, want {w} (tol {tol})"
        );
    }
}

fn cases() -> Vec<Case> {
    let sizes: &[(usize, usize, usize)] = &[
        (1, 1, 1),
        (1, 1, 7),
        (2, 3, 5),
        (7, 13, 17),
        (10, 64, 784),
        (64, 784, 10),
        (10, 784, 64),
        (31, 33, 47),
        (33, 17, 129),
        (1, 97, 31),
        (97, 1, 31),
        (16, 32, 16),
        (37, 53, 301),
        (129, 67, 259),
        (200, 150, 90),
        // Around the packed path's block boundaries: a column block is 512 columns on AVX-512
        // (16 panels × 32) and 256 on AVX2, a k slice 256 deep, a row block a multiple of MR.
        (53, 521, 263),
        (40, 513, 512),
        (97, 1031, 29),
        (37, 257, 257),
        // Few rows, fewer than columns: split by B panels (8-row tiles where they pad less).
        (128, 130, 300),
        (65, 300, 270),
    ];
    let mut out = Vec::new();
    for (idx, &(m, n, k)) in sizes.iter().enumerate() {
        for ta in [false, true] {
            for tb in [false, true] {
                let v = (idx + ta as usize * 2 + tb as usize) % 4;
                let (alpha, beta, bias) = match v {
                    0 => (1.0, 0.0, false),
                    1 => (1.0, 0.0, true),
                    2 => (0.5, 1.0, true),
                    _ => (-1.5, -0.25, false),
                };
                out.push(Case {
                    trans_a: ta,
                    trans_b: tb,
                    m,
                    n,
                    k,
                    alpha,
                    beta,
                    bias,
                });
            }
        }
    }
    out
}

#[test]
fn reference_matches_hand_computed_product() {
    // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]; + bias [1, -1]; beta·C with C = 1.
    let a = [1.0, 2.0, 3.0, 4.0];
    let b = [5.0, 6.0, 7.0, 8.0];
    let mut c = [1.0; 4];
    sgemm_with(
        Simd::Scalar,
        false,
        false,
        2,
        2,
        2,
        1.0,
        &a,
        &b,
        2.0,
        &mut c,
        Some(&[1.0, -1.0]),
    )
    .unwrap();
    assert_eq!(c, [22.0, 23.0, 46.0, 51.0]);
    // Aᵀ·Bᵀ = [[1, 3], [2, 4]] · [[5, 7], [6, 8]] = [[23, 31], [34, 46]].
    let mut c = [f32::NAN; 4];
    sgemm_with(
        Simd::Scalar,
        true,
        true,
        2,
        2,
        2,
        1.0,
        &a,
        &b,
        0.0,
        &mut c,
        None,
    )
    .unwrap();
    assert_eq!(c, [23.0, 31.0, 34.0, 46.0]);
}

#[test]
fn every_path_matches_the_f64_oracle() {
    for simd in cpu::available_paths() {
        for (idx, t) in cases().iter().enumerate() {
            let x = inputs(t, idx as u64);
            let (want, mag) = oracle(t, &x);
            let got = run_case(simd, t, &x);
            let label = format!(
                "{} m={} n={} k={} transA={} transB={} alpha={} beta={} bias={}",
                simd.name(),
                t.m,
                t.n,
                t.k,
                t.trans_a,
                t.trans_b,
                t.alpha,
                t.beta,
                t.bias
            );
            assert_close(&label, &got, &want, &mag);
        }
    }
}

#[test]
fn every_path_matches_scalar_closely() {
    for simd in cpu::available_paths() {
        for (idx, t) in cases().iter().enumerate() {
            let x = inputs(t, 100 + idx as u64);
            let scalar = run_case(Simd::Scalar, t, &x);
            let got = run_case(simd, t, &x);
            let (_, mag) = oracle(t, &x);
            for (e, ((&g, &s), &mg)) in got.iter().zip(&scalar).zip(&mag).enumerate() {
                let tol = 4e-6 * mg;
                assert!(
                    ((g - s) as f64).abs() <= tol,
                    "{} vs scalar, m={} n={} k={} tA={} tB={}: element {e}: {g} vs {s}",
                    simd.name(),
                    t.m,
                    t.n,
                    t.k,
                    t.trans_a,
                    t.trans_b
                );
            }
        }
    }
}

#[test]
fn beta_zero_does_not_read_c_and_alpha_zero_does_not_read_a_b() {
    for simd in cpu::available_paths() {
        for (m, n, k) in [(3, 5, 7), (10, 64, 784), (70, 90, 300)] {
            let a = data(m * k, 1);
            let b = data(k * n, 2);
            let mut c = vec![f32::NAN; m * n];
            sgemm_with(simd, false, true, m, n, k, 1.0, &a, &b, 0.0, &mut c, None).unwrap();
            assert!(
                c.iter().all(|v| v.is_finite()),
                "{}: NaN leaked from C",
                simd.name()
            );

            let nan_a = vec![f32::NAN; m * k];
            let mut c = vec![2.0; m * n];
            sgemm_with(
                simd, false, false, m, n, k, 0.0, &nan_a, &b, 0.5, &mut c, None,
            )
            .unwrap();
            assert!(
                c.iter().all(|&v| v == 1.0),
                "{}: alpha = 0 read A",
                simd.name()
            );
        }
    }
}

#[test]
fn zero_sizes_are_valid() {
    for simd in cpu::available_paths() {
        // m = 0 or n = 0: nothing to write.
        let mut empty: [f32; 0] = [];
        sgemm_with(
            simd,
            false,
            false,
            0,
            4,
            3,
            1.0,
            &[],
            &[0.0; 12],
            0.0,
            &mut empty,
            None,
        )
        .unwrap();
        sgemm_with(
            simd,
            true,
            true,
            4,
            0,
            3,
            1.0,
            &[0.0; 12],
            &[],
            0.0,
            &mut empty,
            Some(&[]),
        )
        .unwrap();
        // k = 0: C = beta·C + bias.
        let mut c = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        sgemm_with(
            simd,
            false,
            false,
            2,
            3,
            0,
            1.0,
            &[],
            &[],
            2.0,
            &mut c,
            Some(&[10.0, 20.0, 30.0]),
        )
        .unwrap();
        assert_eq!(c, [12.0, 24.0, 36.0, 18.0, 30.0, 42.0]);
        let mut c = [f32::NAN; 2];
        sgemm_with(
            simd,
            false,
            false,
            1,
            2,
            0,
            1.0,
            &[],
            &[],
            0.0,
            &mut c,
            None,
        )
        .unwrap();
        assert_eq!(c, [0.0, 0.0]);
    }
}

#[test]
fn length_errors_name_the_buffer_and_the_sizes() {
    let mut c = vec![0.0; 10 * 64];
    let err = sgemm(
        false,
        true,
        10,
        64,
        784,
        1.0,
        &[0.0; 783],
        &vec![0.0; 784 * 64],
        0.0,
        &mut c,
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Length);
    assert_eq!(
        err.to_string(),
        "sgemm: a has 783 elements, expected 7840 (m=10, k=784, transA=false)"
    );

    let a = vec![0.0; 7840];
    let err = sgemm(
        false, true, 10, 64, 784, 1.0, &a, &[0.0; 5], 0.0, &mut c, None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sgemm: b has 5 elements, expected 50176 (k=784, n=64, transB=true)"
    );

    let b = vec![0.0; 784 * 64];
    let err = sgemm(
        false,
        true,
        10,
        64,
        784,
        1.0,
        &a,
        &b,
        0.0,
        &mut c[..639],
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sgemm: c has 639 elements, expected 640 (m=10, n=64)"
    );

    let err = sgemm(
        false,
        true,
        10,
        64,
        784,
        1.0,
        &a,
        &b,
        0.0,
        &mut c,
        Some(&[0.0; 63]),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sgemm: bias has 63 elements, expected 64 (n=64)"
    );
}

#[test]
fn nan_scalars_are_value_errors() {
    let mut c = [0.0];
    let err = sgemm(
        false,
        false,
        1,
        1,
        1,
        f32::NAN,
        &[1.0],
        &[1.0],
        0.0,
        &mut c,
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Value);
    assert_eq!(err.to_string(), "sgemm: alpha must not be NaN");
    let err = sgemm(
        false,
        false,
        1,
        1,
        1,
        1.0,
        &[1.0],
        &[1.0],
        f32::NAN,
        &mut c,
        None,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "sgemm: beta must not be NaN");
}

#[test]
fn overflowing_sizes_are_shape_errors() {
    let mut c = [0.0];
    let err = sgemm(
        false,
        false,
        usize::MAX,
        2,
        2,
        1.0,
        &[],
        &[],
        0.0,
        &mut c,
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
}

#[test]
fn results_are_bit_identical_on_one_and_two_threads() {
    let _guard = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = threads::num_threads();
    // Packed path (several KC slices, edge tiles) and the column-split unpacked path.
    let shapes = [
        (300, 257, 301),
        (20, 3001, 300),
        (97, 3001, 16),
        (409, 1031, 521),
        // Split by B panels for few rows (m ≤ GEMM_COLUMN_SPLIT_MAX_M, m ≤ n), 8- and 12-row
        // tiles, and a square one (attention's output projection's dW).
        (128, 520, 600),
        (65, 700, 300),
        (128, 128, 600),
        // The shapes of the seed's layer 1 (forward, dW, dX) widened past PARALLEL_MIN_MNK:
        // the unpacked small-M kernels split by column tiles.
        (10, 256, 784),
        (256, 784, 10),
        (10, 784, 256),
    ];
    for simd in cpu::available_paths() {
        for (idx, &(m, n, k)) in shapes.iter().enumerate() {
            for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                let t = Case {
                    trans_a: ta,
                    trans_b: tb,
                    m,
                    n,
                    k,
                    alpha: 0.75,
                    beta: 0.5,
                    bias: true,
                };
                assert!(
                    m * n * k >= PARALLEL_MIN_MNK,
                    "shape {idx} must be large enough to go parallel"
                );
                let x = inputs(&t, 500 + idx as u64);
                threads::set_num_threads(1).unwrap();
                let one = run_case(simd, &t, &x);
                threads::set_num_threads(2).unwrap();
                let two = run_case(simd, &t, &x);
                let same = one
                    .iter()
                    .zip(&two)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(
                    same,
                    "{} m={m} n={n} k={k} tA={ta} tB={tb}: 1 and 2 threads differ",
                    simd.name()
                );
            }
        }
    }
    threads::set_num_threads(before).unwrap();
}

/// `sgemm_packed_b` on `simd` for case `t` (never transposed A), B packed once.
fn run_packed_b(simd: Simd, t: &Case, x: &Inputs) -> Vec<f32> {
    let pb = PackedB::with(simd, t.trans_b, t.k, t.n, &x.b).unwrap();
    let mut c = x.c.clone();
    let bias = if t.bias { Some(&x.bias[..]) } else { None };
    sgemm_packed_b(t.m, t.alpha, &x.a, &pb, t.beta, &mut c, bias).unwrap();
    c
}

#[test]
fn packed_b_products_match_the_f64_oracle_on_every_path() {
    // Few rows (split by B panels: a recurrent step's batch), many rows (split by rows), edge
    // tiles, several k slices, one and several column blocks.
    let shapes = [
        (1, 7, 5),
        (32, 1024, 256),
        (32, 256, 1024),
        (13, 97, 300),
        (36, 521, 263),
        (129, 67, 259),
    ];
    for simd in cpu::available_paths() {
        for (idx, &(m, n, k)) in shapes.iter().enumerate() {
            for tb in [false, true] {
                let t = Case {
                    trans_a: false,
                    trans_b: tb,
                    m,
                    n,
                    k,
                    alpha: 0.5,
                    beta: 1.0,
                    bias: idx % 2 == 0,
                };
                let x = inputs(&t, 900 + idx as u64);
                let (want, mag) = oracle(&t, &x);
                let label = format!("{} m={m} n={n} k={k} tB={tb}", simd.name());
                assert_close(&label, &run_packed_b(simd, &t, &x), &want, &mag);
            }
        }
    }
}

#[test]
fn one_packed_b_serves_many_products_like_sgemm_on_the_packed_path() {
    let _guard = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = threads::num_threads();
    threads::set_num_threads(1).unwrap();
    // Shapes sgemm itself runs on the packed path: the results are bit for bit its results.
    let (m, n, k) = (40, 300, 200);
    for simd in cpu::available_paths()
        .into_iter()
        .filter(|&s| s != Simd::Scalar)
    {
        let b = data(k * n, 7);
        let pb = PackedB::with(simd, true, k, n, &b).unwrap();
        for seed in 0..3 {
            let a = data(m * k, 10 + seed);
            let mut got = vec![0.0; m * n];
            sgemm_packed_b(m, 1.0, &a, &pb, 0.0, &mut got, None).unwrap();
            let mut want = vec![0.0; m * n];
            sgemm_with(
                simd, false, true, m, n, k, 1.0, &a, &b, 0.0, &mut want, None,
            )
            .unwrap();
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(g, w)| g.to_bits() == w.to_bits()),
                "{} product {seed}",
                simd.name()
            );
        }
    }
    threads::set_num_threads(before).unwrap();
}

/// A product split by B panels whose row-major B is streamed slice by slice (each task packing its
/// own panels while it computes) gives the bits of the same product on a B packed whole first,
/// at 1 and 2 threads, ragged panels and a last short slice included.
#[test]
fn a_streamed_b_gives_the_bits_of_a_packed_b() {
    let _guard = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = threads::num_threads();
    for simd in cpu::available_paths()
        .into_iter()
        .filter(|&s| s != Simd::Scalar)
    {
        for &(m, n, k) in &[
            (128, 512, 2048),
            (65, 700, 300),
            (40, 300, 600),
            (33, 260, 1000),
        ] {
            let b = data(k * n, 3);
            let a = data(m * k, 4);
            let bias = data(n, 5);
            let pb = PackedB::with(simd, false, k, n, &b).unwrap();
            for t in [1, 2] {
                threads::set_num_threads(t).unwrap();
                let mut want = data(m * n, 6);
                let mut got = want.clone();
                sgemm_packed_b(m, 0.75, &a, &pb, 0.5, &mut want, Some(&bias)).unwrap();
                sgemm_with(
                    simd,
                    false,
                    false,
                    m,
                    n,
                    k,
                    0.75,
                    &a,
                    &b,
                    0.5,
                    &mut got,
                    Some(&bias),
                )
                .unwrap();
                assert!(
                    got.iter()
                        .zip(&want)
                        .all(|(g, w)| g.to_bits() == w.to_bits()),
                    "{} m={m} n={n} k={k} at {t} threads",
                    simd.name()
                );
            }
        }
    }
    threads::set_num_threads(before).unwrap();
}

#[test]
fn packed_b_results_are_bit_identical_on_one_and_two_threads() {
    let _guard = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = threads::num_threads();
    for simd in cpu::available_paths() {
        for &(m, n, k) in &[(32, 1024, 256), (200, 300, 100)] {
            let t = Case {
                trans_a: false,
                trans_b: true,
                m,
                n,
                k,
                alpha: 1.0,
                beta: 0.0,
                bias: true,
            };
            assert!(m * n * k >= PARALLEL_MIN_MNK, "large enough to go parallel");
            let x = inputs(&t, 40);
            threads::set_num_threads(1).unwrap();
            let one = run_packed_b(simd, &t, &x);
            threads::set_num_threads(2).unwrap();
            let two = run_packed_b(simd, &t, &x);
            assert!(
                one.iter()
                    .zip(&two)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{} m={m}",
                simd.name()
            );
        }
    }
    threads::set_num_threads(before).unwrap();
}

#[test]
fn packed_b_checks_lengths_scalars_and_takes_empty_products() {
    let err = PackedB::new(false, 3, 4, &[0.0; 11]).err().unwrap();
    assert_eq!(err.kind, ErrorKind::Length);
    assert!(
        err.to_string()
            .contains("sgemm_packed_b: b has 11 elements"),
        "{err}"
    );
    let pb = PackedB::new(false, 3, 4, &data(12, 1)).unwrap();
    let mut c = vec![0.0; 8];
    let err = sgemm_packed_b(2, 1.0, &[0.0; 5], &pb, 0.0, &mut c, None).unwrap_err();
    assert!(
        err.to_string().contains("a has 5 elements, expected 6"),
        "{err}"
    );
    let err = sgemm_packed_b(2, 1.0, &[0.0; 6], &pb, 0.0, &mut c[..7], None).unwrap_err();
    assert!(
        err.to_string().contains("c has 7 elements, expected 8"),
        "{err}"
    );
    let err = sgemm_packed_b(2, 1.0, &[0.0; 6], &pb, 0.0, &mut c, Some(&[0.0; 3])).unwrap_err();
    assert!(
        err.to_string().contains("bias has 3 elements, expected 4"),
        "{err}"
    );
    let err = sgemm_packed_b(2, f32::NAN, &[0.0; 6], &pb, 0.0, &mut c, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Value);
    // No rows: nothing to do; alpha 0: C = beta·C + bias without reading A.
    sgemm_packed_b(0, 1.0, &[], &pb, 0.0, &mut [], None).unwrap();
    let mut c = vec![f32::NAN; 8];
    sgemm_packed_b(
        2,
        0.0,
        &[f32::NAN; 6],
        &pb,
        0.0,
        &mut c,
        Some(&[1.0, 2.0, 3.0, 4.0]),
    )
    .unwrap();
    assert_eq!(c, [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn a_sums_are_reduce_column_sums_and_leave_c_unchanged_on_every_path_and_thread_count() {
    let _guard = threads::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = threads::num_threads();
    // m × n × k of `Aᵀ·op(B)` with A stored k × m: the char-GPT's weight gradients (packed, split
    // by B panels for m ≤ 128 < n, by rows otherwise, several KC slices), ragged edges, and
    // shapes of the unpacked and empty paths.
    let shapes = [
        (128, 512, 2048),
        (512, 128, 2048),
        (384, 128, 600),
        (65, 700, 300),
        (13, 40, 7),
        (64, 784, 10),
        (5, 0, 9),
        (6, 3, 0),
    ];
    for simd in cpu::available_paths() {
        for (idx, &(m, n, k)) in shapes.iter().enumerate() {
            for tb in [false, true] {
                let t = Case {
                    trans_a: true,
                    trans_b: tb,
                    m,
                    n,
                    k,
                    alpha: 1.0,
                    beta: if idx % 2 == 0 { 0.0 } else { 1.0 },
                    bias: false,
                };
                let x = inputs(&t, 900 + idx as u64);
                let want_c = run_case(simd, &t, &x);
                let mut want_sums = vec![0f32; m];
                crate::reduce::sum::sum_block(Simd::Scalar, &x.a, k, m, &mut want_sums);
                for threads_n in [1, 2] {
                    threads::set_num_threads(threads_n).unwrap();
                    let mut c = x.c.clone();
                    let mut sums = vec![f32::NAN; m];
                    sgemm_a_sums(
                        simd, true, m, n, k, 1.0, &x.a, &x.b, tb, t.beta, &mut c, &mut sums,
                    )
                    .unwrap();
                    let label = format!(
                        "{} m={m} n={n} k={k} tB={tb} threads={threads_n}",
                        simd.name()
                    );
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&sums), bits(&want_sums), "{label}: sums");
                    assert_eq!(bits(&c), bits(&want_c), "{label}: C");
                }
            }
        }
    }
    threads::set_num_threads(before).unwrap();
    let mut c = vec![0f32; 6];
    let (a, b) = ([0f32; 8], [0f32; 12]);
    let err = sgemm_a_sums(
        Simd::Scalar,
        true,
        2,
        3,
        4,
        1.0,
        &a,
        &b,
        false,
        0.0,
        &mut c,
        &mut [0.0; 3],
    );
    let err = err.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Length);
    assert!(err.message.contains("aSums"), "{}", err.message);
    let err = sgemm_a_sums(
        Simd::Scalar,
        false,
        2,
        3,
        4,
        1.0,
        &a,
        &b,
        false,
        0.0,
        &mut c,
        &mut [0.0; 2],
    );
    let err = err.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Value);
    assert!(err.message.contains("transA"), "{}", err.message);
}
