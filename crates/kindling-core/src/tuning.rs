//! kindling-core's tuning constants in one place: when work goes parallel, how the thread pool
//! waits, how large a parallel task is. Each has a unique name and the reason for its value; the
//! measurements behind them are in docs/PERFORMANCE.md (the NOTE named beside each). The
//! TypeScript side's cut-offs and timers live in `src/tuning.ts`. None changes a result: chunk and
//! task boundaries depend only on problem sizes, and every split computes the same bits.
//! (The GEMM's cache blocking — `KC`, `MC_MAX`, `NC_PANELS` in `gemm/packed.rs` — is part of its
//! kernel's structure and stays there.)
use std::time::Duration;

// The thread pool (`threads.rs`; NOTE [ Why not rayon here ], NOTE [ Idle workers yield while
// they wait ], NOTE [ Contended pools run small regions inline ]).

/// Below this many element-operations a region runs on the calling thread: smaller work cannot
/// pay back a region's cost (docs/PERFORMANCE.md, NOTE [ Why not rayon here ]).
pub const PARALLEL_MIN_WORK: usize = 1 << 15;

/// How long an idle worker polls for the next region before parking: longer than the gap between
/// a seed step's regions, so the worker is still awake for the next one.
pub const POOL_SPIN_WINDOW: Duration = Duration::from_millis(1);

/// For this long at the start of a wait an idle worker polls with `pause` only (no system call),
/// so a region that follows at once is joined within a microsecond.
pub const POOL_HOT_SPIN: Duration = Duration::from_micros(2);

/// Spins of a waiting caller before it yields its core between polls (the machine may be shared).
pub const POOL_BACKOFF_SPINS: u32 = 1 << 12;

/// A caller that waits longer than this (and longer than its own share took) for a worker's last
/// task marks the pool contended: the worker was descheduled.
pub const POOL_CONTENDED_WAIT: Duration = Duration::from_micros(50);

/// How long a contended pool runs small regions inline before it tries the workers again.
pub const POOL_CONTENDED_FOR: Duration = Duration::from_millis(20);

/// Regions with less work than this (element-operations) count as small while the pool is
/// contended: on one thread they take well under a millisecond, less than a preempted worker costs.
pub const POOL_CONTENDED_INLINE_MAX_WORK: usize = 1 << 22;

// Fused optimizer steps (`optim/buffers.rs`; NOTE [ Optimizer steps on the pool ]).

/// Below this many elements in all a fused optimizer step runs on the calling thread: the seed's
/// 52,650 parameters were slower on two threads inside a training step than on one.
pub const OPTIM_PARALLEL_MIN_ELEMENTS: usize = 64 * 1024;

/// Optimizer chunks are at least this long, so that a chunk's atomic claim and subnormal-mode
/// switch cost well under 1 % of its work (docs/PERFORMANCE.md, NOTE [ Optimizer chunks ]).
pub const OPTIM_MIN_CHUNK: usize = 4 * 1024;

/// …and at most this long, so that large groups still balance over 2–64 threads.
pub const OPTIM_MAX_CHUNK: usize = 32 * 1024;

/// Aim for this many chunks in a small group: a late or preempted worker then holds the caller up
/// by at most one short chunk.
pub const OPTIM_TARGET_CHUNKS: usize = 16;

/// Optimizer chunk boundaries are multiples of this many elements (four AVX-512 vectors).
pub const OPTIM_CHUNK_ALIGN: usize = 64;

// GEMM (`gemm/mod.rs`; NOTE [ Which GEMM, per shape class ], NOTE [ When a product goes
// parallel ]).

/// Products with at most this many rows of C take the unpacked kernels (packing would cost about
/// as much as the product)…
pub const GEMM_SMALL_MAX_M: usize = 32;

/// …or with at most this depth…
pub const GEMM_SMALL_MAX_K: usize = 24;

/// …or with at most this many multiply-adds.
pub const GEMM_SMALL_MAX_MNK: usize = 64 * 64 * 64;

/// A packed product with at most this many rows, and no more rows than columns, splits C by B
/// panels over the threads (each packs all of A, the smaller or equal operand) rather than by rows
/// (each reads all of packed B): NOTE [ Column split for few rows ] in docs/PERFORMANCE.md.
pub const GEMM_COLUMN_SPLIT_MAX_M: usize = 128;

/// Multiply-adds below which a product runs on the calling thread: above the seed's layer-1
/// products, which lose inside a training step when their operands must cross to the other core.
pub const GEMM_PARALLEL_MIN_MNK: usize = 1 << 20;

// Parallel task sizes of the other kernel families: large enough that a task's claim is noise,
// small enough that two threads share the work evenly from a few hundred KB on.

/// Elements per task of elementwise ops: ~16 µs of work for the cheapest op, and 2–16 threads
/// still balance.
pub const ELEMENTWISE_CHUNK: usize = 1 << 14;

/// Elements per task of a strided copy.
pub const STRIDED_CHUNK: usize = 1 << 14;

/// Elements read per task of a softmax.
pub const SOFTMAX_TASK_ELEMS: usize = 1 << 15;

/// Elements read per task of a reduction.
pub const REDUCE_TASK_ELEMS: usize = 1 << 15;

// Waiting on a shared counter (`spin_wait.rs`).

/// Polls of a shared counter before the first yield: a counter that moves within about a
/// microsecond costs no system call.
pub const SPIN_WAIT_PURE_SPINS: u32 = 128;

/// Images per partial sum of a convolution's weight gradient: partials are added in chunk order,
/// so the result is the same on any thread count; 4 gives a 64-image batch 16 tasks.
pub const CONV_WEIGHT_CHUNK: usize = 4;

/// Taps (`C_in/groups · kh · kw`) from which a stride-1 convolution runs on the direct kernels
/// rather than im2col + gemm (docs/ARCHITECTURE.md, "Convolution", the measured table): a first
/// layer's 9 taps lost (its column matrix is small, and the direct tile's overheads are not
/// amortised over the depth), 27 taps already won the forward and tied grad weight.
pub const CONV_DIRECT_MIN_DEPTH: usize = 16;

/// Images from which grad input and grad weight run direct: images are their parallel tasks, so
/// one image runs on one thread, where im2col's gemm splits its rows over the pool (measured in
/// docs/ARCHITECTURE.md, "Direct or im2col"). The forward has no such floor: it splits small
/// batches over output channels and positions (`CONV_DIRECT_SPLIT_TASKS`). A constant, not the
/// thread count, so the choice — and the bits — do not depend on the threads.
pub const CONV_DIRECT_MIN_BATCH: usize = 2;

/// Tasks a direct forward of fewer image-groups (`batch · groups`) is cut into, over blocks of
/// output-channel panels, then of position tiles: one image's conv then fills 2–8 threads
/// (docs/PERFORMANCE.md, NOTE [ A single image's convolution on every thread ]). Batches with at
/// least this many image-groups keep one task per image.
pub const CONV_DIRECT_SPLIT_TASKS: usize = 8;

/// Taps from which grad weight runs direct: 27 taps were a coin flip between runs, 144 and 288 won
/// (docs/ARCHITECTURE.md, "Direct or im2col"); its reduction over positions pays only once the
/// taps fill several register tiles.
pub const CONV_DIRECT_MIN_WEIGHT_DEPTH: usize = 64;

/// Input channels per group from which grad input runs direct: they are the rows of both direct
/// grad-input kernels' tiles (8 on AVX-512), so 1 or 3 rows waste most of a tile; 16 and more won
/// or tied (docs/ARCHITECTURE.md, "Direct or im2col").
pub const CONV_DIRECT_MIN_GRAD_INPUT_CHANNELS: usize = 16;

/// The scatter grad input's cost per tap and tile beyond its `C_out/g` multiply-add steps, in
/// such steps (storing the register tile and adding it into the grad input), for
/// `conv::direct_ops::input_by_scatter`'s cost model: fitted to the measured shapes in
/// docs/PERFORMANCE.md, NOTE [ Grad input by scatter ].
pub const CONV_SCATTER_OVERHEAD: usize = 8;

/// Fewest input and output channels for which `Auto` computes a 3 × 3 stride-1 convolution's
/// forward and grad input by Winograd's F(2×2, 3×3) (its 16 products are gemms of this depth).
/// NOTE [ Winograd for 3 × 3 convolutions ] in docs/PERFORMANCE.md.
pub const CONV_WINOGRAD_MIN_CHANNELS: usize = 16;

/// Inputs a pooling task reads at least (whole planes are grouped up to this): one small plane per
/// task spent more on scheduling than on pooling (crate::pool, `planes_per_task`).
pub const POOL_TASK_MIN_ELEMENTS: usize = 16 * 1024;

// Rows picked or accumulated by index (`rows.rs`).

/// Elements per task of `gather_rows`/`scatter_add_rows` (whole rows, at least one): a copy or an
/// addition per element, so tasks as long as a strided copy's.
pub const ROWS_TASK_ELEMS: usize = 1 << 14;

// Layer and RMS normalisation (`layer_norm/`).

/// Rows per task (and per partial sum of the weight and bias gradients): a GPT's 2,048 rows of
/// 128 make 64 tasks, and the partials (2·n floats each) stay few.
pub const NORM_ROWS_PER_TASK: usize = 32;
