//! The collectives, each for float32, int32 and int64 buffers (`allReduceF32`, `allReduceI32`,
//! `allReduceI64`, …). They call MPI's C functions directly: rsmpi's safe wrappers have no
//! `MPI_IN_PLACE`, and reducing in place is what makes the call copy-free.
use std::os::raw::{c_int, c_void};

use mpi::collective::CommunicatorCollectives;
use mpi::ffi;
use mpi::raw::AsRaw;
use mpi::topology::Communicator;
use napi::{Env, Result};
use napi_derive::napi;

use crate::error::{fail, Kind};
use crate::state::world;

extern "C" {
    /// src/in_place.c: the value of this MPI's `MPI_IN_PLACE`.
    fn kindling_mpi_in_place() -> *mut c_void;
}

/// PyTorch's `ReduceOp` numbering (`c10d::ReduceOp::RedOpType`): SUM 0, AVG 1, PRODUCT 2, MIN 3,
/// MAX 4. AVG is a SUM followed by a division by the world size, for floating-point buffers only.
pub const SUM: u32 = 0;
pub const AVG: u32 = 1;
const PRODUCT: u32 = 2;
const MIN: u32 = 3;
const MAX: u32 = 4;

/// The MPI handle of op `code`, or None when the op does not apply (AVG on integers, unknown).
pub(crate) fn mpi_op_handle(code: u32, floating: bool) -> Option<ffi::MPI_Op> {
    // SAFETY: reading MPI's predefined handles, which are constants of the linked library.
    unsafe {
        match code {
            SUM => Some(ffi::RSMPI_SUM),
            AVG if floating => Some(ffi::RSMPI_SUM),
            PRODUCT => Some(ffi::RSMPI_PROD),
            MIN => Some(ffi::RSMPI_MIN),
            MAX => Some(ffi::RSMPI_MAX),
            _ => None,
        }
    }
}

/// Divides each element by `n`: AVG's second half (a no-op for integers, refused before).
pub(crate) fn average<T: Element>(buf: &mut [T], n: i32) {
    T::average(buf, n)
}

fn mpi_op(env: &Env, op: &str, code: u32, floating: bool) -> Result<Option<ffi::MPI_Op>> {
    // SAFETY: reading MPI's predefined handles, which are constants of the linked library.
    let handle = unsafe {
        match code {
            SUM => ffi::RSMPI_SUM,
            AVG if floating => ffi::RSMPI_SUM,
            PRODUCT => ffi::RSMPI_PROD,
            MIN => ffi::RSMPI_MIN,
            MAX => ffi::RSMPI_MAX,
            _ => {
                let why = if code == AVG {
                    "AVG needs a floating-point buffer"
                } else {
                    "unknown op"
                };
                return fail(env, Kind::Value, format!("{op}: reduce op {code}: {why}"));
            }
        }
    };
    Ok(Some(handle))
}

/// MPI counts are C ints: a buffer longer than that cannot be sent in one call.
fn count(env: &Env, op: &str, len: usize) -> Result<Option<c_int>> {
    match c_int::try_from(len) {
        Ok(n) => Ok(Some(n)),
        Err(_) => fail(
            env,
            Kind::Value,
            format!(
                "{op}: {len} elements exceed MPI's limit of {} per call",
                c_int::MAX
            ),
        ),
    }
}

/// Divides each element by `n` (the AVG of float buffers); a no-op for integer types, where AVG
/// was refused before any communication.
pub trait Element: Copy {
    fn average(buf: &mut [Self], n: i32);
}
impl Element for f32 {
    fn average(buf: &mut [f32], n: i32) {
        let n = n as f32;
        for v in buf {
            *v /= n;
        }
    }
}
impl Element for i32 {
    fn average(_: &mut [i32], _: i32) {}
}
impl Element for i64 {
    fn average(_: &mut [i64], _: i32) {}
}

fn all_reduce<T: Element>(
    env: &Env,
    op: &str,
    buf: &mut [T],
    code: u32,
    dtype: ffi::MPI_Datatype,
    floating: bool,
) -> Result<()> {
    let Some(world) = world(env, op)? else {
        return Ok(());
    };
    let Some(mpi_op) = mpi_op(env, op, code, floating)? else {
        return Ok(());
    };
    let Some(n) = count(env, op, buf.len())? else {
        return Ok(());
    };
    // SAFETY: `buf` is `n` elements of `dtype`, borrowed for the call; MPI reads and writes only it.
    crate::order::now(|| unsafe {
        ffi::MPI_Allreduce(
            kindling_mpi_in_place(),
            buf.as_mut_ptr().cast(),
            n,
            dtype,
            mpi_op,
            world.as_raw(),
        );
    });
    if code == AVG {
        T::average(buf, world.size());
    }
    Ok(())
}

fn broadcast<T>(
    env: &Env,
    op: &str,
    buf: &mut [T],
    src: i32,
    dtype: ffi::MPI_Datatype,
) -> Result<()> {
    let Some(world) = world(env, op)? else {
        return Ok(());
    };
    if src < 0 || src >= world.size() {
        return fail(
            env,
            Kind::Value,
            format!("{op}: src rank {src} is not in [0, {})", world.size()),
        );
    }
    let Some(n) = count(env, op, buf.len())? else {
        return Ok(());
    };
    // SAFETY: as in `all_reduce`.
    crate::order::now(|| unsafe {
        ffi::MPI_Bcast(buf.as_mut_ptr().cast(), n, dtype, src, world.as_raw());
    });
    Ok(())
}

/// `output` holds `world size` blocks of `input.len()` elements, block r from rank r.
fn all_gather<T>(
    env: &Env,
    op: &str,
    input: &[T],
    output: &mut [T],
    dtype: ffi::MPI_Datatype,
) -> Result<()> {
    let Some(world) = world(env, op)? else {
        return Ok(());
    };
    let size = world.size() as usize;
    if output.len() != input.len() * size {
        let msg = format!(
            "{op}: output must hold {size} × {} elements, got {}",
            input.len(),
            output.len()
        );
        return fail(env, Kind::Value, msg);
    }
    let Some(n) = count(env, op, input.len())? else {
        return Ok(());
    };
    let Some(_) = count(env, op, output.len())? else {
        return Ok(());
    };
    // SAFETY: `input` and `output` are distinct borrows (JS cannot alias them: kindling passes the
    // input tensor's buffer and a separate output buffer); their lengths were checked above.
    crate::order::now(|| unsafe {
        ffi::MPI_Allgather(
            input.as_ptr() as *mut c_void,
            n,
            dtype,
            output.as_mut_ptr().cast(),
            n,
            dtype,
            world.as_raw(),
        );
    });
    Ok(())
}

/// `input` holds `world size` blocks of `output.len()` elements; block r of the reduction lands
/// on rank r's `output`.
fn reduce_scatter<T: Element>(
    env: &Env,
    op: &str,
    input: &[T],
    output: &mut [T],
    code: u32,
    dtype: ffi::MPI_Datatype,
    floating: bool,
) -> Result<()> {
    let Some(world) = world(env, op)? else {
        return Ok(());
    };
    let size = world.size() as usize;
    if input.len() != output.len() * size {
        let msg = format!(
            "{op}: input must hold {size} × {} elements, got {}",
            output.len(),
            input.len()
        );
        return fail(env, Kind::Value, msg);
    }
    let Some(mpi_op) = mpi_op(env, op, code, floating)? else {
        return Ok(());
    };
    let Some(n) = count(env, op, output.len())? else {
        return Ok(());
    };
    let Some(_) = count(env, op, input.len())? else {
        return Ok(());
    };
    // SAFETY: as in `all_gather`.
    crate::order::now(|| unsafe {
        ffi::MPI_Reduce_scatter_block(
            input.as_ptr() as *mut c_void,
            output.as_mut_ptr().cast(),
            n,
            dtype,
            mpi_op,
            world.as_raw(),
        );
    });
    if code == AVG {
        T::average(output, world.size());
    }
    Ok(())
}

/// `MPI_Barrier` on the world.
#[napi(catch_unwind)]
pub fn barrier(env: Env) -> Result<()> {
    if let Some(world) = world(&env, "barrier")? {
        crate::order::now(|| world.barrier());
    }
    Ok(())
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
    ($input:ident, $output:ident, $js:literal, $dtype:ident, $floating:expr,
     $ar:ident, $bc:ident, $ag:ident, $rs:ident) => {
        #[napi(catch_unwind)]
        pub fn $ar(env: Env, #[napi(ts_arg_type = $js)] buf: $output<'_>, op: u32) -> Result<()> {
            all_reduce(
                &env,
                "allReduce",
                buf,
                op,
                unsafe { ffi::$dtype },
                $floating,
            )
        }

        #[napi(catch_unwind)]
        pub fn $bc(env: Env, #[napi(ts_arg_type = $js)] buf: $output<'_>, src: i32) -> Result<()> {
            broadcast(&env, "broadcast", buf, src, unsafe { ffi::$dtype })
        }

        #[napi(catch_unwind)]
        pub fn $ag(
            env: Env,
            #[napi(ts_arg_type = $js)] input: $input<'_>,
            #[napi(ts_arg_type = $js)] output: $output<'_>,
        ) -> Result<()> {
            all_gather(&env, "allGather", input, output, unsafe { ffi::$dtype })
        }

        #[napi(catch_unwind)]
        pub fn $rs(
            env: Env,
            #[napi(ts_arg_type = $js)] input: $input<'_>,
            #[napi(ts_arg_type = $js)] output: $output<'_>,
            op: u32,
        ) -> Result<()> {
            reduce_scatter(
                &env,
                "reduceScatter",
                input,
                output,
                op,
                unsafe { ffi::$dtype },
                $floating,
            )
        }
    };
}

typed!(
    F32In,
    F32Out,
    "Float32Array",
    RSMPI_FLOAT,
    true,
    all_reduce_f32,
    broadcast_f32,
    all_gather_f32,
    reduce_scatter_f32
);
typed!(
    I32In,
    I32Out,
    "Int32Array",
    RSMPI_INT32_T,
    false,
    all_reduce_i32,
    broadcast_i32,
    all_gather_i32,
    reduce_scatter_i32
);
typed!(
    I64In,
    I64Out,
    "BigInt64Array",
    RSMPI_INT64_T,
    false,
    all_reduce_i64,
    broadcast_i64,
    all_gather_i64,
    reduce_scatter_i64
);
