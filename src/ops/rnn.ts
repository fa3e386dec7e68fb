/**
 * The recurrent layers' maths (`nn.RNN`, `nn.LSTM`, `nn.GRU` and their cells), as PyTorch's:
 * gate layouts LSTM `i, f, g, o` and GRU `r, z, n` with `b_hn` inside the reset product.
 *
 * One layer-direction is one op: the input projection of every step as one GEMM (`x·W_ihᵀ +
 * b_ih` over `steps·batch` rows), then the recurrence as one native call
 * (crates/kindling-core/src/rnn: per step an `sgemm` by `W_hh` and the fused gate
 * nonlinearities). Its backward is one native call too: back-propagation through time, with the
 * weight, bias and input gradients formed beside the steps on the other thread (NOTE [ Weight
 * gradients beside the recurrence ] in docs/PERFORMANCE.md). No JS runs per time step.
 *
 * LSTM projections (`projSize`, PyTorch's `weight_hr`) run inside the same native loop; so does
 * a packed batch's variable lengths (`lengths`, each row's valid steps: past its end a row carries
 * its state, see the kernel's comment), which is how `PackedSequence` input runs.
 *
 * The recurrence op's single result packs every step's hidden state (`steps × batch × hidden`,
 * time-major) and, for the LSTM, the final cell state after it; `output`, `h_n` and `c_n` are
 * views of it, so their gradients meet in one backward call.
 */
import { attach, recordingAny } from '../autograd/function';
import type { Node } from '../autograd/node';
import { recycleF32, uninitF32 } from '../dtype';
import { ShapeError } from '../errors';
import { Tensor } from '../tensor';
import { dropout } from './dropout';
import { cat, stack } from './join';
import { kernels, type RnnOptions } from './kernels';

export type RnnMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const MODE_CODE: Record<RnnMode, number> = { RNN_TANH: 0, RNN_RELU: 1, LSTM: 2, GRU: 3 };

/** Gates per hidden unit: the rows of `weight_ih`/`weight_hh` are `gates · hidden`. */
export const GATES: Record<RnnMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** PyTorch's autograd node names for the recurrence, by mode (what `gradFn.name` shows). */
const NODE_NAME: Record<RnnMode, string> = { RNN_TANH: 'RnnTanhBackward0', RNN_RELU: 'RnnReluBackward0', LSTM: 'LstmBackward0', GRU: 'GruBackward0' };

/** One layer-direction's weights, in PyTorch's order (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`). */
export interface LayerWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  /** The LSTM projection `weight_hr` (`projSize × hidden`), when `projSize` > 0. */
  wHr?: Tensor | null;
}

const f32 = (t: Tensor): Float32Array => t.contiguous().data as Float32Array;

/**
 * One layer-direction over a time-major input (`steps × batch × input`) from `h0` (`batch × r`,
 * r = projSize or hidden) and `c0` (LSTM, `batch × hidden`). Returns every step's hidden state
 * (`steps × batch × r`, time order), the final hidden state and (LSTM) cell. With `lengths`,
 * row `b` runs only its first `lengths[b]` steps.
 */
function recurrence(
  mode: RnnMode,
  input: Tensor,
  { wIh, wHh, bIh, bHh, wHr = null }: LayerWeights,
  lengths: Uint32Array | null,
  h0: Tensor,
  c0: Tensor | null,
  reverse: boolean,
): [Tensor, Tensor, Tensor | null] {
  const [steps, batch, inputSize] = input.shape as [number, number, number];
  const gh = wIh.shape[0] as number;
  if (wIh.shape[1] !== inputSize) {
    throw new ShapeError(`rnn: input has ${inputSize} features, expected ${wIh.shape[1]} (weight_ih shape [${wIh.shape.join(', ')}])`);
  }
  const hidden = gh / GATES[mode];
  const r = wHr === null ? hidden : (wHr.shape[0] as number);
  const bh = batch * hidden;
  const br = batch * r;
  const lstm = mode === 'LSTM';
  const o: RnnOptions = { mode: MODE_CODE[mode], steps, batch, hidden, reverse, proj: wHr === null ? 0 : r };
  const x = f32(input);
  const wi = f32(wIh);
  // The input projection of every step: x·W_ihᵀ + b_ih.
  const xp = uninitF32(steps * batch * gh, 'rnn');
  kernels.sgemm(x, wi, xp, bIh === null ? null : f32(bIh), { transA: false, transB: true, m: steps * batch, n: gh, k: inputSize, alpha: 1, beta: 0 });
  const w = f32(wHh);
  const b = bHh === null ? null : f32(bHh);
  const wr = wHr === null ? null : f32(wHr);
  const state0 = new Float32Array(lstm ? br + bh : br);
  state0.set(f32(h0));
  if (c0 !== null) state0.set(f32(c0), br);
  const outLen = steps * br;
  const packed = uninitF32(outLen + (lstm ? bh : 0), 'rnn');
  const out = packed.subarray(0, outLen);
  const cellsAt = steps * 4 * bh;
  const savedLen = lstm ? steps * bh * (wHr === null ? 5 : 6) : mode === 'GRU' ? 4 * steps * bh : 0;
  const saved = uninitF32(savedLen, 'rnn');
  kernels.rnnForward(xp, w, b, wr, lengths, state0, out, saved, o);
  // The projection, the backward's gate gradients and (once the graph lets go) the saved gates
  // are this op's own buffers, read by nothing else: handed back for the next layer or step.
  recycleF32(xp);
  const last = reverse ? 0 : steps - 1;
  if (lstm) {
    // c_n: the cell state of the last processed step, kept after the gate activations.
    if (steps > 0) packed.set(saved.subarray(cellsAt + last * bh, cellsAt + (last + 1) * bh), outLen);
    else packed.set(state0.subarray(br), outLen);
  }
  const result = Tensor._make(packed, [packed.length], 'float32');
  const inputs = [input, wIh, bIh, wHh, bHh, h0, c0, wHr];
  const live = inputs.filter((t): t is Tensor => t !== null);
  if (recordingAny(live)) {
    attach(
      result,
      NODE_NAME[mode],
      inputs,
      (g) => {
        const gd = f32(g);
        const gradState = new Float32Array(state0.length);
        if (lstm) gradState.set(gd.subarray(outLen), br);
        const block = steps * batch * gh;
        // Every element is written by the backward kernel.
        const gradGates = uninitF32((mode === 'GRU' ? 2 * block : block) + (wHr === null ? 0 : outLen), 'rnn');
        // The weight, bias and input gradients are formed by the kernel beside the steps:
        // W_hh's Σ_t dGh_tᵀ·h_prev(t), b_hh's Σ_t dGh_t, W_ih's Σ_t dGx_tᵀ·x_t, b_ih's Σ_t dGx_t, x's dGx·W_ih.
        const gw = wHh.requiresGrad ? uninitF32(gh * r, 'rnn') : null;
        const gb = bHh !== null && bHh.requiresGrad ? uninitF32(gh, 'rnn') : null;
        const gx = input.requiresGrad ? uninitF32(x.length, 'rnn') : null;
        const gwi = wIh.requiresGrad ? uninitF32(wi.length, 'rnn') : null;
        const gbi = bIh !== null && bIh.requiresGrad ? uninitF32(gh, 'rnn') : null;
        kernels.rnnBackward(w, wr, lengths, state0, out, saved, gd.subarray(0, outLen), gradState, gradGates, gw, gb, x, wi, gx, gwi, gbi, o);
        const gradOf = (buf: Float32Array | null, t: Tensor | null): Tensor | null => (buf === null || t === null ? null : Tensor._make(buf, t.shape, 'float32'));
        let gR: Tensor | null = null;
        if (wHr !== null && wHr.requiresGrad) {
          // W_hr's gradient: Σ_t dh_tᵀ·m_t, m = o·tanh(c) saved after the cells.
          const dhAll = gradGates.subarray(block);
          const m = saved.subarray(cellsAt + steps * bh);
          const gr = uninitF32(r * hidden, 'rnn');
          kernels.sgemm(dhAll, m, gr, null, { transA: true, transB: false, m: r, n: hidden, k: steps * batch, alpha: 1, beta: 0 });
          gR = Tensor._make(gr, wHr.shape, 'float32');
        }
        recycleF32(gradGates);
        return [
          gradOf(gx, input),
          gradOf(gwi, wIh),
          gradOf(gbi, bIh),
          gradOf(gw, wHh),
          gradOf(gb, bHh),
          h0.requiresGrad ? Tensor._make(gradState.slice(0, br), h0.shape, 'float32') : null,
          c0 !== null && c0.requiresGrad ? Tensor._make(gradState.slice(br), c0.shape, 'float32') : null,
          gR,
        ];
      },
      [result, input, wIh, wHh, h0, ...(c0 === null ? [] : [c0]), ...(wHr === null ? [] : [wHr])],
    );
    (result.gradFn as Node).onRelease = () => recycleF32(saved);
  } else {
    recycleF32(saved);
  }
  const output = result.narrow(0, 0, outLen).view([steps, batch, r]);
  const hN = steps > 0 ? output.select(0, last) : h0;
  const cN = lstm ? result.narrow(0, outLen, bh).view([batch, hidden]) : null;
  return [output, hN, cN];
}

/** One layer-direction on a time-major input (`steps × batch × input`). */
export function rnnLayer(
  mode: RnnMode,
  input: Tensor,
  weights: LayerWeights,
  h0: Tensor,
  c0: Tensor | null,
  reverse: boolean,
  lengths: Uint32Array | null = null,
): [Tensor, Tensor, Tensor | null] {
  return recurrence(mode, input, weights, lengths, h0, c0, reverse);
}

/** The settings of a stacked recurrent network (`nn.RNN`/`LSTM`/`GRU`'s). */
export interface StackOptions {
  numLayers: number;
  bidirectional: boolean;
  dropout: number;
  training: boolean;
  /** Each batch row's valid steps (a packed batch, sorted or not); null when all run every step. */
  lengths?: Uint32Array | null;
}

/**
 * A stacked, optionally bidirectional network over a time-major batched input (`steps × batch ×
 * input`); `hx`/`cx` are `numLayers·directions × batch × hidden`; `weights[layer·directions +
 * direction]`. Dropout (training only) applies to every layer's output but the last's, as
 * PyTorch's. Returns the last layer's output (`steps × batch × directions·hidden`), `h_n` and `c_n`.
 */
export function rnnStack(mode: RnnMode, input: Tensor, hx: Tensor, cx: Tensor | null, weights: readonly LayerWeights[], o: StackOptions): [Tensor, Tensor, Tensor | null] {
  const dirs = o.bidirectional ? 2 : 1;
  let x = input;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let layer = 0; layer < o.numLayers; layer++) {
    const outs: Tensor[] = [];
    for (let d = 0; d < dirs; d++) {
      const i = layer * dirs + d;
      const [out, h, c] = rnnLayer(mode, x, weights[i] as LayerWeights, hx.select(0, i), cx === null ? null : cx.select(0, i), d === 1, o.lengths ?? null);
      outs.push(out);
      hs.push(h);
      if (c !== null) cs.push(c);
    }
    x = dirs === 2 ? cat(outs, 2) : (outs[0] as Tensor);
    if (o.dropout > 0 && o.training && layer < o.numLayers - 1) x = dropout(x, o.dropout, true);
  }
  return [x, stack(hs, 0), cx === null ? null : stack(cs, 0)];
}
