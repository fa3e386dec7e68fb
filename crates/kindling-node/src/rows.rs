//! `gatherRows` / `scatterAddRows`: rows of a `batches × rows × rowLen` table picked or
//! accumulated by index (see `kindling_core::rows`): `indexSelect`, integer-tensor indexing and
//! their backwards.
use crate::buffers::F32Out;
use kindling_core::rows;
use napi::Env;
use napi_derive::napi;

/// `out[b, k, :] = table[b, indices[k], :]`.
#[napi(catch_unwind)]
pub fn gather_rows(
    env: Env,
    table: &[f32],
    batches: u32,
    row_len: u32,
    indices: &[i32],
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> napi::Result<()> {
    crate::error::convert(
        &env,
        rows::gather_rows(table, batches as usize, row_len as usize, indices, out),
    )
}

/// `table[b, indices[k], :] += src[b, k, :]`, duplicates accumulating in index order.
#[napi(catch_unwind)]
pub fn scatter_add_rows(
    env: Env,
    src: &[f32],
    batches: u32,
    row_len: u32,
    indices: &[i32],
    #[napi(ts_arg_type = "Float32Array")] table: F32Out<'_>,
) -> napi::Result<()> {
    crate::error::convert(
        &env,
        rows::scatter_add_rows(src, batches as usize, row_len as usize, indices, table),
    )
}
