//! Max/min over the middle axis with PyTorch's NaN and tie rules.

/// Whether `candidate` (seen later) replaces `best`: a NaN beats any number, the first NaN is kept,
/// and among numbers only a strictly greater (smaller) one wins, so ties keep the first index.
#[inline(always)]
fn replaces(candidate: f32, best: f32, max: bool) -> bool {
    if best.is_nan() {
        false
    } else if candidate.is_nan() {
        true
    } else if max {
        candidate > best
    } else {
        candidate < best
    }
}

/// Reduces `block` viewed as `dim × inner` over `dim` into `values` (length `inner`), and the index
/// of the chosen element into `indices` when given. `dim` is at least 1.
pub(super) fn extreme_block(
    block: &[f32],
    dim: usize,
    inner: usize,
    values: &mut [f32],
    mut indices: Option<&mut [i32]>,
    max: bool,
) {
    if inner == 0 {
        return;
    }
    values.copy_from_slice(&block[..inner]);
    if let Some(idx) = indices.as_deref_mut() {
        idx.fill(0);
    }
    for d in 1..dim {
        let row = &block[d * inner..(d + 1) * inner];
        for (k, (v, &c)) in values.iter_mut().zip(row).enumerate() {
            if replaces(c, *v, max) {
                *v = c;
                if let Some(idx) = indices.as_deref_mut() {
                    idx[k] = d as i32;
                }
            }
        }
    }
}
