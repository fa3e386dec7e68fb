//! Every path's `Vf32` against the one-lane `Scalar`, through a generic kernel written once with
//! `kernel!` (no `scalar:` body), as a new kernel family would be.
use super::*;
use crate::cpu::available_paths;
use crate::test_util::*;

/// The lane-independent operations, one output block of `a.len()` per operation. Lengths that are
/// not a multiple of the lanes end with a partial load/store.
const OPS: usize = 15;

#[inline(always)]
unsafe fn each_op<V: Vf32>(a: &[f32], b: &[f32], c: &[f32], out: &mut [f32]) {
    let n = a.len();
    let mut i = 0;
    while i < n {
        let w = V::LANES.min(n - i);
        let load = |x: &[f32]| {
            if w == V::LANES {
                V::load(x.as_ptr().add(i))
            } else {
                V::load_partial(x.as_ptr().add(i), w)
            }
        };
        let (x, y, z) = (load(a), load(b), load(c));
        // `exp2_split` is defined for integral n in [-252, 254]: c ∈ [-1, 1] scaled to ±200.
        let (s1, s2) = V::exp2_split(z.mul(V::splat(200.0)).round());
        let results: [V; OPS] = [
            x.add(y),
            x.sub(y),
            x.mul(y),
            x.div(y),
            x.sqrt(),
            x.mul_add(y, z),
            V::select_lt(x, y, y, z),
            V::select_le(x, y, y, z),
            V::select_unordered(x, y, y, z),
            x.round(),
            s1.mul(s2),
            exp(x),
            sigmoid(x),
            maximum(x, y),
            minimum(x, y).add(V::zero()),
        ];
        for (k, r) in results.iter().enumerate() {
            let p = out.as_mut_ptr().add(k * n + i);
            if w == V::LANES {
                r.store(p)
            } else {
                r.store_partial(p, w)
            }
        }
        i += w;
    }
}

kernel! {
    fn ops(a: &[f32], b: &[f32], c: &[f32], out: &mut [f32]) {
        vector: each_op::<V>(a, b, c, out),
    }
}

/// Horizontal sums of four vectors per step, and the fixed-order f64 row sum.
#[inline(always)]
unsafe fn horizontal<V: Vf32>(x: &[f32]) -> (Vec<f32>, f64) {
    let step = 4 * V::LANES;
    let mut sums = Vec::new();
    for q in x.chunks_exact(step) {
        let at = |k: usize| V::load(q.as_ptr().add(k * V::LANES));
        sums.extend(V::hsum4(at(0), at(1), at(2), at(3)));
    }
    (sums, V::sum_f64(x))
}

kernel! {
    fn hsums(x: &[f32]) -> (Vec<f32>, f64) {
        vector: horizontal::<V>(x),
    }
}

#[test]
fn every_vector_op_matches_the_scalar_lane_bit_for_bit() {
    for &n in LENGTHS {
        let mut a = data_with_specials(n, 3, -90.0, 90.0);
        // Halfway cases for `round` (ties to even).
        for (i, v) in a.iter_mut().enumerate().step_by(5) {
            *v = (i % 9) as f32 - 4.5;
        }
        let b = data_with_specials(n, 5, -4.0, 4.0);
        let c = data(n, 7, -1.0, 1.0);
        let mut want = vec![0f32; OPS * n];
        ops(Simd::Scalar, &a, &b, &c, &mut want);
        for simd in available_paths() {
            let mut got = vec![0f32; OPS * n];
            ops(simd, &a, &b, &c, &mut got);
            for k in 0..OPS {
                let block = k * n..(k + 1) * n;
                assert_same(
                    &got[block.clone()],
                    &want[block],
                    &format!("op {k} {simd:?} n={n}"),
                );
            }
        }
    }
}

#[test]
fn horizontal_sums_match_the_scalar_lane() {
    // Small integers: every order of the lane sums is exact, so the totals must agree exactly.
    let x: Vec<f32> = data(4096, 9, -64.0, 64.0)
        .iter()
        .map(|v| v.round())
        .collect();
    for simd in available_paths() {
        let (sums, total) = hsums(simd, &x);
        let lanes = x.len() / sums.len();
        for (v, s) in sums.iter().enumerate() {
            let want: f32 = x[v * lanes..(v + 1) * lanes].iter().sum();
            assert_eq!(*s, want, "{simd:?} vector {v}");
        }
        assert_eq!(total.to_bits(), sum_f64(&x).to_bits(), "{simd:?}");
    }
    // And the f64 row sum of awkward data is bit-identical on every path (fixed order).
    for &n in LENGTHS {
        let x = data(n, 11, -1.0, 1.0);
        for simd in available_paths() {
            assert_eq!(
                hsums(simd, &x).1.to_bits(),
                sum_f64(&x).to_bits(),
                "{simd:?} n={n}"
            );
        }
    }
}
