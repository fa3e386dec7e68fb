use super::*;
use crate::error::ErrorKind;
use crate::test_util::{assert_close, at_1_and_2_threads, data};

/// f64 forward and backward of one configuration, written out per row.
#[allow(clippy::type_complexity)]
fn reference(
    x: &[f32],
    w: Option<&[f32]>,
    b: Option<&[f32]>,
    dy: &[f32],
    o: &NormOptions,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let n = o.n;
    let (mut y, mut dx, mut dw, mut db) = (
        vec![0.0; x.len()],
        vec![0.0; x.len()],
        vec![0.0f64; n],
        vec![0.0f64; n],
    );
    for r in 0..o.rows {
        let xr: Vec<f64> = x[r * n..][..n].iter().map(|&v| v as f64).collect();
        let m = if o.rms {
            0.0
        } else {
            xr.iter().sum::<f64>() / n as f64
        };
        let var = xr.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64;
        let s = 1.0 / (var + o.eps).sqrt();
        let xh: Vec<f64> = xr.iter().map(|v| (v - m) * s).collect();
        let wj = |j: usize| w.map_or(1.0, |w| w[j] as f64);
        for j in 0..n {
            y[r * n + j] = (xh[j] * wj(j) + b.map_or(0.0, |b| b[j] as f64)) as f32;
        }
        let g: Vec<f64> = (0..n).map(|j| dy[r * n + j] as f64 * wj(j)).collect();
        let mg = if o.rms {
            0.0
        } else {
            g.iter().sum::<f64>() / n as f64
        };
        let mgx = (0..n).map(|j| g[j] * xh[j]).sum::<f64>() / n as f64;
        for j in 0..n {
            dx[r * n + j] = (s * (g[j] - mg - xh[j] * mgx)) as f32;
            dw[j] += dy[r * n + j] as f64 * xh[j];
            db[j] += dy[r * n + j] as f64;
        }
    }
    (
        y,
        dx,
        dw.iter().map(|&v| v as f32).collect(),
        db.iter().map(|&v| v as f32).collect(),
    )
}

#[allow(clippy::type_complexity)]
fn run(
    o: &NormOptions,
    affine: bool,
    with_bias: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    run_adding(o, affine, with_bias, None)
}

/// [`run`], with `addend` added to the input gradient by the backward.
#[allow(clippy::type_complexity)]
fn run_adding(
    o: &NormOptions,
    affine: bool,
    with_bias: bool,
    addend: Option<&[f32]>,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let x = data(o.rows * o.n, 1, -2.0, 3.0);
    let w = data(o.n, 2, 0.5, 1.5);
    let b = data(o.n, 3, -1.0, 1.0);
    let dy = data(o.rows * o.n, 4, -1.0, 1.0);
    let (wo, bo) = (affine.then_some(&w[..]), with_bias.then_some(&b[..]));
    let (mut y, mut mean, mut rstd) = (
        vec![f32::NAN; x.len()],
        vec![f32::NAN; o.rows],
        vec![f32::NAN; o.rows],
    );
    layer_norm(&x, wo, bo, &mut y, &mut mean, &mut rstd, o).unwrap();
    let (mut dx, mut dw, mut db) = (
        vec![f32::NAN; x.len()],
        vec![f32::NAN; o.n],
        vec![f32::NAN; o.n],
    );
    layer_norm_backward(
        &dy,
        &x,
        &mean,
        &rstd,
        wo,
        &mut dx,
        addend,
        affine.then_some(&mut dw[..]),
        with_bias.then_some(&mut db[..]),
        o,
    )
    .unwrap();
    (x, y, dx, dw, db, dy)
}

fn cases() -> Vec<NormOptions> {
    let mut all = vec![];
    for &(rows, n) in &[(1, 1), (3, 5), (70, 17), (100, 128), (33, 64)] {
        for rms in [false, true] {
            all.push(NormOptions {
                rows,
                n,
                eps: 1e-5,
                rms,
            });
        }
    }
    all
}

#[test]
fn matches_the_reference() {
    for o in cases() {
        for (affine, with_bias) in [(true, true), (true, false), (false, false)] {
            let with_bias = with_bias && !o.rms;
            let (x, y, dx, dw, db, dy) = run(&o, affine, with_bias);
            let w = data(o.n, 2, 0.5, 1.5);
            let b = data(o.n, 3, -1.0, 1.0);
            let (ry, rdx, rdw, rdb) = reference(
                &x,
                affine.then_some(&w[..]),
                with_bias.then_some(&b[..]),
                &dy,
                &o,
            );
            let label = format!("{o:?} affine {affine} bias {with_bias}");
            assert_close(&y, &ry, 1e-5, 1e-5, &format!("y {label}"));
            assert_close(&dx, &rdx, 1e-4, 1e-4, &format!("dx {label}"));
            if affine {
                assert_close(&dw, &rdw, 1e-4, 1e-4, &format!("dw {label}"));
            }
            if with_bias {
                assert_close(&db, &rdb, 1e-4, 1e-4, &format!("db {label}"));
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    for o in cases() {
        let (a, b) = at_1_and_2_threads(|| run(&o, true, !o.rms));
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{o:?}");
    }
}

#[test]
fn bad_sizes_are_errors_not_panics() {
    let o = NormOptions {
        rows: 2,
        n: 3,
        eps: 1e-5,
        rms: false,
    };
    let (mut y, mut m, mut s) = (vec![0.0; 6], vec![0.0; 2], vec![0.0; 2]);
    assert!(layer_norm(&[0.0; 5], None, None, &mut y, &mut m, &mut s, &o).is_err());
    assert!(layer_norm(&[0.0; 6], Some(&[1.0; 2]), None, &mut y, &mut m, &mut s, &o).is_err());
    assert!(layer_norm(&[0.0; 6], None, None, &mut y, &mut m[..1], &mut s, &o).is_err());
    let mut dx = vec![0.0; 6];
    let mut backward = |addend: Option<&[f32]>, gw: Option<&mut [f32]>| {
        layer_norm_backward(
            &[0.0; 6], &[0.0; 6], &m, &s, None, &mut dx, addend, gw, None, &o,
        )
    };
    // A weight gradient of the wrong length, then an addend of the wrong length.
    assert!(backward(None, Some(&mut [0.0; 2])).is_err());
    let err = backward(Some(&[0.0; 5]), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Length);
    assert_eq!(
        err.to_string(),
        "layer_norm_backward: addend has 5 elements, expected 6 (x's)"
    );
    assert!(layer_norm(&[0.0; 6], None, None, &mut y, &mut m, &mut s, &o).is_ok());
}

/// With an addend, the input gradient is the plain one plus the addend, element by element in
/// f32 (the bits of adding the two afterwards); the weight and bias gradients do not change.
#[test]
fn an_addend_is_added_to_the_input_gradient_after_rounding() {
    for o in cases() {
        let (x, _, dx, dw, db, _) = run(&o, true, !o.rms);
        let add = data(x.len(), 5, -3.0, 3.0);
        let (one, two) = at_1_and_2_threads(|| run_adding(&o, true, !o.rms, Some(&add)));
        assert_eq!(
            format!("{one:?}"),
            format!("{two:?}"),
            "{o:?} thread counts"
        );
        let want: Vec<u32> = dx
            .iter()
            .zip(&add)
            .map(|(&g, &a)| (g + a).to_bits())
            .collect();
        let got: Vec<u32> = one.2.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, want, "{o:?}");
        assert_eq!(one.3, dw, "{o:?}");
        if !o.rms {
            assert_eq!(one.4, db, "{o:?}");
        }
    }
}
