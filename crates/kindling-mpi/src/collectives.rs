//! The synchronous collectives, each for float32, int32 and int64 buffers (`allReduceF32`,
//! `allReduceI32`, `allReduceI64`, …), on Node's main thread. They call MPI's C functions
//! directly (call.rs): rsmpi's safe wrappers have no `MPI_IN_PLACE`, and reducing in place is
//! what makes the call copy-free.
use mpi::raw::AsRaw;
use mpi::topology::Communicator;
use napi::{Env, Result};
use napi_derive::napi;

use crate::call::{check, run, Elem, What};
use crate::error::{fail, Kind};
use crate::state::world;

/// Checks and runs `what` in its turn (order.rs); a failed check throws a `RangeError`.
fn sync<T: Elem>(env: &Env, what: What, input: Option<&[T]>, output: &mut [T]) -> Result<()> {
    let Some(world) = world(env, what.name())? else {
        return Ok(());
    };
    let size = world.size();
    let count = match check(what, input.map(<[T]>::len), output.len(), T::FLOATING, size) {
        Ok(count) => count,
        Err(message) => return fail(env, Kind::Value, message),
    };
    // SAFETY: `check` accepted the lengths; `input` and `output` are distinct borrows of JS typed
    // arrays (kindling passes a copy of an input that would overlap the output).
    crate::order::now(|| unsafe {
        run(
            what,
            input.unwrap_or(&[]),
            output,
            count,
            world.as_raw(),
            size,
        )
    });
    Ok(())
}

/// `MPI_Barrier` on the world.
#[napi(catch_unwind)]
pub fn barrier(env: Env) -> Result<()> {
    sync::<f32>(&env, What::Barrier, None, &mut [])
}

// The typed entry points. Arguments are named through aliases: `#[napi]` then converts them with
// napi's `FromNapiValue` for slices, which borrows the JS typed array in place (no copy in or out);
// written `&mut [f32]` literally it would look for `FromNapiMutRef`, which slices lack.
type F32In<'a> = &'a [f32];
type F32Out<'a> = &'a mut [f32];
type I32In<'a> = &'a [i32];
type I32Out<'a> = &'a mut [i32];
type I64In<'a> = &'a [i64];
type I64Out<'a> = &'a mut [i64];

macro_rules! typed {
    ($input:ident, $output:ident, $js:literal, $ar:ident, $bc:ident, $ag:ident, $rs:ident) => {
        #[napi(catch_unwind)]
        pub fn $ar(env: Env, #[napi(ts_arg_type = $js)] buf: $output<'_>, op: u32) -> Result<()> {
            sync(&env, What::AllReduce(op), None, buf)
        }

        #[napi(catch_unwind)]
        pub fn $bc(env: Env, #[napi(ts_arg_type = $js)] buf: $output<'_>, src: i32) -> Result<()> {
            sync(&env, What::Broadcast(src), None, buf)
        }

        #[napi(catch_unwind)]
        pub fn $ag(
            env: Env,
            #[napi(ts_arg_type = $js)] input: $input<'_>,
            #[napi(ts_arg_type = $js)] output: $output<'_>,
        ) -> Result<()> {
            sync(&env, What::AllGather, Some(input), output)
        }

        #[napi(catch_unwind)]
        pub fn $rs(
            env: Env,
            #[napi(ts_arg_type = $js)] input: $input<'_>,
            #[napi(ts_arg_type = $js)] output: $output<'_>,
            op: u32,
        ) -> Result<()> {
            sync(&env, What::ReduceScatter(op), Some(input), output)
        }
    };
}

#[rustfmt::skip]
typed!(F32In, F32Out, "Float32Array", all_reduce_f32, broadcast_f32, all_gather_f32, reduce_scatter_f32);
#[rustfmt::skip]
typed!(I32In, I32Out, "Int32Array", all_reduce_i32, broadcast_i32, all_gather_i32, reduce_scatter_i32);
#[rustfmt::skip]
typed!(I64In, I64Out, "BigInt64Array", all_reduce_i64, broadcast_i64, all_gather_i64, reduce_scatter_i64);
