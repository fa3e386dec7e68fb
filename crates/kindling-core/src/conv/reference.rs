//! Direct convolution loops, the definitions the fast kernels are tested against.
use super::{Conv2dOptions, Geometry};

/// The input index under output `(oy, ox)` for kernel tap `(i, j)`, if inside the input.
fn tap(g: &Geometry, oy: usize, ox: usize, i: usize, j: usize) -> Option<(usize, usize)> {
    let o = &g.o;
    let y = (oy * o.stride_h + i * o.dilation_h) as isize - o.pad_h as isize;
    let x = (ox * o.stride_w + j * o.dilation_w) as isize - o.pad_w as isize;
    (y >= 0 && x >= 0 && (y as usize) < o.in_h && (x as usize) < o.in_w)
        .then_some((y as usize, x as usize))
}

/// Calls `f(out_index, x_index, w_index)` for every multiply-add of the convolution.
fn for_each_term(g: &Geometry, mut f: impl FnMut(usize, usize, usize)) {
    let o = &g.o;
    for n in 0..o.batch {
        for co in 0..o.out_channels {
            let group = co / g.cog;
            for oy in 0..g.out_h {
                for ox in 0..g.out_w {
                    let out_i = ((n * o.out_channels + co) * g.out_h + oy) * g.out_w + ox;
                    for c in 0..g.cig {
                        let ci = group * g.cig + c;
                        for i in 0..o.kernel_h {
                            for j in 0..o.kernel_w {
                                if let Some((y, x)) = tap(g, oy, ox, i, j) {
                                    let x_i = ((n * o.in_channels + ci) * o.in_h + y) * o.in_w + x;
                                    let w_i = ((co * g.cig + c) * o.kernel_h + i) * o.kernel_w + j;
                                    f(out_i, x_i, w_i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn geometry(o: &Conv2dOptions) -> Geometry {
    Geometry::new("conv2d_reference", o).expect("valid options")
}

/// `(out, grad_in, grad_weight, grad_bias)` for `x`, `weight`, `bias` and the upstream `grad_out`,
/// accumulated in f64.
pub fn conv2d_all(
    o: &Conv2dOptions,
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    grad_out: &[f32],
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let g = geometry(o);
    let mut out = vec![0.0f64; g.output_len()];
    let mut gx = vec![0.0f64; g.input_len()];
    let mut gw = vec![0.0f64; g.weight_len()];
    for_each_term(&g, |oi, xi, wi| {
        out[oi] += x[xi] as f64 * weight[wi] as f64;
        gx[xi] += grad_out[oi] as f64 * weight[wi] as f64;
        gw[wi] += grad_out[oi] as f64 * x[xi] as f64;
    });
    let mut gb = vec![0.0f64; o.out_channels];
    for (i, v) in out.iter_mut().enumerate() {
        let co = i / g.p % o.out_channels;
        *v += bias[co] as f64;
        gb[co] += grad_out[i] as f64;
    }
    let f = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect();
    (f(out), f(gx), f(gw), f(gb))
}
