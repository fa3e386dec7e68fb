//! The per-row gate nonlinearities of the recurrent time loop, vectorised: one batch row of one
//! step (`hidden` units) at a time. These were the forward's main cost once the GEMMs were
//! batched (five `exp`/`tanh` per LSTM unit through libm; docs/PERFORMANCE.md, NOTE [ RNN gates ]).
//!
//! `tanh` on the vector paths is `2·σ(2x) − 1` through the Cephes `exp` of `crate::simd` (absolute
//! error ≈ 1e-7, as PyTorch's own vectorised CPU kernels approximate it); the scalar path is the
//! reference with libm's `tanh`/`exp`. The last `hidden % LANES` units go through the same vector
//! code on partial registers, so every unit of a row gets the same formula.
use crate::simd::{self, Vf32};

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[inline(always)]
unsafe fn tanh_v<V: Vf32>(x: V) -> V {
    let two = V::splat(2.0);
    simd::sigmoid(x.mul(two)).mul(two).sub(V::splat(1.0))
}

/// Calls `body(j, n)` for the units `j..j + n` of a row of `len`, `n` = LANES but at the tail.
#[inline(always)]
unsafe fn chunks<V: Vf32>(len: usize, mut body: impl FnMut(usize, usize)) {
    let mut j = 0;
    while j < len {
        body(j, V::LANES.min(len - j));
        j += V::LANES;
    }
}

#[inline(always)]
unsafe fn ld<V: Vf32>(s: &[f32], at: usize, n: usize) -> V {
    debug_assert!(at + n <= s.len());
    if n == V::LANES {
        V::load(s.as_ptr().add(at))
    } else {
        V::load_partial(s.as_ptr().add(at), n)
    }
}

#[inline(always)]
unsafe fn st<V: Vf32>(v: V, s: &mut [f32], at: usize, n: usize) {
    debug_assert!(at + n <= s.len());
    if n == V::LANES {
        v.store(s.as_mut_ptr().add(at))
    } else {
        v.store_partial(s.as_mut_ptr().add(at), n)
    }
}

/// The slices of one LSTM row (`hid` = `c.len()`): `xr`, `hr` the input and hidden parts of the
/// four gates' pre-activations; `gates` gets `i, f, g, o`; `c` is updated in place and copied to
/// `cells`; `m` gets `o·tanh(c)`.
pub(crate) struct LstmRow<'a> {
    pub xr: &'a [f32],
    pub hr: &'a [f32],
    pub gates: &'a mut [f32],
    pub c: &'a mut [f32],
    pub cells: &'a mut [f32],
    pub m: &'a mut [f32],
}

fn lstm_forward_scalar(r: LstmRow<'_>) {
    let hid = r.c.len();
    let (xr, hr) = (r.xr, r.hr);
    for j in 0..hid {
        let i = sigmoid(xr[j] + hr[j]);
        let f = sigmoid(xr[hid + j] + hr[hid + j]);
        let g = (xr[2 * hid + j] + hr[2 * hid + j]).tanh();
        let og = sigmoid(xr[3 * hid + j] + hr[3 * hid + j]);
        let cn = f * r.c[j] + i * g;
        r.c[j] = cn;
        r.cells[j] = cn;
        r.m[j] = og * cn.tanh();
        r.gates[j] = i;
        r.gates[hid + j] = f;
        r.gates[2 * hid + j] = g;
        r.gates[3 * hid + j] = og;
    }
}

#[inline(always)]
unsafe fn lstm_forward_vec<V: Vf32>(r: LstmRow<'_>) {
    let hid = r.c.len();
    let (xr, hr) = (r.xr, r.hr);
    chunks::<V>(hid, |j, n| {
        let pre = |k: usize| ld::<V>(xr, k * hid + j, n).add(ld::<V>(hr, k * hid + j, n));
        let i = simd::sigmoid(pre(0));
        let f = simd::sigmoid(pre(1));
        let g = tanh_v(pre(2));
        let o = simd::sigmoid(pre(3));
        let cn = f.mul(ld::<V>(r.c, j, n)).add(i.mul(g));
        st(cn, r.c, j, n);
        st(cn, r.cells, j, n);
        st(o.mul(tanh_v(cn)), r.m, j, n);
        st(i, r.gates, j, n);
        st(f, r.gates, hid + j, n);
        st(g, r.gates, 2 * hid + j, n);
        st(o, r.gates, 3 * hid + j, n);
    });
}

simd::kernel! {
    /// One LSTM row's gates, cell and `o·tanh(c)` (see [`LstmRow`]).
    pub(crate) fn lstm_forward_row(r: LstmRow<'_>) {
        vector: lstm_forward_vec::<V>(r),
        scalar: lstm_forward_scalar(r),
    }
}

/// The slices of one LSTM row's backward: `gates`, `cells` (this step's) and `c_prev` as saved;
/// `dm` the gradient of `o·tanh(c)`; `dc` the cell gradient carried from the next step, replaced
/// by the one for the previous step; `dgates` gets the four pre-activation gradients.
pub(crate) struct LstmBackRow<'a> {
    pub gates: &'a [f32],
    pub cells: &'a [f32],
    pub c_prev: &'a [f32],
    pub dm: &'a [f32],
    pub dc: &'a mut [f32],
    pub dgates: &'a mut [f32],
}

fn lstm_backward_scalar(r: LstmBackRow<'_>) {
    let hid = r.dc.len();
    let gr = r.gates;
    for j in 0..hid {
        let (i, f, g, og) = (gr[j], gr[hid + j], gr[2 * hid + j], gr[3 * hid + j]);
        let tc = r.cells[j].tanh();
        let dc = r.dc[j] + r.dm[j] * og * (1.0 - tc * tc);
        r.dgates[j] = dc * g * i * (1.0 - i);
        r.dgates[hid + j] = dc * r.c_prev[j] * f * (1.0 - f);
        r.dgates[2 * hid + j] = dc * i * (1.0 - g * g);
        r.dgates[3 * hid + j] = r.dm[j] * tc * og * (1.0 - og);
        r.dc[j] = dc * f;
    }
}

#[inline(always)]
unsafe fn lstm_backward_vec<V: Vf32>(r: LstmBackRow<'_>) {
    let hid = r.dc.len();
    let one = V::splat(1.0);
    let gr = r.gates;
    chunks::<V>(hid, |j, n| {
        let i = ld::<V>(gr, j, n);
        let f = ld::<V>(gr, hid + j, n);
        let g = ld::<V>(gr, 2 * hid + j, n);
        let o = ld::<V>(gr, 3 * hid + j, n);
        let tc = tanh_v(ld::<V>(r.cells, j, n));
        let dm = ld::<V>(r.dm, j, n);
        let dc = ld::<V>(r.dc, j, n).add(dm.mul(o).mul(one.sub(tc.mul(tc))));
        st(dc.mul(g).mul(i).mul(one.sub(i)), r.dgates, j, n);
        st(
            dc.mul(ld::<V>(r.c_prev, j, n)).mul(f).mul(one.sub(f)),
            r.dgates,
            hid + j,
            n,
        );
        st(dc.mul(i).mul(one.sub(g.mul(g))), r.dgates, 2 * hid + j, n);
        st(dm.mul(tc).mul(o).mul(one.sub(o)), r.dgates, 3 * hid + j, n);
        st(dc.mul(f), r.dc, j, n);
    });
}

simd::kernel! {
    /// One LSTM row's gate gradients and carried cell gradient (see [`LstmBackRow`]).
    pub(crate) fn lstm_backward_row(r: LstmBackRow<'_>) {
        vector: lstm_backward_vec::<V>(r),
        scalar: lstm_backward_scalar(r),
    }
}

/// One GRU row: `gates` gets `r, z, n`, `hns` the hidden part of `n`'s pre-activation
/// (`W_hn·h + b_hn`), `y` the new state from `hp`, the previous one.
pub(crate) struct GruRow<'a> {
    pub xr: &'a [f32],
    pub hr: &'a [f32],
    pub hp: &'a [f32],
    pub gates: &'a mut [f32],
    pub hns: &'a mut [f32],
    pub y: &'a mut [f32],
}

fn gru_forward_scalar(r: GruRow<'_>) {
    let hid = r.y.len();
    let (xr, hr) = (r.xr, r.hr);
    for j in 0..hid {
        let rg = sigmoid(xr[j] + hr[j]);
        let z = sigmoid(xr[hid + j] + hr[hid + j]);
        let hn = hr[2 * hid + j];
        let n = (xr[2 * hid + j] + rg * hn).tanh();
        r.y[j] = (1.0 - z) * n + z * r.hp[j];
        r.gates[j] = rg;
        r.gates[hid + j] = z;
        r.gates[2 * hid + j] = n;
        r.hns[j] = hn;
    }
}

#[inline(always)]
unsafe fn gru_forward_vec<V: Vf32>(r: GruRow<'_>) {
    let hid = r.y.len();
    let (xr, hr) = (r.xr, r.hr);
    let one = V::splat(1.0);
    chunks::<V>(hid, |j, n| {
        let rg = simd::sigmoid(ld::<V>(xr, j, n).add(ld::<V>(hr, j, n)));
        let z = simd::sigmoid(ld::<V>(xr, hid + j, n).add(ld::<V>(hr, hid + j, n)));
        let hn = ld::<V>(hr, 2 * hid + j, n);
        let nn = tanh_v(ld::<V>(xr, 2 * hid + j, n).add(rg.mul(hn)));
        st(
            one.sub(z).mul(nn).add(z.mul(ld::<V>(r.hp, j, n))),
            r.y,
            j,
            n,
        );
        st(rg, r.gates, j, n);
        st(z, r.gates, hid + j, n);
        st(nn, r.gates, 2 * hid + j, n);
        st(hn, r.hns, j, n);
    });
}

simd::kernel! {
    /// One GRU row's gates and new state (see [`GruRow`]).
    pub(crate) fn gru_forward_row(r: GruRow<'_>) {
        vector: gru_forward_vec::<V>(r),
        scalar: gru_forward_scalar(r),
    }
}

simd::kernel! {
    /// One tanh-RNN row: `y = tanh(xr + hr)`.
    pub(crate) fn tanh_row(xr: &[f32], hr: &[f32], y: &mut [f32]) {
        vector: chunks::<V>(y.len(), |j, n| st(tanh_v(ld::<V>(xr, j, n).add(ld::<V>(hr, j, n))), y, j, n)),
        scalar: for ((y, &a), &b) in y.iter_mut().zip(xr).zip(hr) {
            *y = (a + b).tanh();
        },
    }
}
