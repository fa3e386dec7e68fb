//! Output buffer types shared by every binding. `#[napi]` converts a parameter written
//! `&mut [f32]` through `FromNapiMutRef` (not implemented for slices); naming the type through an
//! alias selects napi's `FromNapiValue for &mut [f32]`, which borrows the typed array in place, so
//! kernels write straight into the array JavaScript allocated. Pair each with
//! `#[napi(ts_arg_type = "Float32Array")]` (or `Int32Array`/`Uint8Array`) for the generated types.
pub(crate) type F32Out<'a> = &'a mut [f32];
pub(crate) type I32Out<'a> = &'a mut [i32];
pub(crate) type U8Out<'a> = &'a mut [u8];
