//! Rows of a table, picked or accumulated by index: the data movement of `index_select` along a
//! dimension, of an integer-tensor index on one dimension, and of an embedding lookup, and of
//! their backwards (`index_add`).
//!
//! The table is `batches` blocks of `rows × row_len` floats (a 2-D table when `batches` is 1;
//! `index_select(x, d, idx)` views `x` as `(outer, size(d), inner)`: `batches = outer`,
//! `row_len = inner`). The same `indices` apply to every block:
//! - `gather_rows`: `out[b, k, :] = table[b, indices[k], :]`;
//! - `scatter_add_rows`: `table[b, indices[k], :] += src[b, k, :]` for every k in order, so a
//!   duplicated index accumulates (the gradient of a gather).
//!
//! Both run whole rows as tasks of the thread pool. `scatter_add_rows` gives each task a range of
//! destination rows and lets it scan all the indices, adding only those in its range, so every
//! element is summed in index order whatever the thread count (bit-identical results; the scan
//! costs one comparison per index per task, next to `row_len` additions).
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::simd;
use crate::threads;
use crate::tuning::ROWS_TASK_ELEMS;

/// The table's row count, after checking every length against `batches`, `row_len` and the
/// index count (`picked` is the gathered side: `batches × indices × row_len`).
fn check(
    op: &'static str,
    table: (&str, usize),
    picked: (&str, usize),
    batches: usize,
    row_len: usize,
    indices: &[i32],
) -> KernelResult<usize> {
    if row_len == 0 || batches == 0 {
        return Err(KernelError::shape(
            op,
            format!("batches and row length must be positive, got {batches} and {row_len}"),
        ));
    }
    let block = batches
        .checked_mul(row_len)
        .ok_or_else(|| KernelError::shape(op, "batches × row length overflows"))?;
    if !table.1.is_multiple_of(block) {
        return Err(KernelError::length(
            op,
            format!(
                "{} has {} elements, not a whole number of rows of {row_len} in {batches} batches",
                table.0, table.1
            ),
        ));
    }
    let rows = table.1 / block;
    let expected = indices
        .len()
        .checked_mul(block)
        .ok_or_else(|| KernelError::shape(op, "indices × batches × row length overflows"))?;
    check_len(
        op,
        picked.0,
        picked.1,
        expected,
        &format!("{batches} batches of {} rows of {row_len}", indices.len()),
    )?;
    for (position, &index) in indices.iter().enumerate() {
        if index < 0 || index as usize >= rows {
            return Err(KernelError::value(
                op,
                format!(
                    "index {index} is out of bounds for dimension 0 with size {rows} (at position {position})"
                ),
            ));
        }
    }
    Ok(rows)
}

/// `out[b, k, :] = table[b, indices[k], :]`. Every index must lie in `[0, rows)`; nothing is
/// written unless all arguments are valid.
pub fn gather_rows(
    table: &[f32],
    batches: usize,
    row_len: usize,
    indices: &[i32],
    out: &mut [f32],
) -> KernelResult {
    let rows = check(
        "gather_rows",
        ("table", table.len()),
        ("out", out.len()),
        batches,
        row_len,
        indices,
    )?;
    let n = indices.len();
    if n == 0 {
        return Ok(());
    }
    let rows_per_task = (ROWS_TASK_ELEMS / row_len).max(1);
    threads::par_chunks_mut(out, rows_per_task * row_len, out.len(), |start, part| {
        for (j, dst) in part.chunks_exact_mut(row_len).enumerate() {
            let r = start / row_len + j;
            let (b, k) = (r / n, r % n);
            let from = (b * rows + indices[k] as usize) * row_len;
            dst.copy_from_slice(&table[from..from + row_len]);
        }
    });
    Ok(())
}

/// `table[b, indices[k], :] += src[b, k, :]` for every k in order (duplicates accumulate).
/// `table` is added into, not overwritten. Nothing is written unless all arguments are valid.
pub fn scatter_add_rows(
    src: &[f32],
    batches: usize,
    row_len: usize,
    indices: &[i32],
    table: &mut [f32],
) -> KernelResult {
    scatter_add_rows_with(src, batches, row_len, indices, table, cpu::active())
}

/// `scatter_add_rows` on a given SIMD path (tests walk every available path).
pub fn scatter_add_rows_with(
    src: &[f32],
    batches: usize,
    row_len: usize,
    indices: &[i32],
    table: &mut [f32],
    simd: Simd,
) -> KernelResult {
    let rows = check(
        "scatter_add_rows",
        ("table", table.len()),
        ("src", src.len()),
        batches,
        row_len,
        indices,
    )?;
    let n = indices.len();
    if n == 0 || rows == 0 {
        return Ok(());
    }
    // Tasks own whole destination rows (a range of `batches × rows` flat rows).
    let rows_per_task = (ROWS_TASK_ELEMS / row_len).max(1);
    let work = src.len() + table.len();
    threads::par_chunks_mut(table, rows_per_task * row_len, work, |start, part| {
        let first = start / row_len;
        let end = first + part.len() / row_len;
        let mut r = first;
        while r < end {
            // The flat rows of this task that lie in batch b: [r, stop).
            let b = r / rows;
            let stop = end.min((b + 1) * rows);
            let (lo, hi) = ((r - b * rows) as i32, (stop - b * rows) as i32);
            for (k, &index) in indices.iter().enumerate() {
                if index >= lo && index < hi {
                    let at = (b * rows + index as usize - first) * row_len;
                    let from = (b * n + k) * row_len;
                    add_row(
                        simd,
                        &src[from..from + row_len],
                        &mut part[at..at + row_len],
                    );
                }
            }
            r = stop;
        }
    });
    Ok(())
}

simd::kernel! {
    /// `dst += src`, compiled for the path (a plain loop LLVM vectorises; each lane is one
    /// correctly rounded addition, so every path gives the scalar bits).
    fn add_row(src: &[f32], dst: &mut [f32]) {
        vector: add_elements(src, dst),
    }
}

#[inline(always)]
fn add_elements(src: &[f32], dst: &mut [f32]) {
    let n = dst.len().min(src.len());
    let (src, dst) = (&src[..n], &mut dst[..n]);
    for i in 0..n {
        dst[i] += src[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::available_paths;
    use crate::test_util::{at_1_and_2_threads, data};
    use crate::ErrorKind;

    /// The scalar reference of `scatter_add_rows`: one element at a time, indices in order.
    fn scatter_reference(
        src: &[f32],
        batches: usize,
        row_len: usize,
        indices: &[i32],
        table: &mut [f32],
    ) {
        let rows = table.len() / (batches * row_len);
        let n = indices.len();
        for b in 0..batches {
            for (k, &i) in indices.iter().enumerate() {
                for j in 0..row_len {
                    table[(b * rows + i as usize) * row_len + j] += src[(b * n + k) * row_len + j];
                }
            }
        }
    }

    fn indices(n: usize, rows: usize, seed: u64) -> Vec<i32> {
        data(n, seed, 0.0, rows as f32)
            .iter()
            .map(|v| (*v as i32).min(rows as i32 - 1))
            .collect()
    }

    #[test]
    fn gathers_rows_of_every_batch() {
        // 2 batches of 3 rows of 2: values b*100 + r*10 + j.
        let table: Vec<f32> = (0..2)
            .flat_map(|b| {
                (0..3).flat_map(move |r| (0..2).map(move |j| (b * 100 + r * 10 + j) as f32))
            })
            .collect();
        let mut out = vec![f32::NAN; 2 * 4 * 2];
        gather_rows(&table, 2, 2, &[2, 0, 2, 1], &mut out).unwrap();
        assert_eq!(
            out,
            vec![
                20.0, 21.0, 0.0, 1.0, 20.0, 21.0, 10.0, 11.0, 120.0, 121.0, 100.0, 101.0, 120.0,
                121.0, 110.0, 111.0
            ]
        );
    }

    #[test]
    fn scatter_add_accumulates_duplicates_in_index_order() {
        let src = vec![1.0, 2.0, 10.0, 20.0, 100.0, 200.0];
        let mut table = vec![0.5; 3 * 2];
        scatter_add_rows(&src, 1, 2, &[1, 1, 2], &mut table).unwrap();
        assert_eq!(table, vec![0.5, 0.5, 11.5, 22.5, 100.5, 200.5]);
    }

    #[test]
    fn scatter_add_matches_the_reference_on_every_path_and_thread_count() {
        for &(batches, rows, row_len, n) in &[
            (1, 65, 128, 2048),
            (3, 7, 1, 40),
            (2, 50, 33, 500),
            (1, 1, 17, 9),
            (5, 4000, 3, 3000),
        ] {
            let src = data(batches * n * row_len, 7, -1.0, 1.0);
            let idx = indices(n, rows, 11);
            let start = data(batches * rows * row_len, 3, -1.0, 1.0);
            let mut expected = start.clone();
            scatter_reference(&src, batches, row_len, &idx, &mut expected);
            for simd in available_paths() {
                let run = || {
                    let mut table = start.clone();
                    scatter_add_rows_with(&src, batches, row_len, &idx, &mut table, simd).unwrap();
                    table
                };
                let (one, two) = at_1_and_2_threads(run);
                for got in [one, two] {
                    for (i, (a, e)) in got.iter().zip(&expected).enumerate() {
                        assert_eq!(
                            a.to_bits(),
                            e.to_bits(),
                            "{simd:?} {batches}x{rows}x{row_len} element {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn gather_is_the_same_at_one_and_two_threads() {
        let (batches, rows, row_len, n) = (3, 100, 70, 900);
        let table = data(batches * rows * row_len, 5, -1.0, 1.0);
        let idx = indices(n, rows, 9);
        let (one, two) = at_1_and_2_threads(|| {
            let mut out = vec![0.0; batches * n * row_len];
            gather_rows(&table, batches, row_len, &idx, &mut out).unwrap();
            out
        });
        assert_eq!(one, two);
        for b in 0..batches {
            for (k, &i) in idx.iter().enumerate() {
                let got = &one[(b * n + k) * row_len..(b * n + k + 1) * row_len];
                let want = &table
                    [(b * rows + i as usize) * row_len..(b * rows + i as usize + 1) * row_len];
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn no_indices_is_empty_and_bad_indices_write_nothing() {
        let table = vec![1.0; 6];
        let mut out: Vec<f32> = vec![];
        gather_rows(&table, 1, 2, &[], &mut out).unwrap();
        for bad in [3, -1, i32::MAX, i32::MIN] {
            let mut out = vec![9.0; 4];
            let err = gather_rows(&table, 1, 2, &[0, bad], &mut out).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Value);
            assert_eq!(
                err.to_string(),
                format!("gather_rows: index {bad} is out of bounds for dimension 0 with size 3 (at position 1)")
            );
            assert!(out.iter().all(|&v| v == 9.0));
            let mut t = vec![0.0; 6];
            let err = scatter_add_rows(&[1.0; 4], 1, 2, &[bad, 0], &mut t).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Value);
            assert!(t.iter().all(|&v| v == 0.0));
        }
    }

    #[test]
    fn bad_lengths_are_errors() {
        let mut out = vec![0.0; 5];
        let err = gather_rows(&[0.0; 6], 1, 2, &[0, 1], &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Length);
        assert_eq!(
            err.to_string(),
            "gather_rows: out has 5 elements, expected 4 (1 batches of 2 rows of 2)"
        );
        let err = gather_rows(&[0.0; 7], 1, 2, &[0], &mut out[..2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gather_rows: table has 7 elements, not a whole number of rows of 2 in 1 batches"
        );
        let err = scatter_add_rows(&[0.0; 2], 0, 2, &[0], &mut [0.0; 2]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Shape);
        let err = scatter_add_rows(&[0.0; 3], 1, 2, &[0], &mut [0.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "scatter_add_rows: src has 3 elements, expected 2 (1 batches of 1 rows of 2)"
        );
    }
}
