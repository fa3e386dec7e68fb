//! Reductions over the middle axis of a contiguous `(outer, dim, inner)` view: `reduce` (sum,
//! mean, max, min) and `reduceArg` (max/min with their indices, as `torch.max(x, dim)`).
//!
//! Sums accumulate in f64 in a fixed order (see `sum::row_sum`), so they are identical on every
//! SIMD path and thread count.
mod extreme;
pub(crate) mod sum;
#[cfg(test)]
mod tests;

use crate::codes::{ArgReduceOp, ReduceOp};
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::threads;

/// `(outer, dim, inner)` validated against the input and output lengths.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View {
    pub outer: usize,
    pub dim: usize,
    pub inner: usize,
}

impl View {
    pub(crate) fn new(
        op: &'static str,
        outer: u32,
        dim: u32,
        inner: u32,
        x_name: &str,
        x_len: usize,
    ) -> KernelResult<View> {
        let view = View {
            outer: outer as usize,
            dim: dim as usize,
            inner: inner as usize,
        };
        let total = view
            .outer
            .checked_mul(view.dim)
            .and_then(|v| v.checked_mul(view.inner))
            .ok_or_else(|| {
                KernelError::shape(
                    op,
                    format!("outer={outer}, dim={dim}, inner={inner} overflows"),
                )
            })?;
        check_len(op, x_name, x_len, total, &view.describe())?;
        Ok(view)
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "outer={}, dim={}, inner={}",
            self.outer, self.dim, self.inner
        )
    }
}

use crate::tuning::REDUCE_TASK_ELEMS as TASK_ELEMS;

/// Output rows per parallel task, so a task reads about `TASK_ELEMS` inputs. Depends only on the
/// view, never on the thread count.
fn rows_per_task(view: View) -> usize {
    (TASK_ELEMS / (view.dim * view.inner).max(1)).max(1)
}

/// `out[o, i] = op_d x[o, d, i]` for op sum, mean, max, min. `max`/`min` propagate NaN; an empty
/// `dim` gives 0 for sum, NaN for mean and an error for max/min (as PyTorch).
pub fn reduce(
    op: u32,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    out: &mut [f32],
) -> KernelResult {
    reduce_with(cpu::active(), op, x, outer, dim, inner, out)
}

pub(crate) fn reduce_with(
    simd: Simd,
    op: u32,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    out: &mut [f32],
) -> KernelResult {
    const OP: &str = "reduce";
    let op = ReduceOp::from_code(OP, op)?;
    let view = View::new(OP, outer, dim, inner, "x", x.len())?;
    check_len(
        OP,
        "out",
        out.len(),
        view.outer * view.inner,
        &view.describe(),
    )?;
    if view.dim == 0 && !out.is_empty() && matches!(op, ReduceOp::Max | ReduceOp::Min) {
        return Err(KernelError::shape(
            OP,
            format!(
                "cannot take the {} of an empty dimension ({})",
                op.name().to_lowercase(),
                view.describe()
            ),
        ));
    }
    let (dim_len, inner_len) = (view.dim, view.inner);
    let rows = rows_per_task(view);
    threads::par_chunks_mut(out, rows * inner_len.max(1), x.len(), |start, out| {
        let first_row = start / inner_len.max(1);
        for (r, out_row) in out.chunks_mut(inner_len.max(1)).enumerate() {
            let o = first_row + r;
            let block = &x[o * dim_len * inner_len..(o + 1) * dim_len * inner_len];
            match op {
                ReduceOp::Sum | ReduceOp::Mean => {
                    sum::sum_block(simd, block, dim_len, inner_len, out_row);
                    if op == ReduceOp::Mean {
                        let d = dim_len as f32;
                        out_row.iter_mut().for_each(|v| *v /= d);
                    }
                }
                ReduceOp::Max => {
                    extreme::extreme_block(block, dim_len, inner_len, out_row, None, true)
                }
                ReduceOp::Min => {
                    extreme::extreme_block(block, dim_len, inner_len, out_row, None, false)
                }
            }
        }
    });
    Ok(())
}

/// `values[o, i]` and `indices[o, i]` of the max (op 0) or min (op 1) over `dim`: the first
/// extreme on ties; a NaN is the extreme (the first NaN's index), as `torch.max(x, dim)`.
#[allow(clippy::too_many_arguments)]
pub fn reduce_arg(
    op: u32,
    x: &[f32],
    outer: u32,
    dim: u32,
    inner: u32,
    values: &mut [f32],
    indices: &mut [i32],
) -> KernelResult {
    const OP: &str = "reduceArg";
    let op = ArgReduceOp::from_code(OP, op)?;
    let view = View::new(OP, outer, dim, inner, "x", x.len())?;
    check_len(
        OP,
        "values",
        values.len(),
        view.outer * view.inner,
        &view.describe(),
    )?;
    check_len(
        OP,
        "indices",
        indices.len(),
        view.outer * view.inner,
        &view.describe(),
    )?;
    if view.dim == 0 && !values.is_empty() {
        return Err(KernelError::shape(
            OP,
            format!(
                "cannot take the arg{} of an empty dimension ({})",
                op.name().to_lowercase(),
                view.describe()
            ),
        ));
    }
    if view.dim > i32::MAX as usize {
        return Err(KernelError::shape(
            OP,
            format!("dim {} does not fit an Int32Array index", view.dim),
        ));
    }
    let block = view.dim * view.inner;
    let inner_len = view.inner.max(1);
    for ((o, vals), idx) in values
        .chunks_mut(inner_len)
        .enumerate()
        .zip(indices.chunks_mut(inner_len))
    {
        let rows = &x[o * block..(o + 1) * block];
        extreme::extreme_block(
            rows,
            view.dim,
            view.inner,
            vals,
            Some(idx),
            op == ArgReduceOp::Max,
        );
    }
    Ok(())
}
