//! `gatherBytes`: a dataset batch gathered from rows of a uint8 block straight into float32 (see
//! `kindling_core::gather`). `bytes` may be a view on a `SharedArrayBuffer` (MNIST's images), and
//! `out` a view on a DataLoader worker's shared slot.
use crate::buffers::F32Out;
use kindling_core::gather;
use napi::Env;
use napi_derive::napi;

/// `out[k] = rows[indices[k]] / 255` (or mapped through the 256-entry `table` when given).
#[napi(catch_unwind)]
pub fn gather_bytes(
    env: Env,
    bytes: &[u8],
    row_len: u32,
    indices: &[i32],
    table: Option<&[f32]>,
    #[napi(ts_arg_type = "Float32Array")] out: F32Out<'_>,
) -> napi::Result<()> {
    crate::error::convert(
        &env,
        gather::gather_bytes(bytes, row_len as usize, indices, table, out),
    )
}
