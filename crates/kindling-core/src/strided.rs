//! Strided gathers over a row-major output: `stridedCopy` (permute, transpose, expand) and the
//! shared walker that `binaryBroadcast` and `sumToShape` use. Strides are given per output
//! dimension (0 where an input is broadcast), in elements.
use crate::error::{check_len, KernelError, KernelResult};

/// Number of elements of `shape`, or a shape error when it overflows `usize`.
pub(crate) fn numel(op: &'static str, name: &str, shape: &[u32]) -> KernelResult<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize))
        .ok_or_else(|| {
            KernelError::shape(
                op,
                format!("{name} {shape:?} has more elements than fit in memory"),
            )
        })
}

/// Checks that `strides` has one entry per dimension of `shape` and that every offset the walk can
/// reach lies inside a buffer of `len` elements.
pub(crate) fn check_strided(
    op: &'static str,
    name: &str,
    len: usize,
    shape: &[u32],
    strides: &[u32],
) -> KernelResult {
    if strides.len() != shape.len() {
        return Err(KernelError::shape(
            op,
            format!(
                "{name} strides {strides:?} have {} entries, expected {} (one per dimension of shape {shape:?})",
                strides.len(),
                shape.len()
            ),
        ));
    }
    if shape.contains(&0) {
        return Ok(());
    }
    let last = shape.iter().zip(strides).try_fold(0usize, |acc, (&d, &s)| {
        acc.checked_add((d as usize - 1).checked_mul(s as usize)?)
    });
    match last {
        Some(last) if last < len => Ok(()),
        _ => Err(KernelError::length(
            op,
            format!(
                "{name} has {len} elements, expected at least {} (shape {shape:?}, strides {strides:?})",
                last.map_or("more than usize::MAX".to_string(), |l| (l + 1).to_string())
            ),
        )),
    }
}

/// One run of the innermost dimension: output positions `out_start..out_start + len`, reading
/// input `k` at `offsets[k] + j * steps[k]` for `j in 0..len`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run<const N: usize> {
    pub out_start: usize,
    pub len: usize,
    pub offsets: [usize; N],
    pub steps: [usize; N],
}

/// Walks the row-major output positions `start..end` of `shape` as runs of the innermost
/// dimension, giving each input's offsets through its `strides`.
pub(crate) fn for_each_run<const N: usize>(
    shape: &[u32],
    strides: [&[u32]; N],
    start: usize,
    end: usize,
    mut f: impl FnMut(Run<N>),
) {
    if start >= end {
        return;
    }
    let rank = shape.len();
    if rank == 0 {
        f(Run {
            out_start: 0,
            len: 1,
            offsets: [0; N],
            steps: [0; N],
        });
        return;
    }
    let inner = shape[rank - 1] as usize;
    if inner == 0 {
        return;
    }
    // Multi-index of `start`.
    let mut index = vec![0usize; rank];
    let mut rest = start;
    for d in (0..rank).rev() {
        let size = shape[d] as usize;
        index[d] = rest % size;
        rest /= size;
    }
    let steps: [usize; N] = std::array::from_fn(|k| strides[k][rank - 1] as usize);
    let mut pos = start;
    while pos < end {
        let col = index[rank - 1];
        let len = (inner - col).min(end - pos);
        let offsets: [usize; N] = std::array::from_fn(|k| {
            index
                .iter()
                .zip(strides[k])
                .map(|(&i, &s)| i * s as usize)
                .sum()
        });
        f(Run {
            out_start: pos,
            len,
            offsets,
            steps,
        });
        pos += len;
        // Advance to the start of the next row, carrying into the outer dimensions.
        index[rank - 1] = 0;
        for d in (0..rank - 1).rev() {
            index[d] += 1;
            if index[d] < shape[d] as usize {
                break;
            }
            index[d] = 0;
        }
    }
}

use crate::tuning::STRIDED_CHUNK as CHUNK;

/// `out[i₀…iₙ] = x[Σ i_d · strides_d]` over the row-major `shape` (permute, transpose, expand).
pub fn strided_copy(x: &[f32], shape: &[u32], strides: &[u32], out: &mut [f32]) -> KernelResult {
    const OP: &str = "stridedCopy";
    let total = numel(OP, "shape", shape)?;
    check_len(OP, "out", out.len(), total, &format!("shape {shape:?}"))?;
    check_strided(OP, "x", x.len(), shape, strides)?;
    crate::threads::par_chunks_mut(out, CHUNK, total, |start, out| {
        for_each_run(shape, [strides], start, start + out.len(), |run| {
            let dst = &mut out[run.out_start - start..run.out_start - start + run.len];
            let [offset] = run.offsets;
            match run.steps[0] {
                1 => dst.copy_from_slice(&x[offset..offset + run.len]),
                0 => dst.fill(x[offset]),
                step => {
                    for (j, o) in dst.iter_mut().enumerate() {
                        *o = x[offset + j * step];
                    }
                }
            }
        });
    });
    Ok(())
}

/// `dst[Σ i_d · strides_d] += src[i₀…iₙ]` over the row-major `shape`: a view's gradient added into
/// its base's (split pieces, narrowed or selected slices). One thread, in `src`'s order, so
/// overlapping strides (an expanded or unfolded view) sum deterministically; memory-bound, so one
/// thread suffices (NOTE [ Split's gradient ] in docs/PERFORMANCE.md).
pub fn strided_add(src: &[f32], shape: &[u32], strides: &[u32], dst: &mut [f32]) -> KernelResult {
    const OP: &str = "stridedAdd";
    let total = numel(OP, "shape", shape)?;
    check_len(OP, "src", src.len(), total, &format!("shape {shape:?}"))?;
    check_strided(OP, "dst", dst.len(), shape, strides)?;
    for_each_run(shape, [strides], 0, total, |run| {
        let from = &src[run.out_start..run.out_start + run.len];
        let [offset] = run.offsets;
        match run.steps[0] {
            1 => {
                for (d, s) in dst[offset..offset + run.len].iter_mut().zip(from) {
                    *d += s;
                }
            }
            step => {
                for (j, s) in from.iter().enumerate() {
                    dst[offset + j * step] += s;
                }
            }
        }
    });
    Ok(())
}

/// Sums a gradient of `gradShape` back to `outShape` (same rank; each dimension equal or 1): the
/// backward of broadcasting. Sums accumulate in f64 in the gradient's row-major order, so the
/// result does not depend on threads or SIMD.
pub fn sum_to_shape(
    grad: &[f32],
    grad_shape: &[u32],
    out_shape: &[u32],
    out: &mut [f32],
) -> KernelResult {
    const OP: &str = "sumToShape";
    if grad_shape.len() != out_shape.len() {
        return Err(KernelError::shape(
            OP,
            format!(
                "outShape {out_shape:?} has {} dimensions, expected {} (gradShape {grad_shape:?})",
                out_shape.len(),
                grad_shape.len()
            ),
        ));
    }
    for (d, (&g, &o)) in grad_shape.iter().zip(out_shape).enumerate() {
        if o != g && o != 1 {
            return Err(KernelError::shape(
                OP,
                format!("outShape {out_shape:?} has size {o} at dimension {d}, expected {g} or 1 (gradShape {grad_shape:?})"),
            ));
        }
    }
    let total = numel(OP, "gradShape", grad_shape)?;
    check_len(
        OP,
        "grad",
        grad.len(),
        total,
        &format!("gradShape {grad_shape:?}"),
    )?;
    let out_total = numel(OP, "outShape", out_shape)?;
    check_len(
        OP,
        "out",
        out.len(),
        out_total,
        &format!("outShape {out_shape:?}"),
    )?;
    // One contiguous run of summed dimensions (bias gradients, `sum(dim, keepdim)`) is a
    // `reduce` over `(outer, dim, inner)`: threaded and SIMD, in its fixed order.
    if let Some((outer, dim, inner)) = as_single_reduction(grad_shape, out_shape) {
        let code = crate::codes::ReduceOp::Sum as u32;
        return crate::reduce::reduce(code, grad, outer, dim, inner, out);
    }
    // Where each gradient position lands in `out`: contiguous strides of outShape, 0 where summed.
    let mut strides = vec![0u32; out_shape.len()];
    let mut step = 1u32;
    for d in (0..out_shape.len()).rev() {
        if out_shape[d] == grad_shape[d] && out_shape[d] != 1 {
            strides[d] = step;
        }
        step = step.saturating_mul(out_shape[d]);
    }
    let mut acc = vec![0f64; out_total];
    for_each_run(grad_shape, [&strides], 0, total, |run| {
        let src = &grad[run.out_start..run.out_start + run.len];
        let [offset] = run.offsets;
        if run.steps[0] == 0 {
            acc[offset] += src.iter().fold(0f64, |s, &v| s + v as f64);
        } else {
            for (a, &v) in acc[offset..offset + run.len].iter_mut().zip(src) {
                *a += v as f64;
            }
        }
    });
    for (o, a) in out.iter_mut().zip(&acc) {
        *o = *a as f32;
    }
    Ok(())
}

/// `(outer, dim, inner)` when the summed dimensions (size 1 in `out_shape`, not in `grad_shape`)
/// are consecutive once size-1 dimensions are ignored, and all sizes fit `u32`.
fn as_single_reduction(grad_shape: &[u32], out_shape: &[u32]) -> Option<(u32, u32, u32)> {
    let (mut outer, mut dim, mut inner) = (1u64, 1u64, 1u64);
    // 0: before the summed run, 1: inside it, 2: after it.
    let mut state = 0;
    for (&g, &o) in grad_shape.iter().zip(out_shape) {
        if g == 1 {
            continue;
        }
        let summed = o == 1;
        state = match (state, summed) {
            (0, false) => 0,
            (0 | 1, true) => 1,
            (1 | 2, false) => 2,
            _ => return None,
        };
        let size = g as u64;
        match state {
            0 => outer *= size,
            1 => dim *= size,
            _ => inner *= size,
        }
    }
    Some((
        u32::try_from(outer).ok()?,
        u32::try_from(dim).ok()?,
        u32::try_from(inner).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_and_expand() {
        // x is 2×3; out = xᵀ (3×2).
        let x = [1., 2., 3., 4., 5., 6.];
        let mut out = [0f32; 6];
        strided_copy(&x, &[3, 2], &[1, 3], &mut out).unwrap();
        assert_eq!(out, [1., 4., 2., 5., 3., 6.]);
        // expand a column [3, 1] to [3, 2].
        let mut out = [0f32; 6];
        strided_copy(&[7., 8., 9.], &[3, 2], &[1, 0], &mut out).unwrap();
        assert_eq!(out, [7., 7., 8., 8., 9., 9.]);
        // rank 0 and empty shapes.
        let mut one = [0f32];
        strided_copy(&[5.], &[], &[], &mut one).unwrap();
        assert_eq!(one, [5.]);
        strided_copy(&[], &[0, 3], &[3, 1], &mut []).unwrap();
    }

    #[test]
    fn permute_of_a_3d_buffer_crossing_chunks() {
        let (a, b, c) = (37usize, 29usize, 23usize);
        let x: Vec<f32> = (0..a * b * c).map(|i| i as f32).collect();
        // out[k][i][j] = x[i][j][k]
        let mut out = vec![0f32; a * b * c];
        strided_copy(
            &x,
            &[c as u32, a as u32, b as u32],
            &[1, (b * c) as u32, c as u32],
            &mut out,
        )
        .unwrap();
        for k in 0..c {
            for i in 0..a {
                for j in 0..b {
                    assert_eq!(out[(k * a + i) * b + j], x[(i * b + j) * c + k]);
                }
            }
        }
    }

    #[test]
    fn strided_add_inverts_strided_copy_and_sums_overlaps() {
        // Adding a permuted buffer back through the same strides restores x (into zeros), and a
        // second add doubles it: the add is the scatter that strided_copy's gather undoes.
        let (a, b, c) = (7usize, 5usize, 3usize);
        let x: Vec<f32> = (0..a * b * c).map(|i| i as f32).collect();
        let (shape, strides) = (
            [c as u32, a as u32, b as u32],
            [1, (b * c) as u32, c as u32],
        );
        let mut permuted = vec![0f32; x.len()];
        strided_copy(&x, &shape, &strides, &mut permuted).unwrap();
        let mut back = vec![0f32; x.len()];
        strided_add(&permuted, &shape, &strides, &mut back).unwrap();
        assert_eq!(back, x);
        strided_add(&permuted, &shape, &strides, &mut back).unwrap();
        assert!(back.iter().zip(&x).all(|(b, x)| *b == 2.0 * x));
        // An expand's gradient: stride 0 sums each row into one element.
        let mut sums = [0f32; 2];
        strided_add(&[1., 2., 3., 4., 5., 6.], &[2, 3], &[1, 0], &mut sums).unwrap();
        assert_eq!(sums, [6., 15.]);
        let err = strided_add(&[1., 2.], &[3], &[1], &mut [0.; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stridedAdd: src has 2 elements, expected 3 (shape [3])"
        );
    }

    #[test]
    fn strided_copy_rejects_bad_lengths() {
        let err = strided_copy(&[1., 2.], &[3], &[1], &mut [0.; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stridedCopy: x has 2 elements, expected at least 3 (shape [3], strides [1])"
        );
        let err = strided_copy(&[1., 2., 3.], &[3], &[1], &mut [0.; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stridedCopy: out has 2 elements, expected 3 (shape [3])"
        );
        let err = strided_copy(&[1., 2., 3.], &[3], &[1, 1], &mut [0.; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stridedCopy: x strides [1, 1] have 2 entries, expected 1 (one per dimension of shape [3])"
        );
    }

    #[test]
    fn sum_to_shape_sums_broadcast_dimensions() {
        // grad 2×3 → [1, 3] (column sums) and [2, 1] (row sums) and [1, 1].
        let g = [1., 2., 3., 4., 5., 6.];
        let mut cols = [0f32; 3];
        sum_to_shape(&g, &[2, 3], &[1, 3], &mut cols).unwrap();
        assert_eq!(cols, [5., 7., 9.]);
        let mut rows = [0f32; 2];
        sum_to_shape(&g, &[2, 3], &[2, 1], &mut rows).unwrap();
        assert_eq!(rows, [6., 15.]);
        let mut all = [0f32; 1];
        sum_to_shape(&g, &[2, 3], &[1, 1], &mut all).unwrap();
        assert_eq!(all, [21.]);
        let mut same = [0f32; 6];
        sum_to_shape(&g, &[2, 3], &[2, 3], &mut same).unwrap();
        assert_eq!(same, g);
        // 3-d: [2, 3, 4] → [2, 1, 4]
        let g: Vec<f32> = (0..24).map(|i| i as f32).collect();
        let mut out = [0f32; 8];
        sum_to_shape(&g, &[2, 3, 4], &[2, 1, 4], &mut out).unwrap();
        let expect: Vec<f32> = (0..8)
            .map(|p| (0..3).map(|j| g[(p / 4) * 12 + j * 4 + p % 4]).sum())
            .collect();
        assert_eq!(out.to_vec(), expect);
    }

    #[test]
    fn sum_to_shape_general_and_reduce_routes_agree() {
        let g = crate::test_util::data(2 * 3 * 4 * 5, 41, -1.0, 1.0);
        let shape = [2u32, 3, 4, 5];
        // Every keep/sum pattern of the four dimensions, with and without the `reduce` route.
        for mask in 0..16u32 {
            let out_shape: Vec<u32> = (0..4)
                .map(|d| if mask >> d & 1 == 1 { 1 } else { shape[d] })
                .collect();
            let len = out_shape.iter().product::<u32>() as usize;
            let mut expected = vec![0f64; len];
            for (p, &v) in g.iter().enumerate() {
                let idx = [p / 60, (p / 20) % 3, (p / 5) % 4, p % 5];
                let mut o = 0;
                for d in 0..4 {
                    o = o * out_shape[d] as usize + if out_shape[d] == 1 { 0 } else { idx[d] };
                }
                expected[o] += v as f64;
            }
            let expected: Vec<f32> = expected.iter().map(|&v| v as f32).collect();
            let mut out = vec![0f32; len];
            sum_to_shape(&g, &shape, &out_shape, &mut out).unwrap();
            crate::test_util::assert_close(&out, &expected, 1e-6, 1e-7, &format!("{out_shape:?}"));
            let routed = as_single_reduction(&shape, &out_shape).is_some();
            assert_eq!(
                routed,
                ![0b0101, 0b1001, 0b1010, 0b1011, 0b1101].contains(&mask),
                "mask {mask:04b}"
            );
        }
    }

    #[test]
    fn sum_to_shape_does_not_depend_on_thread_count() {
        let g = crate::test_util::data(4096 * 300, 42, -1.0, 1.0);
        let (one, two) = crate::test_util::at_1_and_2_threads(|| {
            let mut bias = vec![0f32; 300];
            sum_to_shape(&g, &[4096, 300], &[1, 300], &mut bias).unwrap();
            let mut rows = vec![0f32; 4096];
            sum_to_shape(&g, &[4096, 300], &[4096, 1], &mut rows).unwrap();
            [bias, rows]
        });
        for (a, b) in one.iter().zip(&two) {
            crate::test_util::assert_same(a, b, "1 vs 2 threads");
        }
    }

    #[test]
    fn sum_to_shape_rejects_incompatible_shapes() {
        let err = sum_to_shape(&[0.; 6], &[2, 3], &[2, 2], &mut [0.; 4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sumToShape: outShape [2, 2] has size 2 at dimension 1, expected 3 or 1 (gradShape [2, 3])"
        );
        let err = sum_to_shape(&[0.; 6], &[2, 3], &[3], &mut [0.; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sumToShape: outShape [3] has 1 dimensions, expected 2 (gradShape [2, 3])"
        );
        let err = sum_to_shape(&[0.; 5], &[2, 3], &[1, 3], &mut [0.; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sumToShape: grad has 5 elements, expected 6 (gradShape [2, 3])"
        );
    }
}
