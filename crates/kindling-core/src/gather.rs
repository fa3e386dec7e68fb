//! Batch gathering for datasets whose samples are equal-length rows of one `u8` block (MNIST's
//! images): `out[k] = f(bytes[indices[k]])` row by row, with `f` either torchvision's `ToTensor`
//! scaling (`x as f32 / 255`, a correctly rounded float32 division, as `img.float().div(255)`) or a
//! 256-entry lookup table (`ToTensor` with `Normalize` folded in). One pass, no intermediate
//! buffer: the rows are read where they are and the floats written where the batch lives (a fresh
//! array, or a DataLoader worker's shared slot).
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::simd;

const OP: &str = "gather_bytes";

/// Gathers the rows `indices` of `bytes` (rows of `row_len` bytes) into `out` as float32:
/// divided by 255 when `table` is `None`, else mapped through the 256-entry `table`. Every index
/// must lie in `[0, rows)`; nothing is written unless all arguments are valid.
pub fn gather_bytes(
    bytes: &[u8],
    row_len: usize,
    indices: &[i32],
    table: Option<&[f32]>,
    out: &mut [f32],
) -> KernelResult {
    gather_bytes_with(bytes, row_len, indices, table, out, cpu::active())
}

/// `gather_bytes` on a given SIMD path (tests walk every available path).
pub fn gather_bytes_with(
    bytes: &[u8],
    row_len: usize,
    indices: &[i32],
    table: Option<&[f32]>,
    out: &mut [f32],
    simd: Simd,
) -> KernelResult {
    if row_len == 0 {
        return Err(KernelError::shape(OP, "row length must be positive, got 0"));
    }
    if !bytes.len().is_multiple_of(row_len) {
        return Err(KernelError::length(
            OP,
            format!(
                "source has {} bytes, not a whole number of rows of {row_len} bytes",
                bytes.len()
            ),
        ));
    }
    let rows = bytes.len() / row_len;
    let expected = indices.len().checked_mul(row_len).ok_or_else(|| {
        KernelError::shape(
            OP,
            format!("{} rows of {row_len} bytes overflow", indices.len()),
        )
    })?;
    check_len(
        OP,
        "out",
        out.len(),
        expected,
        &format!("{} rows of {row_len} values", indices.len()),
    )?;
    if let Some(table) = table {
        check_len(OP, "table", table.len(), 256, "one value per byte")?;
    }
    for (position, &index) in indices.iter().enumerate() {
        if index < 0 || index as usize >= rows {
            return Err(KernelError::value(
                OP,
                format!(
                    "index {index} is out of bounds for dimension 0 with size {rows} (at position {position})"
                ),
            ));
        }
    }
    for (dst, &index) in out.chunks_exact_mut(row_len).zip(indices) {
        let start = index as usize * row_len;
        let src = &bytes[start..start + row_len];
        match table {
            Some(table) => map_row(src, table, dst),
            None => unit_row(simd, src, dst),
        }
    }
    Ok(())
}

/// One row through the table (a scalar lookup: gathers are not faster for 256 entries).
fn map_row(src: &[u8], table: &[f32], dst: &mut [f32]) {
    let table: &[f32; 256] = table.try_into().expect("checked: 256 entries");
    for (d, &b) in dst.iter_mut().zip(src) {
        *d = table[b as usize];
    }
}

simd::kernel! {
    /// One row as `x / 255`, compiled for the path.
    fn unit_row(src: &[u8], dst: &mut [f32]) {
        vector: unit_elements(src, dst),
    }
}

/// `x / 255` in float32. LLVM vectorises this into widening conversions and `divps` (IEEE division
/// is correctly rounded in every lane, so each path gives the scalar result bit for bit); it never
/// turns the division into a multiplication by 1/255, which would round differently.
#[inline(always)]
fn unit_elements(src: &[u8], dst: &mut [f32]) {
    let n = dst.len().min(src.len());
    let (src, dst) = (&src[..n], &mut dst[..n]);
    for i in 0..n {
        dst[i] = src[i] as f32 / 255.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::available_paths;
    use crate::ErrorKind;

    /// Every byte value, in rows of 7 (not a multiple of any SIMD width), shuffled.
    fn block() -> (Vec<u8>, usize) {
        let row = 7;
        let bytes: Vec<u8> = (0..256 * row)
            .map(|i| ((i * 37 + 11) % 256) as u8)
            .collect();
        (bytes, row)
    }

    #[test]
    fn divides_by_255_exactly_as_scalar_float32_division_on_every_path() {
        let (bytes, row) = block();
        let indices: Vec<i32> = vec![255, 0, 3, 3, 100, 17, 254];
        for simd in available_paths() {
            let mut out = vec![f32::NAN; indices.len() * row];
            gather_bytes_with(&bytes, row, &indices, None, &mut out, simd).unwrap();
            for (k, &index) in indices.iter().enumerate() {
                for p in 0..row {
                    let b = bytes[index as usize * row + p];
                    let expected = b as f32 / 255.0;
                    assert_eq!(
                        out[k * row + p].to_bits(),
                        expected.to_bits(),
                        "{simd:?} byte {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_byte_value_matches_the_double_rounded_quotient() {
        // torchvision's float32 division equals the float64 quotient rounded to float32 (double
        // rounding is innocuous for division at these precisions): check all 256 values, long rows.
        let bytes: Vec<u8> = (0..=255u8).collect();
        for simd in available_paths() {
            let mut out = vec![0.0; 256];
            gather_bytes_with(&bytes, 256, &[0], None, &mut out, simd).unwrap();
            for (b, &value) in out.iter().enumerate() {
                assert_eq!(value, (b as f64 / 255.0) as f32, "{simd:?} byte {b}");
            }
        }
    }

    #[test]
    fn maps_through_a_table() {
        let (bytes, row) = block();
        let table: Vec<f32> = (0..256).map(|i| i as f32 * 0.5 - 3.0).collect();
        let indices = [5, 250, 5];
        let mut out = vec![0.0; indices.len() * row];
        gather_bytes(&bytes, row, &indices, Some(&table), &mut out).unwrap();
        for (k, &index) in indices.iter().enumerate() {
            for p in 0..row {
                assert_eq!(
                    out[k * row + p],
                    table[bytes[index as usize * row + p] as usize]
                );
            }
        }
    }

    #[test]
    fn no_indices_is_an_empty_batch() {
        let (bytes, row) = block();
        let mut out: Vec<f32> = vec![];
        gather_bytes(&bytes, row, &[], None, &mut out).unwrap();
    }

    #[test]
    fn bad_indices_are_value_errors_and_write_nothing() {
        let (bytes, row) = block();
        for bad in [256, -1, i32::MIN, i32::MAX] {
            let mut out = vec![9.0; 2 * row];
            let err = gather_bytes(&bytes, row, &[0, bad], None, &mut out).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Value);
            assert_eq!(
                err.to_string(),
                format!("gather_bytes: index {bad} is out of bounds for dimension 0 with size 256 (at position 1)")
            );
            assert!(out.iter().all(|&v| v == 9.0));
        }
    }

    #[test]
    fn bad_lengths_are_errors() {
        let (bytes, row) = block();
        let mut out = vec![0.0; row + 1];
        let err = gather_bytes(&bytes, row, &[0], None, &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Length);
        assert_eq!(
            err.to_string(),
            "gather_bytes: out has 8 elements, expected 7 (1 rows of 7 values)"
        );

        let mut out = vec![0.0; row];
        let err = gather_bytes(&bytes[..10], row, &[0], None, &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Length);
        assert_eq!(
            err.to_string(),
            "gather_bytes: source has 10 bytes, not a whole number of rows of 7 bytes"
        );

        let err = gather_bytes(&bytes, 0, &[0], None, &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Shape);

        let table = vec![0.0; 255];
        let err = gather_bytes(&bytes, row, &[0], Some(&table), &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Length);
        assert_eq!(
            err.to_string(),
            "gather_bytes: table has 255 elements, expected 256 (one value per byte)"
        );
    }
}
