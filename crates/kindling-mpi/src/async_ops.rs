//! The asynchronous collectives (`asyncOp: true` in kindling/distributed): each returns a Promise
//! at once and runs on libuv's thread pool, in its turn (order.rs), so Node's main thread is free
//! while MPI waits for the other ranks. The same checks and MPI calls as the synchronous ones
//! (call.rs).
//!
//! The cross-rank agreement (kindling's agreement.ts) runs in the same task, just before the
//! collective: `plan` holds each value and its negation; after a MAX all-reduce, the ranks agree
//! when every pair is (x, -x) and no rank's own checks failed. On disagreement the collective is
//! skipped and the Promise resolves to `false`; kindling then reads `plan` to say what differed.
use std::os::raw::{c_int, c_void};

use mpi::ffi;
use napi::bindgen_prelude::{AsyncTask, BigInt64Array, Float32Array, Int32Array};
use napi::{Env, Error, Result, Status, Task};
use napi_derive::napi;

use crate::call::{check, run, Elem, What};
use crate::order;
use crate::state::world_comm;

extern "C" {
    fn kindling_mpi_in_place() -> *mut c_void;
}

/// A JS typed array held by a task: its elements, mutably. JS must not touch the array while the
/// collective runs, as with PyTorch's async_op (kindling's docs say so).
pub trait Buf: Send {
    type Elem: Elem;
    fn elements(&mut self) -> &mut [Self::Elem];
    /// The element count, read without touching the memory.
    fn count(&self) -> usize;
}
macro_rules! buf {
    ($arr:ident, $t:ty) => {
        impl Buf for $arr {
            type Elem = $t;
            fn elements(&mut self) -> &mut [$t] {
                // SAFETY: see the trait: the task is the only user of the memory while it runs.
                unsafe { self.as_mut() }
            }
            fn count(&self) -> usize {
                self.len()
            }
        }
    };
}
buf!(Float32Array, f32);
buf!(Int32Array, i32);
buf!(BigInt64Array, i64);

pub struct Collective<B> {
    what: What,
    input: Option<B>,
    output: Option<B>,
    count: c_int,
    plan: BigInt64Array,
    ticket: u64,
}

fn agreed(plan: &[i64]) -> bool {
    plan.len() >= 2 && plan[0] == 0 && plan.chunks(2).all(|p| p.len() == 2 && p[0] == -p[1])
}

impl<B: Buf> Task for Collective<B> {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> Result<bool> {
        let input: &[B::Elem] = match self.input.as_mut() {
            Some(b) => b.elements(),
            None => &[],
        };
        let output = self.output.as_mut().map_or(&mut [][..], |b| b.elements());
        let plan = self.plan.elements();
        let (what, count) = (self.what, self.count);
        order::in_turn(self.ticket, || {
            let Some((comm, size)) = world_comm() else {
                return Err(Error::new(
                    Status::GenericFailure,
                    "MPI was finalized before the collective ran",
                ));
            };
            // SAFETY: `plan`, `input` and `output` are JS typed arrays this task keeps alive until
            // it resolves; `create` checked their lengths for this world (whose size cannot
            // change); kindling never passes an input that overlaps the output.
            unsafe {
                ffi::MPI_Allreduce(
                    kindling_mpi_in_place(),
                    plan.as_mut_ptr().cast(),
                    plan.len() as c_int,
                    ffi::RSMPI_INT64_T,
                    ffi::RSMPI_MAX,
                    comm,
                );
                if !agreed(plan) {
                    return Ok(false);
                }
                run(what, input, output, count, comm, size);
            }
            Ok(true)
        })
    }

    fn resolve(&mut self, _env: Env, agreed: bool) -> Result<bool> {
        Ok(agreed)
    }
}

/// Checks the call (call.rs's table, plus the plan's length) and queues it with a ticket taken now.
fn create<B: Buf>(
    what: What,
    input: Option<B>,
    output: Option<B>,
    plan: BigInt64Array,
) -> Result<AsyncTask<Collective<B>>> {
    let Some((_, size)) = world_comm() else {
        return Err(Error::new(
            Status::GenericFailure,
            format!("{}: MPI is not initialised (call init first)", what.name()),
        ));
    };
    if plan.len() > 64 || !plan.len().is_multiple_of(2) {
        let msg = format!(
            "{}: the agreement plan has a wrong length {}",
            what.name(),
            plan.len()
        );
        return Err(Error::new(Status::InvalidArg, msg));
    }
    let (inputs, outputs) = (
        input.as_ref().map(B::count),
        output.as_ref().map_or(0, B::count),
    );
    let count = check(what, inputs, outputs, B::Elem::FLOATING, size)
        .map_err(|msg| Error::new(Status::InvalidArg, msg))?;
    Ok(AsyncTask::new(Collective {
        what,
        input,
        output,
        count,
        plan,
        ticket: order::ticket(),
    }))
}

/// `MPI_Barrier`, asynchronously. Resolves to whether the ranks agreed (and the barrier ran).
#[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
pub fn barrier_async(plan: BigInt64Array) -> Result<AsyncTask<Collective<Float32Array>>> {
    create(What::Barrier, None, None, plan)
}

macro_rules! async_typed {
    ($arr:ident, $ts:literal, $ar:ident, $bc:ident, $ag:ident, $rs:ident) => {
        /// Resolves to whether the ranks agreed (and the all-reduce ran).
        #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
        pub fn $ar(
            #[napi(ts_arg_type = $ts)] buf: $arr,
            op: u32,
            plan: BigInt64Array,
        ) -> Result<AsyncTask<Collective<$arr>>> {
            create(What::AllReduce(op), None, Some(buf), plan)
        }

        /// Resolves to whether the ranks agreed (and the broadcast ran).
        #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
        pub fn $bc(
            #[napi(ts_arg_type = $ts)] buf: $arr,
            src: i32,
            plan: BigInt64Array,
        ) -> Result<AsyncTask<Collective<$arr>>> {
            create(What::Broadcast(src), None, Some(buf), plan)
        }

        /// Resolves to whether the ranks agreed (and the all-gather ran).
        #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
        pub fn $ag(
            #[napi(ts_arg_type = $ts)] input: $arr,
            #[napi(ts_arg_type = $ts)] output: $arr,
            plan: BigInt64Array,
        ) -> Result<AsyncTask<Collective<$arr>>> {
            create(What::AllGather, Some(input), Some(output), plan)
        }

        /// Resolves to whether the ranks agreed (and the reduce-scatter ran).
        #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
        pub fn $rs(
            #[napi(ts_arg_type = $ts)] input: $arr,
            #[napi(ts_arg_type = $ts)] output: $arr,
            op: u32,
            plan: BigInt64Array,
        ) -> Result<AsyncTask<Collective<$arr>>> {
            create(What::ReduceScatter(op), Some(input), Some(output), plan)
        }
    };
}

#[rustfmt::skip]
async_typed!(Float32Array, "Float32Array", all_reduce_f32_async, broadcast_f32_async, all_gather_f32_async, reduce_scatter_f32_async);
#[rustfmt::skip]
async_typed!(Int32Array, "Int32Array", all_reduce_i32_async, broadcast_i32_async, all_gather_i32_async, reduce_scatter_i32_async);
#[rustfmt::skip]
async_typed!(BigInt64Array, "BigInt64Array", all_reduce_i64_async, broadcast_i64_async, all_gather_i64_async, reduce_scatter_i64_async);
