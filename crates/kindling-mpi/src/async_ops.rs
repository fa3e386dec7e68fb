//! Asynchronous `allReduce` and `broadcast` (`asyncOp: true` in kindling/distributed): each
//! returns a Promise at once and runs on libuv's thread pool, in its turn (order.rs), so Node's
//! main thread is free while MPI waits for the other ranks.
//!
//! The cross-rank agreement (kindling's agreement.ts) runs in the same task, just before the
//! collective: `plan` holds each value and its negation; after a MAX all-reduce, the ranks agree
//! when every pair is (x, -x) and no rank's own checks failed. On disagreement the collective is
//! skipped and the Promise resolves to `false`; kindling then reads `plan` to say what differed.
use std::os::raw::c_void;

use mpi::ffi;
use napi::bindgen_prelude::{AsyncTask, BigInt64Array, Float32Array, Int32Array};
use napi::{Env, Error, Result, Status, Task};
use napi_derive::napi;

use crate::collectives::{average, mpi_op_handle, AVG};
use crate::order;
use crate::state::world_comm;

extern "C" {
    fn kindling_mpi_in_place() -> *mut c_void;
}

/// The element types: their MPI datatype, and whether AVG applies.
pub trait Elem: crate::collectives::Element + 'static {
    fn dtype() -> ffi::MPI_Datatype;
    const FLOATING: bool;
}
impl Elem for f32 {
    fn dtype() -> ffi::MPI_Datatype {
        unsafe { ffi::RSMPI_FLOAT }
    }
    const FLOATING: bool = true;
}
impl Elem for i32 {
    fn dtype() -> ffi::MPI_Datatype {
        unsafe { ffi::RSMPI_INT32_T }
    }
    const FLOATING: bool = false;
}
impl Elem for i64 {
    fn dtype() -> ffi::MPI_Datatype {
        unsafe { ffi::RSMPI_INT64_T }
    }
    const FLOATING: bool = false;
}

/// A JS typed array held by a task: its elements, mutably. JS must not touch the array while the
/// collective runs, as with PyTorch's async_op (kindling's docs say so).
pub trait Buf: Send {
    type Elem: Elem;
    fn elements(&mut self) -> &mut [Self::Elem];
}
macro_rules! buf {
    ($arr:ident, $t:ty) => {
        impl Buf for $arr {
            type Elem = $t;
            fn elements(&mut self) -> &mut [$t] {
                // SAFETY: see the trait: the task is the only user of the memory while it runs.
                unsafe { self.as_mut() }
            }
        }
    };
}
buf!(Float32Array, f32);
buf!(Int32Array, i32);
buf!(BigInt64Array, i64);

pub enum What {
    AllReduce(u32),
    Broadcast(i32),
}

pub struct Collective<B> {
    buf: B,
    plan: BigInt64Array,
    what: What,
    ticket: u64,
}

fn agreed(plan: &[i64]) -> bool {
    plan.len() >= 2 && plan[0] == 0 && plan.chunks(2).all(|p| p.len() == 2 && p[0] == -p[1])
}

impl<B: Buf> Task for Collective<B> {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> Result<bool> {
        let buf = self.buf.elements();
        let plan = self.plan.elements();
        let what = &self.what;
        order::in_turn(self.ticket, || {
            let Some((comm, size)) = world_comm() else {
                return Err(Error::new(
                    Status::GenericFailure,
                    "MPI was finalized before the collective ran",
                ));
            };
            // SAFETY: `plan` and `buf` are JS typed arrays this task keeps alive until it resolves;
            // lengths fit c_int (checked when the task was created).
            unsafe {
                ffi::MPI_Allreduce(
                    kindling_mpi_in_place(),
                    plan.as_mut_ptr().cast(),
                    plan.len() as i32,
                    ffi::RSMPI_INT64_T,
                    ffi::RSMPI_MAX,
                    comm,
                );
                if !agreed(plan) {
                    return Ok(false);
                }
                match *what {
                    What::AllReduce(code) => {
                        ffi::MPI_Allreduce(
                            kindling_mpi_in_place(),
                            buf.as_mut_ptr().cast(),
                            buf.len() as i32,
                            <B::Elem as Elem>::dtype(),
                            mpi_op_handle(code, <B::Elem as Elem>::FLOATING)
                                .expect("op checked at creation"),
                            comm,
                        );
                        if code == AVG {
                            average(buf, size);
                        }
                    }
                    What::Broadcast(src) => {
                        ffi::MPI_Bcast(
                            buf.as_mut_ptr().cast(),
                            buf.len() as i32,
                            <B::Elem as Elem>::dtype(),
                            src,
                            comm,
                        );
                    }
                }
            }
            Ok(true)
        })
    }

    fn resolve(&mut self, _env: Env, agreed: bool) -> Result<bool> {
        Ok(agreed)
    }
}

fn check(buf_len: usize, plan_len: usize, what: &What, floating: bool) -> Result<()> {
    let Some((_, size)) = world_comm() else {
        return Err(Error::new(
            Status::GenericFailure,
            "MPI is not initialised (call init first)",
        ));
    };
    if buf_len > i32::MAX as usize || plan_len > 64 || !plan_len.is_multiple_of(2) {
        return Err(Error::new(
            Status::InvalidArg,
            "buffer or plan of the wrong length",
        ));
    }
    match *what {
        What::AllReduce(code) if mpi_op_handle(code, floating).is_none() => Err(Error::new(
            Status::InvalidArg,
            format!("allReduce: reduce op {code} is not valid here"),
        )),
        What::Broadcast(src) if src < 0 || src >= size => Err(Error::new(
            Status::InvalidArg,
            format!("broadcast: src rank {src} is not in [0, {size})"),
        )),
        _ => Ok(()),
    }
}

macro_rules! async_typed {
    ($arr:ident, $t:ty, $ts:literal, $ar:ident, $bc:ident) => {
        /// Resolves to whether the ranks agreed (and the all-reduce ran).
        #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
        pub fn $ar(
            #[napi(ts_arg_type = $ts)] buf: $arr,
            op: u32,
            plan: BigInt64Array,
        ) -> Result<AsyncTask<Collective<$arr>>> {
            let what = What::AllReduce(op);
            check(buf.len(), plan.len(), &what, <$t as Elem>::FLOATING)?;
            Ok(AsyncTask::new(Collective {
                buf,
                plan,
                what,
                ticket: order::ticket(),
            }))
        }

        /// Resolves to whether the ranks agreed (and the broadcast ran).
        #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
        pub fn $bc(
            #[napi(ts_arg_type = $ts)] buf: $arr,
            src: i32,
            plan: BigInt64Array,
        ) -> Result<AsyncTask<Collective<$arr>>> {
            let what = What::Broadcast(src);
            check(buf.len(), plan.len(), &what, <$t as Elem>::FLOATING)?;
            Ok(AsyncTask::new(Collective {
                buf,
                plan,
                what,
                ticket: order::ticket(),
            }))
        }
    };
}

async_typed!(
    Float32Array,
    f32,
    "Float32Array",
    all_reduce_f32_async,
    broadcast_f32_async
);
async_typed!(
    Int32Array,
    i32,
    "Int32Array",
    all_reduce_i32_async,
    broadcast_i32_async
);
async_typed!(
    BigInt64Array,
    i64,
    "BigInt64Array",
    all_reduce_i64_async,
    broadcast_i64_async
);
