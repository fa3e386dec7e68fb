//! One collective call, shared by the synchronous entry points (collectives.rs) and the
//! asynchronous ones (async_ops.rs): what it is (`What`), the checks that guard memory safety and
//! MPI's rules (`check`, one table for every collective), and the MPI call itself (`run`).
//!
//! kindling's TypeScript makes PyTorch's argument checks first; `check` is the addon's own
//! guard, so that no input from JavaScript can make MPI read or write past a buffer.
use std::os::raw::{c_int, c_void};

use mpi::ffi;

extern "C" {
    /// src/in_place.c: the value of this MPI's `MPI_IN_PLACE`.
    fn kindling_mpi_in_place() -> *mut c_void;
}

/// PyTorch's `ReduceOp` numbering (`c10d::ReduceOp::RedOpType`): SUM 0, AVG 1, PRODUCT 2, MIN 3,
/// MAX 4. AVG is a SUM followed by a division by the world size, for floating-point buffers only.
pub const SUM: u32 = 0;
pub const AVG: u32 = 1;
pub const PRODUCT: u32 = 2;
pub const MIN: u32 = 3;
pub const MAX: u32 = 4;

/// A collective and its scalar argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum What {
    /// In place on `output`, with a reduce op.
    AllReduce(u32),
    /// In place on `output`, from rank `src`.
    Broadcast(i32),
    /// `output` holds world-size blocks of `input.len()` elements, block r from rank r.
    AllGather,
    /// `input` holds world-size blocks of `output.len()` elements; block r of the reduction (op)
    /// lands on rank r's `output`.
    ReduceScatter(u32),
    /// No buffers.
    Barrier,
}

/// How a collective's buffers relate, as data: `check` reads it instead of repeating the rules.
struct Rule {
    name: &'static str,
    /// The reduce op to validate, if any.
    op: Option<u32>,
    /// The src rank to validate, if any.
    src: Option<i32>,
    /// Whether the call takes a separate `input` (else it works in place on `output`).
    two_buffers: bool,
    /// For gather/scatter: which buffer holds world-size blocks ("input" or "output") and which
    /// one is the block.
    whole: Option<Side>,
}

#[derive(Clone, Copy)]
enum Side {
    Input,
    Output,
}

impl What {
    fn rule(self) -> Rule {
        let base = |name| Rule {
            name,
            op: None,
            src: None,
            two_buffers: false,
            whole: None,
        };
        match self {
            What::AllReduce(op) => Rule {
                op: Some(op),
                ..base("allReduce")
            },
            What::Broadcast(src) => Rule {
                src: Some(src),
                ..base("broadcast")
            },
            What::AllGather => Rule {
                two_buffers: true,
                whole: Some(Side::Output),
                ..base("allGather")
            },
            What::ReduceScatter(op) => Rule {
                op: Some(op),
                two_buffers: true,
                whole: Some(Side::Input),
                ..base("reduceScatter")
            },
            What::Barrier => base("barrier"),
        }
    }

    /// The name of the collective in kindling/distributed, which error messages start with.
    pub fn name(self) -> &'static str {
        self.rule().name
    }
}

/// Whether op `code` applies to a buffer (`floating`: float32), and why not when it does not.
fn op_error(code: u32, floating: bool) -> Option<&'static str> {
    match code {
        SUM | PRODUCT | MIN | MAX => None,
        AVG if floating => None,
        AVG => Some("AVG needs a floating-point buffer"),
        _ => Some("unknown op"),
    }
}

/// Checks a call of `what` with buffers of `input` (None when in place) and `output` elements on
/// a world of `size` ranks; returns the element count MPI is given (the per-rank block), or the
/// message of the `RangeError` to throw. Pure: no MPI, no JS.
pub fn check(
    what: What,
    input: Option<usize>,
    output: usize,
    floating: bool,
    size: i32,
) -> std::result::Result<c_int, String> {
    let rule = what.rule();
    let name = rule.name;
    if let Some(src) = rule.src {
        if src < 0 || src >= size {
            return Err(format!("{name}: src rank {src} is not in [0, {size})"));
        }
    }
    let input = match (rule.two_buffers, input) {
        (true, Some(n)) => n,
        (false, None) => output,
        (true, None) => return Err(format!("{name}: an input buffer is required")),
        (false, Some(_)) => {
            return Err(format!("{name}: works in place and takes no input buffer"))
        }
    };
    let block = match rule.whole {
        None => output,
        Some(side) => {
            let (whole, block, whole_name) = match side {
                Side::Output => (output, input, "output"),
                Side::Input => (input, output, "input"),
            };
            let ranks = usize::try_from(size).unwrap_or(0);
            if block.checked_mul(ranks) != Some(whole) {
                return Err(format!(
                    "{name}: {whole_name} must hold {size} × {block} elements, got {whole}"
                ));
            }
            block
        }
    };
    // After the lengths, as the first version of these checks did (an op error is reported only
    // for well-sized buffers).
    if let Some(code) = rule.op {
        if let Some(why) = op_error(code, floating) {
            return Err(format!("{name}: reduce op {code}: {why}"));
        }
    }
    // MPI counts are C ints: a buffer longer than that cannot be sent in one call.
    for len in [input, output] {
        if c_int::try_from(len).is_err() {
            return Err(format!(
                "{name}: {len} elements exceed MPI's limit of {} per call",
                c_int::MAX
            ));
        }
    }
    Ok(block as c_int)
}

/// The element types: their MPI datatype, whether AVG applies, and AVG's division.
pub trait Elem: Copy + 'static {
    fn dtype() -> ffi::MPI_Datatype;
    const FLOATING: bool;
    /// Divides each element by `n` (AVG's second half); integers never get here (AVG refused).
    fn average(_buf: &mut [Self], _n: i32) {}
}
impl Elem for f32 {
    fn dtype() -> ffi::MPI_Datatype {
        // SAFETY: a predefined handle, a constant of the linked library.
        unsafe { ffi::RSMPI_FLOAT }
    }
    const FLOATING: bool = true;
    fn average(buf: &mut [f32], n: i32) {
        let n = n as f32;
        for v in buf {
            *v /= n;
        }
    }
}
impl Elem for i32 {
    fn dtype() -> ffi::MPI_Datatype {
        // SAFETY: as for f32.
        unsafe { ffi::RSMPI_INT32_T }
    }
    const FLOATING: bool = false;
}
impl Elem for i64 {
    fn dtype() -> ffi::MPI_Datatype {
        // SAFETY: as for f32.
        unsafe { ffi::RSMPI_INT64_T }
    }
    const FLOATING: bool = false;
}

/// The MPI handle of a reduce op that `check` accepted.
fn mpi_op(code: u32) -> ffi::MPI_Op {
    // SAFETY: reading MPI's predefined handles, which are constants of the linked library.
    unsafe {
        match code {
            PRODUCT => ffi::RSMPI_PROD,
            MIN => ffi::RSMPI_MIN,
            MAX => ffi::RSMPI_MAX,
            _ => ffi::RSMPI_SUM, // SUM, and AVG (a SUM, then `average`)
        }
    }
}

/// Runs `what` on `comm` (of `size` ranks) with `count` from `check`.
///
/// # Safety
/// `check` accepted these buffers' lengths for `what` and `size`, and `input` and `output` do not
/// share memory (kindling/distributed copies an input that would).
pub unsafe fn run<T: Elem>(
    what: What,
    input: &[T],
    output: &mut [T],
    count: c_int,
    comm: ffi::MPI_Comm,
    size: i32,
) {
    let dtype = T::dtype();
    let out = output.as_mut_ptr().cast::<c_void>();
    let send = input.as_ptr() as *mut c_void;
    match what {
        What::AllReduce(code) => {
            ffi::MPI_Allreduce(
                kindling_mpi_in_place(),
                out,
                count,
                dtype,
                mpi_op(code),
                comm,
            );
        }
        What::Broadcast(src) => {
            ffi::MPI_Bcast(out, count, dtype, src, comm);
        }
        What::AllGather => {
            ffi::MPI_Allgather(send, count, dtype, out, count, dtype, comm);
        }
        What::ReduceScatter(code) => {
            ffi::MPI_Reduce_scatter_block(send, out, count, dtype, mpi_op(code), comm);
        }
        What::Barrier => {
            ffi::MPI_Barrier(comm);
        }
    }
    if matches!(what, What::AllReduce(AVG) | What::ReduceScatter(AVG)) {
        T::average(output, size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (call, input, output, floating, size) → Ok(count) or the message.
    type Case = (
        What,
        Option<usize>,
        usize,
        bool,
        i32,
        std::result::Result<c_int, &'static str>,
    );

    #[test]
    fn check_table() {
        let big = c_int::MAX as usize + 1;
        let cases: Vec<Case> = vec![
            (What::AllReduce(SUM), None, 5, true, 2, Ok(5)),
            (What::AllReduce(AVG), None, 5, true, 2, Ok(5)),
            (What::AllReduce(MAX), None, 0, false, 4, Ok(0)),
            (
                What::AllReduce(AVG),
                None,
                5,
                false,
                2,
                Err("allReduce: reduce op 1: AVG needs a floating-point buffer"),
            ),
            (
                What::AllReduce(7),
                None,
                5,
                true,
                2,
                Err("allReduce: reduce op 7: unknown op"),
            ),
            (
                What::AllReduce(SUM),
                None,
                big,
                true,
                2,
                Err("allReduce: 2147483648 elements exceed MPI's limit of 2147483647 per call"),
            ),
            (
                What::AllReduce(SUM),
                Some(5),
                5,
                true,
                2,
                Err("allReduce: works in place and takes no input buffer"),
            ),
            (What::Broadcast(0), None, 3, false, 2, Ok(3)),
            (What::Broadcast(1), None, 3, false, 2, Ok(3)),
            (
                What::Broadcast(2),
                None,
                3,
                false,
                2,
                Err("broadcast: src rank 2 is not in [0, 2)"),
            ),
            (
                What::Broadcast(-1),
                None,
                3,
                false,
                2,
                Err("broadcast: src rank -1 is not in [0, 2)"),
            ),
            (What::AllGather, Some(3), 12, true, 4, Ok(3)),
            (What::AllGather, Some(0), 0, true, 4, Ok(0)),
            (
                What::AllGather,
                Some(3),
                11,
                true,
                4,
                Err("allGather: output must hold 4 × 3 elements, got 11"),
            ),
            (
                What::AllGather,
                None,
                12,
                true,
                4,
                Err("allGather: an input buffer is required"),
            ),
            (
                What::AllGather,
                Some(big),
                big * 2,
                true,
                2,
                Err("allGather: 2147483648 elements exceed MPI's limit of 2147483647 per call"),
            ),
            (What::ReduceScatter(SUM), Some(8), 4, false, 2, Ok(4)),
            (What::ReduceScatter(AVG), Some(8), 4, true, 2, Ok(4)),
            (
                What::ReduceScatter(AVG),
                Some(8),
                4,
                false,
                2,
                Err("reduceScatter: reduce op 1: AVG needs a floating-point buffer"),
            ),
            // Both wrong: the lengths are reported first (the order of the first version).
            (
                What::ReduceScatter(9),
                Some(9),
                4,
                true,
                2,
                Err("reduceScatter: input must hold 2 × 4 elements, got 9"),
            ),
            (
                What::ReduceScatter(MIN),
                Some(9),
                4,
                false,
                2,
                Err("reduceScatter: input must hold 2 × 4 elements, got 9"),
            ),
            (
                What::ReduceScatter(SUM),
                Some(big),
                big / 2,
                true,
                2,
                Err("reduceScatter: 2147483648 elements exceed MPI's limit of 2147483647 per call"),
            ),
            (What::Barrier, None, 0, true, 3, Ok(0)),
        ];
        for (what, input, output, floating, size, expected) in cases {
            let got = check(what, input, output, floating, size);
            assert_eq!(
                got,
                expected.map_err(String::from),
                "{what:?} input {input:?} output {output}"
            );
        }
    }

    #[test]
    fn names() {
        let names: Vec<_> = [
            What::AllReduce(0),
            What::Broadcast(0),
            What::AllGather,
            What::ReduceScatter(0),
            What::Barrier,
        ]
        .iter()
        .map(|w| w.name())
        .collect();
        assert_eq!(
            names,
            [
                "allReduce",
                "broadcast",
                "allGather",
                "reduceScatter",
                "barrier"
            ]
        );
    }
}
