//! 2-D convolution (cross-correlation, as PyTorch's), forward and the two backwards, on `[N, C, H,
//! W]` row-major buffers; a 1-D convolution is height 1 with a kernel of height 1.
//!
//! Three implementations, chosen per shape class (`ConvAlgo::Auto`; the rule and its measurements:
//! docs/ARCHITECTURE.md, "Convolution"):
//!
//! - 3 × 3 stride-1 convolutions on enough channels and images run on Winograd's F(2×2, 3×3)
//!   ([`winograd`]; `winograd_eligible`), all three passes;
//! - stride-1 convolutions deep enough (`tuning::CONV_DIRECT_MIN_DEPTH` taps) run on the direct
//!   kernels of [`direct`] (an implicit GEMM reading the input in place, no column matrix);
//! - the others, per image and group, as im2col + the packed SIMD gemm: the image's patches become
//!   a column matrix `cols` of `K = C_in/groups · kh · kw` rows by `P = out_h · out_w` columns,
//!   then forward `out[n, g] = W_g (C_out/g × K) · cols (K × P)`, started from the bias; grad
//!   input `cols' = W_gᵀ · gradOut[n, g]`, then col2im adds each column back into its patch; grad
//!   weight `gradW_g += gradOut[n, g] · colsᵀ`, per fixed chunk of images, the chunks' partial
//!   sums added in chunk order.
//!
//! Images are the parallel tasks (each gemm runs inline inside its task) and the chunking of grad
//! weight is fixed (`tuning::CONV_WEIGHT_CHUNK` images), so results do not depend on the thread
//! count.
use crate::cpu::{self, Simd};
use crate::error::{check_len, KernelError, KernelResult};
use crate::gemm::sgemm_with;
use crate::options::Packed;
use crate::threads;
use crate::tuning::CONV_WEIGHT_CHUNK;
use std::cell::RefCell;
use std::sync::Mutex;

mod direct;
mod direct_ops;
pub mod reference;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod timing;
mod winograd;

/// Which kernels compute a convolution: `Auto` picks per shape class (`direct::eligible`, the
/// rule measured in docs/ARCHITECTURE.md, "Convolution"); the others force one, for tests and
/// side-by-side measurements. A forced `Direct` on a convolution it cannot run (stride > 1, a
/// scalar path) falls back to im2col.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvAlgo {
    Auto,
    Im2col,
    Direct,
    Winograd,
}

impl ConvAlgo {
    /// `KINDLING_CONV=im2col|direct` forces one algorithm for every `Auto` call (read once), so a
    /// whole training step can be timed on each side by side; unset (or anything else), `Auto`.
    fn from_env() -> ConvAlgo {
        static ALGO: std::sync::OnceLock<ConvAlgo> = std::sync::OnceLock::new();
        *ALGO.get_or_init(|| match std::env::var("KINDLING_CONV").as_deref() {
            Ok("im2col") => ConvAlgo::Im2col,
            Ok("direct") => ConvAlgo::Direct,
            Ok("winograd") => ConvAlgo::Winograd,
            _ => ConvAlgo::Auto,
        })
    }

    /// The algorithm asked for: `Auto` defers to `KINDLING_CONV`.
    fn resolved(self) -> ConvAlgo {
        if self == ConvAlgo::Auto {
            ConvAlgo::from_env()
        } else {
            self
        }
    }

    /// Whether `pass` (forward or grad input) runs on Winograd's F(2×2, 3×3): `Auto` takes it
    /// wherever it can run on enough channels (`winograd_eligible`); a forced `Winograd` wherever
    /// it can run; `Direct` and `Im2col` never (so they stay measurable side by side).
    fn winograd(self, simd: Simd, geo: &Geometry, pass: Pass) -> bool {
        match self.resolved() {
            ConvAlgo::Auto => winograd_eligible(simd, geo, pass),
            ConvAlgo::Winograd => winograd_possible(simd, geo, pass),
            ConvAlgo::Im2col | ConvAlgo::Direct => false,
        }
    }

    /// Whether `pass` runs direct.
    fn direct(self, simd: Simd, geo: &Geometry, pass: Pass) -> bool {
        match self.resolved() {
            ConvAlgo::Auto => match pass {
                Pass::Forward => direct::eligible_forward(simd, geo),
                Pass::Input => direct::eligible_input(simd, geo),
                Pass::Weight => direct::eligible_weight(simd, geo),
            },
            ConvAlgo::Im2col => false,
            ConvAlgo::Direct | ConvAlgo::Winograd => direct::possible(simd, geo),
        }
    }
}

/// The three passes of a convolution, which pick their algorithm separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    Forward,
    Input,
    Weight,
}

/// Whether Winograd's F(2×2, 3×3) can compute `pass`: AVX-512, channel counts in whole register
/// blocks (`winograd::available`; for grad weight, input channels in 16s), a 3 × 3 kernel,
/// stride and dilation 1, one group, and for grad input (whose padding is the kernel's reach
/// minus the forward's) padding of at most 2 on every side.
fn winograd_possible(simd: Simd, geo: &Geometry, pass: Pass) -> bool {
    let o = &geo.o;
    let channels = if pass == Pass::Weight {
        winograd::weight_available(simd.usable(), o.in_channels, o.out_channels)
    } else {
        winograd::available(simd.usable(), o.in_channels, o.out_channels)
    };
    channels
        && o.kernel_h == 3
        && o.kernel_w == 3
        && o.stride_h == 1
        && o.stride_w == 1
        && o.dilation_h == 1
        && o.dilation_w == 1
        && o.groups == 1
        && geo.p > 0
        && (pass != Pass::Input || o.pad_h.max(o.pad_w).max(o.pad_bottom).max(o.pad_right) <= 2)
}

/// The forward convolution of `geo` as Winograd's shape (grad weight uses it too).
fn winograd_shape(geo: &Geometry) -> winograd::Shape {
    let o = &geo.o;
    winograd::Shape {
        batch: o.batch,
        cin: o.in_channels,
        cout: o.out_channels,
        in_h: o.in_h,
        in_w: o.in_w,
        pad_t: o.pad_h,
        pad_l: o.pad_w,
        out_h: geo.out_h,
        out_w: geo.out_w,
    }
}

/// Whether `Auto` takes Winograd: possible, with enough input and output channels
/// (`tuning::CONV_WINOGRAD_MIN_CHANNELS`) for its 16 products to run at the gemm's speed, and
/// enough images to share out (its images are its tasks; fewer than
/// `tuning::CONV_DIRECT_SPLIT_TASKS` run direct, split over channels and positions).
/// NOTE [ Winograd for 3 × 3 convolutions ] in docs/PERFORMANCE.md.
fn winograd_eligible(simd: Simd, geo: &Geometry, pass: Pass) -> bool {
    use crate::tuning::{CONV_DIRECT_SPLIT_TASKS, CONV_WINOGRAD_MIN_CHANNELS};
    winograd_possible(simd, geo, pass)
        && geo.o.in_channels >= CONV_WINOGRAD_MIN_CHANNELS
        && geo.o.out_channels >= CONV_WINOGRAD_MIN_CHANNELS
        && geo.o.batch >= CONV_DIRECT_SPLIT_TASKS
}

/// The sizes and settings of a 2-D convolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2dOptions {
    pub batch: usize,
    pub in_channels: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub out_channels: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub pad_h: usize,
    pub pad_w: usize,
    pub dilation_h: usize,
    pub dilation_w: usize,
    pub groups: usize,
    /// Padding after the input (`pad_h`/`pad_w` are before it): equal to those, except for
    /// PyTorch's `padding='same'` with an even dilated kernel, which pads one more after.
    pub pad_bottom: usize,
    pub pad_right: usize,
}

impl Packed for Conv2dOptions {
    const OP: &'static str = "conv2d";
    const FIELDS: &'static [&'static str] = &[
        "batch",
        "inChannels",
        "inH",
        "inW",
        "outChannels",
        "kernelH",
        "kernelW",
        "strideH",
        "strideW",
        "padH",
        "padW",
        "dilationH",
        "dilationW",
        "groups",
        "padBottom",
        "padRight",
    ];
    fn from_fields(v: &[f64]) -> Self {
        let u = |i: usize| v[i] as usize;
        Conv2dOptions {
            batch: u(0),
            in_channels: u(1),
            in_h: u(2),
            in_w: u(3),
            out_channels: u(4),
            kernel_h: u(5),
            kernel_w: u(6),
            stride_h: u(7),
            stride_w: u(8),
            pad_h: u(9),
            pad_w: u(10),
            dilation_h: u(11),
            dilation_w: u(12),
            groups: u(13),
            pad_bottom: u(14),
            pad_right: u(15),
        }
    }
}

/// Sizes derived from validated options.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub o: Conv2dOptions,
    pub out_h: usize,
    pub out_w: usize,
    /// Input channels per group.
    pub cig: usize,
    /// Output channels per group.
    pub cog: usize,
    /// Rows of the column matrix: `cig · kh · kw`.
    pub k: usize,
    /// Output positions per image: `out_h · out_w`.
    pub p: usize,
}

impl Geometry {
    pub(crate) fn new(op: &'static str, o: &Conv2dOptions) -> KernelResult<Self> {
        let positive = [
            ("stride", o.stride_h.min(o.stride_w)),
            ("dilation", o.dilation_h.min(o.dilation_w)),
            ("groups", o.groups),
            ("kernel size", o.kernel_h.min(o.kernel_w)),
        ];
        for (what, v) in positive {
            if v == 0 {
                return Err(KernelError::value(op, format!("{what} must be positive")));
            }
        }
        if o.in_channels % o.groups != 0 || o.out_channels % o.groups != 0 {
            return Err(KernelError::value(
                op,
                format!(
                    "groups ({}) must divide in channels ({}) and out channels ({})",
                    o.groups, o.in_channels, o.out_channels
                ),
            ));
        }
        let extent = |k: usize, d: usize| (k - 1) * d + 1;
        let out = |size: usize, pad: usize, k: usize, d: usize, s: usize| {
            (size + pad)
                .checked_sub(extent(k, d))
                .map(|span| span / s + 1)
        };
        let (Some(out_h), Some(out_w)) = (
            out(
                o.in_h,
                o.pad_h + o.pad_bottom,
                o.kernel_h,
                o.dilation_h,
                o.stride_h,
            ),
            out(
                o.in_w,
                o.pad_w + o.pad_right,
                o.kernel_w,
                o.dilation_w,
                o.stride_w,
            ),
        ) else {
            return Err(KernelError::shape(
                op,
                format!(
                    "kernel {}×{} (dilation {}×{}) is larger than the padded input {}×{}",
                    o.kernel_h,
                    o.kernel_w,
                    o.dilation_h,
                    o.dilation_w,
                    o.in_h + o.pad_h + o.pad_bottom,
                    o.in_w + o.pad_w + o.pad_right
                ),
            ));
        };
        let cig = o.in_channels / o.groups;
        Ok(Geometry {
            o: *o,
            out_h,
            out_w,
            cig,
            cog: o.out_channels / o.groups,
            k: cig * o.kernel_h * o.kernel_w,
            p: out_h * out_w,
        })
    }

    pub(crate) fn input_len(&self) -> usize {
        self.o.batch * self.o.in_channels * self.o.in_h * self.o.in_w
    }
    pub(crate) fn output_len(&self) -> usize {
        self.o.batch * self.o.out_channels * self.p
    }
    pub(crate) fn weight_len(&self) -> usize {
        self.o.out_channels * self.k
    }
    fn image_len(&self) -> usize {
        self.o.in_channels * self.o.in_h * self.o.in_w
    }
    fn context(&self) -> String {
        let o = &self.o;
        format!(
            "input [{}, {}, {}, {}], weight [{}, {}, {}, {}], output [{}, {}, {}, {}]",
            o.batch,
            o.in_channels,
            o.in_h,
            o.in_w,
            o.out_channels,
            self.cig,
            o.kernel_h,
            o.kernel_w,
            o.batch,
            o.out_channels,
            self.out_h,
            self.out_w
        )
    }
    /// A length check; the context is formatted only for the error (every call runs these).
    fn check(&self, op: &'static str, name: &str, got: usize, expected: usize) -> KernelResult {
        if got == expected {
            return Ok(());
        }
        check_len(op, name, got, expected, &self.context())
    }
}

thread_local! {
    /// Per-thread column matrix, reused across images and calls.
    static COLS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's column buffer of `len` floats (contents unspecified).
fn with_cols<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    COLS.with(|cell| {
        let mut cols = cell.borrow_mut();
        if cols.len() < len {
            cols.resize(len, 0.0);
        }
        let r = f(&mut cols[..len]);
        crate::gemm::packed::release_if_large(&mut cols);
        r
    })
}

/// The columns of one image's group `g`: row `(c, i, j)` (channel within the group, kernel row,
/// kernel column) holds, for every output position, the input under that kernel tap (0 in the
/// padding).
pub(crate) fn im2col(geo: &Geometry, image: &[f32], g: usize, cols: &mut [f32]) {
    let o = &geo.o;
    let (in_h, in_w) = (o.in_h, o.in_w);
    let (out_h, out_w) = (geo.out_h, geo.out_w);
    let mut row = 0;
    for c in 0..geo.cig {
        let plane = &image[(g * geo.cig + c) * in_h * in_w..][..in_h * in_w];
        for i in 0..o.kernel_h {
            for j in 0..o.kernel_w {
                let dst = &mut cols[row * geo.p..][..geo.p];
                row += 1;
                let x_off = (j * o.dilation_w) as isize - o.pad_w as isize;
                for oy in 0..out_h {
                    let y = (oy * o.stride_h + i * o.dilation_h) as isize - o.pad_h as isize;
                    let line = &mut dst[oy * out_w..][..out_w];
                    if y < 0 || y >= in_h as isize {
                        line.fill(0.0);
                        continue;
                    }
                    let src = &plane[y as usize * in_w..][..in_w];
                    if o.stride_w == 1 {
                        // A contiguous run of the input row, zeros where it leaves the row.
                        let first = (-x_off).clamp(0, out_w as isize) as usize;
                        let last =
                            (in_w as isize - x_off).clamp(first as isize, out_w as isize) as usize;
                        line[..first].fill(0.0);
                        // (An empty run may start left of the row: padding wider than the input.)
                        if last > first {
                            let start = (first as isize + x_off) as usize;
                            line[first..last].copy_from_slice(&src[start..start + (last - first)]);
                        }
                        line[last..].fill(0.0);
                    } else {
                        for (ox, v) in line.iter_mut().enumerate() {
                            let x = (ox * o.stride_w) as isize + x_off;
                            *v = if x >= 0 && x < in_w as isize {
                                src[x as usize]
                            } else {
                                0.0
                            };
                        }
                    }
                }
            }
        }
    }
}

/// Adds the columns back into one image's group `g` (the adjoint of [`im2col`]).
pub(crate) fn col2im(geo: &Geometry, cols: &[f32], g: usize, image: &mut [f32]) {
    let o = &geo.o;
    let (in_h, in_w) = (o.in_h, o.in_w);
    let (out_h, out_w) = (geo.out_h, geo.out_w);
    let mut row = 0;
    for c in 0..geo.cig {
        let plane = &mut image[(g * geo.cig + c) * in_h * in_w..][..in_h * in_w];
        for i in 0..o.kernel_h {
            for j in 0..o.kernel_w {
                let src = &cols[row * geo.p..][..geo.p];
                row += 1;
                let x_off = (j * o.dilation_w) as isize - o.pad_w as isize;
                for oy in 0..out_h {
                    let y = (oy * o.stride_h + i * o.dilation_h) as isize - o.pad_h as isize;
                    if y < 0 || y >= in_h as isize {
                        continue;
                    }
                    let dst = &mut plane[y as usize * in_w..][..in_w];
                    let line = &src[oy * out_w..][..out_w];
                    if o.stride_w == 1 {
                        let first = (-x_off).clamp(0, out_w as isize) as usize;
                        let last =
                            (in_w as isize - x_off).clamp(first as isize, out_w as isize) as usize;
                        if last > first {
                            let start = (first as isize + x_off) as usize;
                            for (d, s) in dst[start..start + (last - first)]
                                .iter_mut()
                                .zip(&line[first..last])
                            {
                                *d += s;
                            }
                        }
                    } else {
                        for (ox, v) in line.iter().enumerate() {
                            let x = (ox * o.stride_w) as isize + x_off;
                            if x >= 0 && x < in_w as isize {
                                dst[x as usize] += v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Whether the images go to the thread pool: the multiply-adds of the whole call.
fn work(geo: &Geometry) -> usize {
    geo.o.batch * geo.o.out_channels * geo.k * geo.p
}

/// `out = conv2d(x, weight) (+ bias)`.
pub fn conv2d(
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    o: &Conv2dOptions,
) -> KernelResult {
    conv2d_with(cpu::active(), x, weight, bias, out, o)
}

/// [`conv2d`] on an explicit SIMD path.
pub fn conv2d_with(
    simd: Simd,
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    o: &Conv2dOptions,
) -> KernelResult {
    conv2d_using(simd, ConvAlgo::Auto, x, weight, bias, out, o)
}

/// [`conv2d`] on an explicit SIMD path and algorithm.
pub fn conv2d_using(
    simd: Simd,
    algo: ConvAlgo,
    x: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    o: &Conv2dOptions,
) -> KernelResult {
    const OP: &str = "conv2d";
    let geo = Geometry::new(OP, o)?;
    geo.check(OP, "x", x.len(), geo.input_len())?;
    geo.check(OP, "weight", weight.len(), geo.weight_len())?;
    if let Some(b) = bias {
        geo.check(OP, "bias", b.len(), o.out_channels)?;
    }
    geo.check(OP, "out", out.len(), geo.output_len())?;
    if geo.output_len() == 0 {
        return Ok(());
    }
    if geo.k > 0 && algo.winograd(simd, &geo, Pass::Forward) {
        let shape = winograd_shape(&geo);
        let u = winograd::transform_weight(weight, o.out_channels, o.in_channels);
        winograd::run(&shape, x, &u, bias, out);
        return Ok(());
    }
    if geo.k > 0 && algo.direct(simd, &geo, Pass::Forward) {
        direct_ops::forward(simd, &geo, x, weight, bias, out, work(&geo));
        return Ok(());
    }
    let out_image = o.out_channels * geo.p;
    let image_len = geo.image_len();
    let failed: Mutex<KernelResult> = Mutex::new(Ok(()));
    threads::par_chunks_mut(out, out_image, work(&geo), |start, dst| {
        let n = start / out_image;
        let image = &x[n * image_len..][..image_len];
        for (co, row) in dst.chunks_mut(geo.p).enumerate() {
            row.fill(bias.map_or(0.0, |b| b[co]));
        }
        if geo.k == 0 {
            return;
        }
        with_cols(geo.k * geo.p, |cols| {
            for g in 0..o.groups {
                im2col(&geo, image, g, cols);
                let w = &weight[g * geo.cog * geo.k..][..geo.cog * geo.k];
                let c = &mut dst[g * geo.cog * geo.p..][..geo.cog * geo.p];
                if let Err(e) = sgemm_with(
                    simd, false, false, geo.cog, geo.p, geo.k, 1.0, w, cols, 1.0, c, None,
                ) {
                    *failed.lock().unwrap_or_else(|e| e.into_inner()) = Err(e);
                }
            }
        });
    });
    failed.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// `grad_in = conv2d'(grad_out)` with respect to the input (overwritten).
pub fn conv2d_backward_input(
    grad_out: &[f32],
    weight: &[f32],
    grad_in: &mut [f32],
    o: &Conv2dOptions,
) -> KernelResult {
    conv2d_backward_input_with(cpu::active(), grad_out, weight, grad_in, o)
}

/// [`conv2d_backward_input`] on an explicit SIMD path.
pub fn conv2d_backward_input_with(
    simd: Simd,
    grad_out: &[f32],
    weight: &[f32],
    grad_in: &mut [f32],
    o: &Conv2dOptions,
) -> KernelResult {
    conv2d_backward_input_using(simd, ConvAlgo::Auto, grad_out, weight, grad_in, o)
}

/// [`conv2d_backward_input`] on an explicit SIMD path and algorithm.
pub fn conv2d_backward_input_using(
    simd: Simd,
    algo: ConvAlgo,
    grad_out: &[f32],
    weight: &[f32],
    grad_in: &mut [f32],
    o: &Conv2dOptions,
) -> KernelResult {
    const OP: &str = "conv2d_backward_input";
    let geo = Geometry::new(OP, o)?;
    geo.check(OP, "gradOut", grad_out.len(), geo.output_len())?;
    geo.check(OP, "weight", weight.len(), geo.weight_len())?;
    geo.check(OP, "gradIn", grad_in.len(), geo.input_len())?;
    let image_len = geo.image_len();
    if image_len == 0 {
        return Ok(());
    }
    if geo.k > 0 && algo.winograd(simd, &geo, Pass::Input) {
        // Grad input is the full correlation of gradOut with the kernel turned 180° and its
        // channel axes swapped: padding `2 − pad` before, and the input's size.
        let shape = winograd::Shape {
            batch: o.batch,
            cin: o.out_channels,
            cout: o.in_channels,
            in_h: geo.out_h,
            in_w: geo.out_w,
            pad_t: 2 - o.pad_h,
            pad_l: 2 - o.pad_w,
            out_h: o.in_h,
            out_w: o.in_w,
        };
        let turned = winograd::transposed_weight(weight, o.out_channels, o.in_channels);
        let u = winograd::transform_weight(&turned, o.in_channels, o.out_channels);
        winograd::run(&shape, grad_out, &u, None, grad_in);
        return Ok(());
    }
    if geo.k > 0 && geo.p > 0 && algo.direct(simd, &geo, Pass::Input) {
        if direct_ops::input_by_scatter(simd, &geo) {
            direct_ops::backward_input_scatter(simd, &geo, grad_out, weight, grad_in, work(&geo));
        } else {
            direct_ops::backward_input(simd, &geo, grad_out, weight, grad_in, work(&geo));
        }
        return Ok(());
    }
    let out_image = o.out_channels * geo.p;
    let failed: Mutex<KernelResult> = Mutex::new(Ok(()));
    threads::par_chunks_mut(grad_in, image_len, work(&geo), |start, dst| {
        let n = start / image_len;
        dst.fill(0.0);
        if geo.k == 0 || geo.p == 0 {
            return;
        }
        with_cols(geo.k * geo.p, |cols| {
            for g in 0..o.groups {
                let w = &weight[g * geo.cog * geo.k..][..geo.cog * geo.k];
                let dy = &grad_out[n * out_image + g * geo.cog * geo.p..][..geo.cog * geo.p];
                if let Err(e) = sgemm_with(
                    simd, true, false, geo.k, geo.p, geo.cog, 1.0, w, dy, 0.0, cols, None,
                ) {
                    *failed.lock().unwrap_or_else(|e| e.into_inner()) = Err(e);
                    return;
                }
                col2im(&geo, cols, g, dst);
            }
        });
    });
    failed.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// `grad_weight` (overwritten) and, when given, `grad_bias` (overwritten) of a convolution.
pub fn conv2d_backward_weight(
    grad_out: &[f32],
    x: &[f32],
    grad_weight: &mut [f32],
    grad_bias: Option<&mut [f32]>,
    o: &Conv2dOptions,
) -> KernelResult {
    conv2d_backward_weight_with(cpu::active(), grad_out, x, grad_weight, grad_bias, o)
}

/// [`conv2d_backward_weight`] on an explicit SIMD path.
pub fn conv2d_backward_weight_with(
    simd: Simd,
    grad_out: &[f32],
    x: &[f32],
    grad_weight: &mut [f32],
    grad_bias: Option<&mut [f32]>,
    o: &Conv2dOptions,
) -> KernelResult {
    conv2d_backward_weight_using(simd, ConvAlgo::Auto, grad_out, x, grad_weight, grad_bias, o)
}

/// [`conv2d_backward_weight`] on an explicit SIMD path and algorithm.
pub fn conv2d_backward_weight_using(
    simd: Simd,
    algo: ConvAlgo,
    grad_out: &[f32],
    x: &[f32],
    grad_weight: &mut [f32],
    grad_bias: Option<&mut [f32]>,
    o: &Conv2dOptions,
) -> KernelResult {
    const OP: &str = "conv2d_backward_weight";
    let geo = Geometry::new(OP, o)?;
    geo.check(OP, "gradOut", grad_out.len(), geo.output_len())?;
    geo.check(OP, "x", x.len(), geo.input_len())?;
    geo.check(OP, "gradWeight", grad_weight.len(), geo.weight_len())?;
    let out_image = o.out_channels * geo.p;
    if let Some(gb) = &grad_bias {
        geo.check(OP, "gradBias", gb.len(), o.out_channels)?;
    }
    let wlen = geo.weight_len();
    let winograd = wlen > 0 && o.batch > 0 && algo.winograd(simd, &geo, Pass::Weight);
    let direct =
        !winograd && wlen > 0 && geo.p > 0 && o.batch > 0 && algo.direct(simd, &geo, Pass::Weight);
    if direct {
        // The bias sums ride along the pass's copy of `gradOut` (the same bits as below).
        direct_ops::backward_weight(simd, &geo, grad_out, x, grad_weight, grad_bias, work(&geo));
        return Ok(());
    }
    if let Some(gb) = grad_bias {
        // Per channel, images in order, each image's row summed in f64 in the fixed order of
        // `reduce::sum::row_sum` (16 partials in vector registers, the same bits on every path):
        // independent of threads. A plain `map(f64).sum()` is one dependent add per element
        // (measured: NOTE [ Direct convolution on the wide grid ] in docs/PERFORMANCE.md).
        let work = o.batch * out_image;
        threads::par_chunks_mut(gb, 1, work, |co, v| {
            let mut s = 0.0f64;
            for n in 0..o.batch {
                let row = &grad_out[n * out_image + co * geo.p..][..geo.p];
                s += crate::reduce::sum::row_sum(simd, row);
            }
            v[0] = s as f32;
        });
    }
    if winograd {
        let shape = winograd_shape(&geo);
        winograd::run_weight(&shape, x, grad_out, CONV_WEIGHT_CHUNK, grad_weight);
        return Ok(());
    }
    grad_weight.fill(0.0);
    if wlen == 0 || geo.p == 0 || o.batch == 0 {
        return Ok(());
    }
    // One partial gradient per fixed chunk of images, summed in chunk order afterwards. Each
    // partial is the transpose, `dW_gᵀ (K × C_out/g) += cols · gradOut[n, g]ᵀ`: the column matrix
    // as gemm's row-major A packs faster than as a transposed B (docs/ARCHITECTURE.md,
    // "Convolution").
    let chunks = o.batch.div_ceil(CONV_WEIGHT_CHUNK);
    let mut partials = vec![0.0f32; chunks * wlen];
    let image_len = geo.image_len();
    let failed: Mutex<KernelResult> = Mutex::new(Ok(()));
    threads::par_chunks_mut(&mut partials, wlen, work(&geo), |start, part| {
        let chunk = start / wlen;
        with_cols(geo.k * geo.p, |cols| {
            let images = chunk * CONV_WEIGHT_CHUNK..((chunk + 1) * CONV_WEIGHT_CHUNK).min(o.batch);
            for n in images {
                let image = &x[n * image_len..][..image_len];
                for g in 0..o.groups {
                    im2col(&geo, image, g, cols);
                    let dy = &grad_out[n * out_image + g * geo.cog * geo.p..][..geo.cog * geo.p];
                    let dwt = &mut part[g * geo.cog * geo.k..][..geo.cog * geo.k];
                    if let Err(e) = sgemm_with(
                        simd, false, true, geo.k, geo.cog, geo.p, 1.0, cols, dy, 1.0, dwt, None,
                    ) {
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) = Err(e);
                        return;
                    }
                }
            }
        });
    });
    for part in partials.chunks(wlen) {
        for g in 0..o.groups {
            let dwt = &part[g * geo.cog * geo.k..][..geo.cog * geo.k];
            let dw = &mut grad_weight[g * geo.cog * geo.k..][..geo.cog * geo.k];
            for kk in 0..geo.k {
                for co in 0..geo.cog {
                    dw[co * geo.k + kk] += dwt[kk * geo.cog + co];
                }
            }
        }
    }
    failed.into_inner().unwrap_or_else(|e| e.into_inner())
}
