/**
 * `nn.RNN`, `nn.LSTM`, `nn.GRU` and `nn.RNNCell`, `nn.LSTMCell`, `nn.GRUCell`, as PyTorch's:
 * parameter names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, `…_reverse`;
 * the cells' `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`) and shapes, so a PyTorch
 * `state_dict` loads unchanged; every parameter initialised uniform(−1/√hidden, 1/√hidden);
 * `forward(input, hx?)` returning `[output, h_n]` (LSTM `[output, [h_n, c_n]]`); input, hidden
 * shape checks and their messages (prefixed with the module's name); reprs. The maths is in
 * src/ops/rnn.ts (one native call per layer and direction each way).
 *
 * LSTM `projSize` > 0 adds `weight_hr_l{k}{_reverse}` (`projSize × hidden`, after the biases as
 * PyTorch registers it): h and the output are `projSize` wide, c stays `hidden` wide.
 *
 * A `PackedSequence` input returns a `PackedSequence` output with the same batch sizes and
 * order; h_n/c_n hold each sequence's state at its own last step (the reverse direction starts
 * each sequence at its own end), in the original batch order, as PyTorch's.
 */
import { zeros } from '../creation';
import { ShapeError } from '../errors';
import { rnnLayer, rnnStack, GATES, type LayerWeights, type RnnMode } from '../ops/rnn';
import { checkOptions } from '../options';
import { Tensor } from '../tensor';
import { pyBool, pyFloat } from './format';
import { uniform_ } from './init';
import { Module } from './module';
import { Parameter } from './parameter';
import { PackedSequence, packedLayout, packedToPaddedSorted, paddedSortedToPacked } from './utils/packed-sequence';

export type RNNNonlinearity = 'tanh' | 'relu';

export interface RNNBaseOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout on every layer's output but the last's, in training mode only. */
  dropout?: number;
  bidirectional?: boolean;
}

export interface RNNOptions extends RNNBaseOptions {
  nonlinearity?: RNNNonlinearity;
}

export interface LSTMOptions extends RNNBaseOptions {
  /** Project the hidden state to this many units (`h = W_hr·(o⊙tanh(c))`); 0 for none. */
  projSize?: number;
}

const BASE_SPEC = { numLayers: 'number', bias: 'boolean', batchFirst: 'boolean', dropout: 'number', bidirectional: 'boolean' } as const;

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;
const tupleStr = (s: readonly number[]): string => `(${s.join(', ')})`;

function checkSizes(owner: string, inputSize: number, hiddenSize: number): void {
  if (!Number.isInteger(inputSize)) throw new TypeError(`${owner}: input_size should be of type int, got: ${typeof inputSize}`);
  if (inputSize <= 0) throw new RangeError(`${owner}: input_size must be greater than zero`);
  if (!Number.isInteger(hiddenSize)) throw new TypeError(`${owner}: hidden_size should be of type int, got: ${typeof hiddenSize}`);
  if (hiddenSize <= 0) throw new RangeError(`${owner}: hidden_size must be greater than zero`);
}

function checkFloat(owner: string, t: Tensor, what: string): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${owner}: ${what} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.dtype !== 'float32') throw new TypeError(`${owner}: ${what} dtype (${t.dtype}) does not match weight dtype (float32)`);
}

/** What `RNN`, `LSTM` and `GRU` share: parameters, init, checks, the stacked forward. */
abstract class RNNBase<H> extends Module<[Tensor | PackedSequence, (H | null)?], [Tensor | PackedSequence, H]> {
  readonly mode: RnnMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;

  constructor(owner: string, mode: RnnMode, inputSize: number, hiddenSize: number, options: RNNBaseOptions, projSize = 0) {
    super();
    const { numLayers = 1, bias = true, batchFirst = false, dropout = 0, bidirectional = false } = options;
    checkSizes(owner, inputSize, hiddenSize);
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new RangeError(`${owner}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed`);
    }
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new RangeError(`${owner}: num_layers must be greater than zero`);
    if (!Number.isInteger(projSize)) throw new TypeError(`${owner}: proj_size should be of type int, got: ${typeof projSize}`);
    if (projSize < 0) throw new RangeError(`${owner}: proj_size should be a positive integer or zero to disable projections`);
    if (projSize >= hiddenSize) throw new RangeError(`${owner}: proj_size has to be smaller than hidden_size`);
    this.projSize = projSize;
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    const dirs = bidirectional ? 2 : 1;
    const gh = GATES[mode] * hiddenSize;
    const real = this.realHiddenSize;
    // Registered in PyTorch's order (layer, direction, then w_ih, w_hh, b_ih, b_hh, w_hr), which
    // is the order of `parameters()` and `stateDict()`.
    for (let layer = 0; layer < numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : real * dirs;
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        this.registerParameter(`weight_ih${suffix}`, new Parameter(zeros([gh, inSize])));
        this.registerParameter(`weight_hh${suffix}`, new Parameter(zeros([gh, real])));
        if (bias) {
          this.registerParameter(`bias_ih${suffix}`, new Parameter(zeros([gh])));
          this.registerParameter(`bias_hh${suffix}`, new Parameter(zeros([gh])));
        }
        if (projSize > 0) this.registerParameter(`weight_hr${suffix}`, new Parameter(zeros([projSize, hiddenSize])));
      }
    }
    this.resetParameters();
  }

  /** The width of h and of each direction's output: `projSize`, or `hiddenSize` without one. */
  get realHiddenSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** PyTorch's `reset_parameters`: every parameter uniform(−1/√hidden, 1/√hidden). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** Each layer-direction's weights, read at call time (so loaded or reassigned ones are used). */
  protected layerWeights(): LayerWeights[] {
    const self = this as unknown as Record<string, Parameter | null>;
    const out: LayerWeights[] = [];
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        out.push({
          wIh: self[`weight_ih${suffix}`] as Parameter,
          wHh: self[`weight_hh${suffix}`] as Parameter,
          bIh: this.bias ? (self[`bias_ih${suffix}`] as Parameter) : null,
          bHh: this.bias ? (self[`bias_hh${suffix}`] as Parameter) : null,
          wHr: this.projSize > 0 ? (self[`weight_hr${suffix}`] as Parameter) : null,
        });
      }
    }
    return out;
  }

  protected get owner(): string {
    return this.constructor.name;
  }

  /** The checks before PyTorch's `check_forward_args`, and the batch dimension's handling. */
  protected run(input: Tensor, hx: Tensor | null, cx: Tensor | null, hxGiven: boolean): [Tensor, Tensor, Tensor | null] {
    const owner = this.owner;
    checkFloat(owner, input, 'input');
    if (input.dim() !== 2 && input.dim() !== 3) {
      throw new ShapeError(`${owner}: Expected input to be 2D or 3D, got ${input.dim()}D${this.mode === 'RNN_TANH' || this.mode === 'RNN_RELU' ? ' tensor' : ''} instead`);
    }
    const batched = input.dim() === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    const lstm = this.mode === 'LSTM';
    if (hxGiven) {
      const h = hx as Tensor;
      checkFloat(owner, h, lstm ? 'hx[0]' : 'hx');
      if (cx !== null) checkFloat(owner, cx, 'hx[1]');
      const want = batched ? 3 : 2;
      const bad = h.dim() !== want || (cx !== null && cx.dim() !== want);
      if (bad) {
        const kind = batched ? 'For batched 3-D input' : 'For unbatched 2-D input';
        throw new ShapeError(
          lstm
            ? `${owner}: ${kind}, hx and cx should also be ${want}-D but got (${h.dim()}-D, ${(cx as Tensor).dim()}-D) tensors`
            : `${owner}: ${kind}, hx should also be ${want}-D but got ${h.dim()}-D tensor`,
        );
      }
    }
    let x = batched ? input : input.unsqueeze(batchDim);
    let h = hx;
    let c = cx;
    if (hxGiven && !batched) {
      h = (h as Tensor).unsqueeze(1);
      c = c === null ? null : c.unsqueeze(1);
    }
    const last = x.shape[2] as number;
    if (last !== this.inputSize) {
      throw new ShapeError(`${owner}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${last}`);
    }
    const batch = x.shape[batchDim] as number;
    const expected = [this.numLayers * (this.bidirectional ? 2 : 1), batch, this.realHiddenSize];
    const expectedCell = [expected[0] as number, batch, this.hiddenSize];
    if (hxGiven) {
      const check = (t: Tensor, want: number[], label: string): void => {
        if (t.shape.length !== 3 || t.shape.some((v, i) => v !== want[i])) {
          throw new ShapeError(`${owner}: Expected ${label} size ${tupleStr(want)}, got ${shapeStr(t.shape)}`);
        }
      };
      check(h as Tensor, expected, lstm ? 'hidden[0]' : 'hidden');
      if (lstm) check(c as Tensor, expectedCell, 'hidden[1]');
    } else {
      h = zeros(expected);
      c = lstm ? zeros(expectedCell) : null;
    }
    if (this.batchFirst) x = x.transpose(0, 1);
    const [out0, hN0, cN0] = rnnStack(this.mode, x.contiguous(), h as Tensor, c, this.layerWeights(), {
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      dropout: this.dropout,
      training: this.training,
    });
    let out = this.batchFirst ? out0.transpose(0, 1) : out0;
    let hN = hN0;
    let cN = cN0;
    if (!batched) {
      out = out.squeeze(batchDim);
      hN = hN.squeeze(1);
      cN = cN === null ? null : cN.squeeze(1);
    }
    return [out, hN, cN];
  }

  /** A packed batch: run padded and sorted, each row masked past its length, then repacked. */
  protected runPacked(input: PackedSequence, hx: Tensor | null, cx: Tensor | null, hxGiven: boolean): [PackedSequence, Tensor, Tensor | null] {
    const owner = this.owner;
    const data = input.data;
    checkFloat(owner, data, 'input');
    if (data.dim() !== 2) throw new ShapeError(`${owner}: input must have 2 dimensions, got ${data.dim()}`);
    const last = data.shape[1] as number;
    if (last !== this.inputSize) {
      throw new ShapeError(`${owner}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${last}`);
    }
    const layout = packedLayout(input);
    const lstm = this.mode === 'LSTM';
    const expected = [this.numLayers * (this.bidirectional ? 2 : 1), layout.batch, this.realHiddenSize];
    const expectedCell = [expected[0] as number, layout.batch, this.hiddenSize];
    let h: Tensor;
    let c: Tensor | null;
    if (hxGiven) {
      const check = (t: Tensor, want: number[], label: string): void => {
        checkFloat(owner, t, label);
        if (t.shape.length !== 3 || t.shape.some((v, i) => v !== want[i])) {
          throw new ShapeError(`${owner}: Expected ${label} size ${tupleStr(want)}, got ${shapeStr(t.shape)}`);
        }
      };
      check(hx as Tensor, expected, lstm ? 'hidden[0]' : 'hidden');
      if (lstm) check(cx as Tensor, expectedCell, 'hidden[1]');
      // PyTorch's permute_hidden: the given states follow the batch into its sorted order.
      const sorted = input.sortedIndices;
      h = sorted === null ? (hx as Tensor) : (hx as Tensor).indexSelect(1, sorted);
      c = !lstm ? null : sorted === null ? (cx as Tensor) : (cx as Tensor).indexSelect(1, sorted);
    } else {
      h = zeros(expected);
      c = lstm ? zeros(expectedCell) : null;
    }
    const x = packedToPaddedSorted(input, layout);
    const [out, hN0, cN0] = rnnStack(this.mode, x, h, c, this.layerWeights(), {
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      dropout: this.dropout,
      training: this.training,
      lengths: layout.lengths,
    });
    const packed = new PackedSequence(paddedSortedToPacked(out, layout), input.batchSizes, input.sortedIndices, input.unsortedIndices);
    const unsorted = input.unsortedIndices;
    const hN = unsorted === null ? hN0 : hN0.indexSelect(1, unsorted);
    const cN = cN0 === null ? null : unsorted === null ? cN0 : cN0.indexSelect(1, unsorted);
    return [packed, hN, cN];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst !== false) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/**
 * `torch.nn.RNN`: an Elman network, `h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)` with
 * `act` tanh or relu.
 *
 * @example
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const [output, hN] = rnn.forward(torch.randn([5, 3, 10]));
 */
export class RNN extends RNNBase<Tensor> {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    checkOptions('RNN', options, { ...BASE_SPEC, nonlinearity: 'string' });
    const { nonlinearity = 'tanh' } = options;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`RNN: Unknown nonlinearity '${String(nonlinearity)}'. Select from 'tanh' or 'relu'.`);
    super('RNN', nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const given = hx !== null && hx !== undefined;
    if (input instanceof PackedSequence) {
      const [out, hN] = this.runPacked(input, hx, null, given);
      return [out, hN];
    }
    const [out, hN] = this.run(input, hx, null, given);
    return [out, hN];
  }
}

/**
 * `torch.nn.LSTM`: gates `i, f, g, o` (PyTorch's row order in `weight_ih`/`weight_hh`),
 * `c_t = f⊙c_{t−1} + i⊙g`, `h_t = o⊙tanh(c_t)`. `forward(input, [h0, c0]?)` →
 * `[output, [h_n, c_n]]`.
 *
 * @example
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true });
 * const [output, [hN, cN]] = lstm.forward(torch.randn([3, 5, 10]));
 */
export class LSTM extends RNNBase<[Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    checkOptions('LSTM', options, { ...BASE_SPEC, projSize: 'number' });
    super('LSTM', 'LSTM', inputSize, hiddenSize, options, options.projSize ?? 0);
  }

  forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx: [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const given = hx !== null && hx !== undefined;
    if (given && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTM: hx must be a pair [h_0, c_0] of Tensors');
    const [h, c] = given ? hx : [null, null];
    const [out, hN, cN] = input instanceof PackedSequence ? this.runPacked(input, h, c, given) : this.run(input, h, c, given);
    return [out, [hN, cN as Tensor]];
  }
}

/**
 * `torch.nn.GRU`: gates `r, z, n`, `n = tanh(x·W_inᵀ + b_in + r⊙(h·W_hnᵀ + b_hn))`,
 * `h_t = (1 − z)⊙n + z⊙h_{t−1}`.
 *
 * @example
 * const gru = new nn.GRU(10, 20, { bidirectional: true });
 * const [output, hN] = gru.forward(torch.randn([5, 3, 10]));
 */
export class GRU extends RNNBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    checkOptions('GRU', options, BASE_SPEC);
    super('GRU', 'GRU', inputSize, hiddenSize, options);
  }

  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const given = hx !== null && hx !== undefined;
    if (input instanceof PackedSequence) {
      const [out, hN] = this.runPacked(input, hx, null, given);
      return [out, hN];
    }
    const [out, hN] = this.run(input, hx, null, given);
    return [out, hN];
  }
}

export interface RNNCellOptions {
  bias?: boolean;
  nonlinearity?: RNNNonlinearity;
}

/** What the cells share: one step of the matching layer (the same native kernel, one step long). */
abstract class RNNCellBase<H, Out> extends Module<[Tensor, (H | null)?], Out> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly mode: RnnMode;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(owner: string, mode: RnnMode, inputSize: number, hiddenSize: number, bias: boolean) {
    super();
    checkSizes(owner, inputSize, hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    this.mode = mode;
    const gh = GATES[mode] * hiddenSize;
    this.weight_ih = new Parameter(zeros([gh, inputSize]));
    this.weight_hh = new Parameter(zeros([gh, hiddenSize]));
    this.bias_ih = bias ? new Parameter(zeros([gh])) : null;
    this.bias_hh = bias ? new Parameter(zeros([gh])) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** One step: PyTorch's rank checks, then ATen's size checks (`hidden0`, `hidden1`). */
  protected step(input: Tensor, states: Array<Tensor | null>, hxLabel: (i: number) => string): [Tensor, Tensor | null] {
    const owner = this.constructor.name;
    checkFloat(owner, input, 'input');
    if (input.dim() !== 1 && input.dim() !== 2) throw new ShapeError(`${owner}: Expected input to be 1D or 2D, got ${input.dim()}D instead`);
    states.forEach((s, i) => {
      if (s === null) return;
      checkFloat(owner, s, 'hx');
      if (s.dim() !== 1 && s.dim() !== 2) throw new ShapeError(`${owner}: Expected ${hxLabel(i)} to be 1D or 2D, got ${s.dim()}D instead`);
    });
    const batched = input.dim() === 2;
    const x = batched ? input : input.unsqueeze(0);
    const [batch, features] = x.shape as [number, number];
    const hs = states.map((s) => (s === null ? zeros([batch, this.hiddenSize]) : batched ? s : s.unsqueeze(0)));
    if (features !== this.inputSize) throw new ShapeError(`${owner}: input has inconsistent input_size: got ${features} expected ${this.inputSize}`);
    hs.forEach((h, i) => {
      if (h.shape[0] !== batch) throw new ShapeError(`${owner}: Input batch size ${batch} doesn't match hidden${i} batch size ${h.shape[0]}`);
      if (h.shape[1] !== this.hiddenSize) throw new ShapeError(`${owner}: hidden${i} has inconsistent hidden_size: got ${h.shape[1]}, expected ${this.hiddenSize}`);
    });
    const w = { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
    const [, h1, c1] = rnnLayer(this.mode, x.unsqueeze(0), w, hs[0] as Tensor, hs[1] ?? null, false);
    return batched ? [h1, c1] : [h1.squeeze(0), c1 === null ? null : c1.squeeze(0)];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.mode === 'RNN_RELU') s += ', nonlinearity=relu';
    return s;
  }
}

/** `torch.nn.RNNCell`: one step of `nn.RNN`; `forward(input, hx?)` → `h'`. */
export class RNNCell extends RNNCellBase<Tensor, Tensor> {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    checkOptions('RNNCell', options, { bias: 'boolean', nonlinearity: 'string' });
    const { bias = true, nonlinearity = 'tanh' } = options;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`RNNCell: Unknown nonlinearity: ${String(nonlinearity)}`);
    super('RNNCell', nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, bias);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return this.step(input, [hx ?? null], () => 'hidden')[0];
  }
}

/** `torch.nn.LSTMCell`: one step of `nn.LSTM`; `forward(input, [h, c]?)` → `[h', c']`. */
export class LSTMCell extends RNNCellBase<[Tensor, Tensor], [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    checkOptions('LSTMCell', options, { bias: 'boolean' });
    super('LSTMCell', 'LSTM', inputSize, hiddenSize, options.bias ?? true);
  }

  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const given = hx !== null && hx !== undefined;
    if (given && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTMCell: hx must be a pair [h, c] of Tensors');
    const [h, c] = this.step(input, given ? [hx[0], hx[1]] : [null, null], (i) => `hx[${i}]`);
    return [h, c as Tensor];
  }
}

/** `torch.nn.GRUCell`: one step of `nn.GRU`; `forward(input, hx?)` → `h'`. */
export class GRUCell extends RNNCellBase<Tensor, Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    checkOptions('GRUCell', options, { bias: 'boolean' });
    super('GRUCell', 'GRU', inputSize, hiddenSize, options.bias ?? true);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return this.step(input, [hx ?? null], () => 'hidden')[0];
  }
}
