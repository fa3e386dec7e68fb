/**
 * `nn.RNN` (tanh, relu), `nn.LSTM`, `nn.GRU` and the three cells (src/nn/rnn.ts, maths in
 * src/ops/rnn.ts over crates/kindling-core/src/rnn) against PyTorch (`__test__/fixtures/rnn.json`,
 * scripts/fixtures/make_rnn_fixtures.py): after loading PyTorch's state_dict, the output, h_n,
 * c_n and the gradients of the input, hx and every parameter, over 1/2 layers, bidirectional,
 * batchFirst, no bias, given/default hx and unbatched input; reprs, stateDict keys, PyTorch's
 * init range, error messages (prefixed with the module's name), gradcheck, dropout between
 * layers, and `nn.utils.rnn.padSequence`.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectGradcheck } from '../helpers/gradcheck';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface T { shape: number[]; data: number[] }
interface LayerCase {
  kind: string; module: 'RNN' | 'LSTM' | 'GRU'; options: Record<string, unknown>; repr: string;
  stateDict: Record<string, T>; input: T; h0: T | null; c0: T | null;
  output: T; hn: T; cn: T | null; gradOutput: number[]; gradHn: number[]; gradCn: number[] | null;
  gradInput: number[]; gradH0: number[] | null; gradC0: number[] | null; gradParams: Record<string, number[]>;
}
interface CellCase {
  kind: string; module: 'RNNCell' | 'LSTMCell' | 'GRUCell'; options: Record<string, unknown>; repr: string;
  stateDict: Record<string, T>; input: T; h0: T | null; c0: T | null; h1: T; c1: T | null;
  gradH1: number[]; gradC1: number[] | null; gradInput: number[]; gradH0: number[] | null; gradC0: number[] | null;
  gradParams: Record<string, number[]>;
}
interface ErrorCase { module: string; options: Record<string, unknown>; input: number[]; hx: number[][] | null; type: string; message: string }
const fx = loadFixture<{
  layers: LayerCase[]; cells: CellCase[]; errors: ErrorCase[];
  reprs: [string, [number, number], Record<string, unknown>, string][];
  padSequence: { sequences: T[]; batchFirst: boolean; paddingValue: number; output: T }[];
  ctorErrors: { module: string; options: Record<string, unknown>; type: string; message: string }[];
}>('rnn');

const INPUT = 2;
const HIDDEN = 3;
const tensorOf = (t: T, requiresGrad = false): torch.Tensor => torch.tensor(t.data).reshape(t.shape).requiresGrad_(requiresGrad);
const gradOf = (t: torch.Tensor | null): torch.Tensor => {
  expect(t).not.toBeNull();
  return t as torch.Tensor;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ctor = (name: string): any => (torch.nn as unknown as Record<string, unknown>)[name];
const tol = { rtol: 1e-4, atol: 1e-5 };
const gtol = { rtol: 1e-3, atol: 1e-4 };

const nameOf = (c: LayerCase): string =>
  `${c.kind} ${JSON.stringify(c.options)} ${c.input.shape.length === 2 ? 'unbatched' : 'batched'} hx ${c.h0 === null ? 'default' : 'given'}`;

describe('RNN / LSTM / GRU against PyTorch', () => {
  for (const c of fx.layers) {
    it(nameOf(c), () => {
      const m = new (ctor(c.module))(INPUT, HIDDEN, c.options) as torch.nn.RNN | torch.nn.LSTM | torch.nn.GRU;
      expect(String(m)).toBe(c.repr);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.stateDict));
      m.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, tensorOf(v)])));
      const x = tensorOf(c.input, true);
      const h0 = c.h0 === null ? null : tensorOf(c.h0, true);
      const c0 = c.c0 === null ? null : tensorOf(c.c0, true);
      let out: torch.Tensor;
      let hn: torch.Tensor;
      let cn: torch.Tensor | null = null;
      if (c.module === 'LSTM') {
        [out, [hn, cn]] = (m as torch.nn.LSTM).forward(x, h0 === null ? null : [h0, c0 as torch.Tensor]);
      } else {
        [out, hn] = (m as torch.nn.RNN).forward(x, h0);
      }
      expect(out.shape).toEqual(c.output.shape);
      expect(hn.shape).toEqual(c.hn.shape);
      expectClose(out, c.output.data, { ...tol, label: 'output' });
      expectClose(hn, c.hn.data, { ...tol, label: 'h_n' });
      let loss = out.mul(torch.tensor(c.gradOutput).reshape(out.shape)).sum().add(hn.mul(torch.tensor(c.gradHn).reshape(hn.shape)).sum());
      if (cn !== null) {
        expect(cn.shape).toEqual((c.cn as T).shape);
        expectClose(cn, (c.cn as T).data, { ...tol, label: 'c_n' });
        loss = loss.add(cn.mul(torch.tensor(c.gradCn as number[]).reshape(cn.shape)).sum());
      }
      loss.backward();
      expectClose(gradOf(x.grad), c.gradInput, { ...gtol, label: 'grad input' });
      if (h0 !== null) expectClose(gradOf(h0.grad), c.gradH0 as number[], { ...gtol, label: 'grad h0' });
      if (c0 !== null) expectClose(gradOf(c0.grad), c.gradC0 as number[], { ...gtol, label: 'grad c0' });
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.gradParams));
      for (const [name, g] of Object.entries(c.gradParams)) expectClose(gradOf(params[name].grad), g, { ...gtol, label: `grad ${name}` });
    });
  }
});

describe('RNNCell / LSTMCell / GRUCell against PyTorch', () => {
  for (const c of fx.cells) {
    it(`${c.kind} ${JSON.stringify(c.options)} ${c.input.shape.length === 1 ? 'unbatched' : 'batched'} hx ${c.h0 === null ? 'default' : 'given'}`, () => {
      const m = new (ctor(c.module))(INPUT, HIDDEN, c.options) as torch.nn.RNNCell | torch.nn.LSTMCell | torch.nn.GRUCell;
      expect(String(m)).toBe(c.repr);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.stateDict));
      m.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, tensorOf(v)])));
      const x = tensorOf(c.input, true);
      const h0 = c.h0 === null ? null : tensorOf(c.h0, true);
      const c0 = c.c0 === null ? null : tensorOf(c.c0, true);
      let h1: torch.Tensor;
      let c1: torch.Tensor | null = null;
      if (c.module === 'LSTMCell') [h1, c1] = (m as torch.nn.LSTMCell).forward(x, h0 === null ? null : [h0, c0 as torch.Tensor]);
      else h1 = (m as torch.nn.GRUCell).forward(x, h0);
      expect(h1.shape).toEqual(c.h1.shape);
      expectClose(h1, c.h1.data, { ...tol, label: 'h1' });
      let loss = h1.mul(torch.tensor(c.gradH1).reshape(h1.shape)).sum();
      if (c1 !== null) {
        expectClose(c1, (c.c1 as T).data, { ...tol, label: 'c1' });
        loss = loss.add(c1.mul(torch.tensor(c.gradC1 as number[]).reshape(c1.shape)).sum());
      }
      loss.backward();
      expectClose(gradOf(x.grad), c.gradInput, { ...gtol, label: 'grad input' });
      if (h0 !== null) expectClose(gradOf(h0.grad), c.gradH0 as number[], { ...gtol, label: 'grad h0' });
      if (c0 !== null) expectClose(gradOf(c0.grad), c.gradC0 as number[], { ...gtol, label: 'grad c0' });
      const params = Object.fromEntries(m.namedParameters());
      for (const [name, g] of Object.entries(c.gradParams)) expectClose(gradOf(params[name].grad), g, { ...gtol, label: `grad ${name}` });
    });
  }
});

describe('recurrent layers: reprs, parameters, init', () => {
  for (const [name, [i, h], options, repr] of fx.reprs) {
    it(`repr of ${repr}`, () => {
      expect(String(new (ctor(name))(i, h, options))).toBe(repr);
    });
  }

  it("names every parameter as PyTorch's, with PyTorch's shapes", () => {
    const m = new torch.nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const shapes = Object.fromEntries(Array.from(m.namedParameters(), ([k, p]) => [k, p.shape]));
    expect(shapes).toEqual({
      weight_ih_l0: [20, 3], weight_hh_l0: [20, 5], bias_ih_l0: [20], bias_hh_l0: [20],
      weight_ih_l0_reverse: [20, 3], weight_hh_l0_reverse: [20, 5], bias_ih_l0_reverse: [20], bias_hh_l0_reverse: [20],
      weight_ih_l1: [20, 10], weight_hh_l1: [20, 5], bias_ih_l1: [20], bias_hh_l1: [20],
      weight_ih_l1_reverse: [20, 10], weight_hh_l1_reverse: [20, 5], bias_ih_l1_reverse: [20], bias_hh_l1_reverse: [20],
    });
    expect(Object.keys(new torch.nn.GRU(3, 4, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(Object.keys(new torch.nn.GRUCell(3, 4).stateDict())).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  });

  it('adds weight_hr after the biases with projSize, h of projSize and c of hiddenSize', () => {
    const m = new torch.nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, projSize: 2 });
    const shapes = Object.fromEntries(Array.from(m.namedParameters(), ([k, p]) => [k, p.shape]));
    expect(Object.keys(shapes).slice(0, 10)).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse', 'weight_hr_l0_reverse',
    ]);
    expect(shapes.weight_hh_l0).toEqual([20, 2]);
    expect(shapes.weight_hr_l0).toEqual([2, 5]);
    expect(shapes.weight_ih_l1).toEqual([20, 4]);
    const [out, [hn, cn]] = m.forward(torch.randn([4, 3, 3]));
    expect(out.shape).toEqual([4, 3, 4]);
    expect(hn.shape).toEqual([4, 3, 2]);
    expect(cn.shape).toEqual([4, 3, 5]);
    const bound = Math.fround(1 / Math.sqrt(5)); // as float32: ±bound itself can be drawn
    const v = Array.from(((m as unknown as Record<string, torch.Tensor>).weight_hr_l1 as torch.Tensor).data as Float32Array);
    expect(v.length).toBe(10);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0);
    expect(Object.keys(new torch.nn.LSTM(3, 5, { bias: false, projSize: 4 }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0', 'weight_hr_l0']);
  });

  it('initialises every parameter uniform(-1/sqrt(hidden), 1/sqrt(hidden))', () => {
    const m = new torch.nn.GRU(8, 16, { numLayers: 2 });
    const bound = 1 / Math.sqrt(16);
    for (const [name, p] of m.namedParameters()) {
      const v = Array.from(p.data as Float32Array);
      expect(Math.max(...v), name).toBeLessThanOrEqual(bound);
      expect(Math.min(...v), name).toBeGreaterThanOrEqual(-bound);
      // Spread over the range, not a constant: the extremes come near both bounds.
      expect(Math.max(...v) - Math.min(...v), name).toBeGreaterThan(bound);
    }
  });
});

describe('recurrent layers: errors', () => {
  for (const e of fx.errors) {
    it(`${e.module} input ${JSON.stringify(e.input)} hx ${JSON.stringify(e.hx)}: ${e.message}`, () => {
      const m = new (ctor(e.module))(INPUT, HIDDEN, e.options);
      const x = torch.randn(e.input);
      const lstm = e.module === 'LSTM' || e.module === 'LSTMCell';
      const hx = e.hx === null ? null : lstm ? e.hx.map((s) => torch.zeros(s)) : torch.zeros(e.hx[0] as number[]);
      let thrown: unknown = null;
      try {
        m.forward(x, hx);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(torch.ShapeError);
      const message = (thrown as Error).message;
      expect(message).toContain(e.message);
      expect(message.startsWith(`${e.module}: `)).toBe(true);
    });
  }

  it('refuses bad constructor arguments with typed errors', () => {
    expect(() => new torch.nn.LSTM(0, 3)).toThrow(new RangeError('LSTM: input_size must be greater than zero'));
    expect(() => new torch.nn.GRU(3, 0)).toThrow(new RangeError('GRU: hidden_size must be greater than zero'));
    expect(() => new torch.nn.RNN(3, 4, { numLayers: 0 })).toThrow(new RangeError('RNN: num_layers must be greater than zero'));
    expect(() => new torch.nn.RNN(3, 4, { dropout: 1.5 })).toThrow('RNN: dropout should be a number in range [0, 1]');
    expect(() => new torch.nn.RNN(3, 4, { nonlinearity: 'gelu' as never })).toThrow(RangeError);
    expect(() => new torch.nn.LSTM(3, 4, { projSize: 1.5 })).toThrow(new TypeError('LSTM: proj_size should be of type int, got: number'));
    expect(() => new torch.nn.LSTM(2.5, 4)).toThrow(TypeError);
  });

  for (const e of fx.ctorErrors) {
    it(`${e.module} ${JSON.stringify(e.options)}: ${e.message}`, () => {
      expect(e.type).toBe('ValueError');
      expect(() => new (ctor(e.module))(INPUT, HIDDEN, e.options)).toThrow(new RangeError(`${e.module}: ${e.message}`));
    });
  }

  it('refuses a non-float32 input naming the module', () => {
    expect(() => new torch.nn.GRU(2, 3).forward(torch.zeros([3, 1, 2], { dtype: 'int32' }))).toThrow(new TypeError('GRU: input dtype (int32) does not match weight dtype (float32)'));
  });
});

describe('recurrent layers: gradcheck', () => {
  const small = (shape: number[]): torch.Tensor => torch.randn(shape).mul(0.5).requiresGrad_(true);
  it('LSTM (2 layers, bidirectional): input, h0, c0 and weights', () => {
    torch.manualSeed(3);
    const m = new torch.nn.LSTM(2, 2, { numLayers: 2, bidirectional: true });
    const w = (m as unknown as Record<string, torch.nn.Parameter>).weight_hh_l1_reverse as torch.nn.Parameter;
    expectGradcheck(
      (x, h, c, wr) => {
        (m as unknown as Record<string, unknown>).weight_hh_l1_reverse = wr;
        const [out, [hn, cn]] = m.forward(x, [h, c]);
        return torch.cat([out.flatten(), hn.flatten(), cn.flatten()]);
      },
      [small([3, 2, 2]), small([4, 2, 2]), small([4, 2, 2]), new torch.nn.Parameter(w.detach().clone())],
    );
  });

  it('LSTM with projSize (2 layers, bidirectional): input, h0, c0 and weight_hr', () => {
    torch.manualSeed(6);
    const m = new torch.nn.LSTM(2, 3, { numLayers: 2, bidirectional: true, projSize: 2 });
    const w = (m as unknown as Record<string, torch.nn.Parameter>).weight_hr_l0_reverse as torch.nn.Parameter;
    expectGradcheck(
      (x, h, c, wr) => {
        (m as unknown as Record<string, unknown>).weight_hr_l0_reverse = wr;
        const [out, [hn, cn]] = m.forward(x, [h, c]);
        return torch.cat([out.flatten(), hn.flatten(), cn.flatten()]);
      },
      [small([3, 2, 2]), small([4, 2, 2]), small([4, 2, 3]), new torch.nn.Parameter(w.detach().clone())],
    );
  });

  it('GRU (batchFirst, no bias) and GRUCell', () => {
    torch.manualSeed(4);
    const m = new torch.nn.GRU(2, 3, { batchFirst: true, bias: false });
    expectGradcheck((x, h) => {
      const [out, hn] = m.forward(x, h);
      return torch.cat([out.flatten(), hn.flatten()]);
    }, [small([2, 4, 2]), small([1, 2, 3])]);
    const cell = new torch.nn.GRUCell(2, 3);
    expectGradcheck((x, h) => cell.forward(x, h), [small([2, 2]), small([2, 3])]);
  });
});

describe('recurrent layers: dropout between layers', () => {
  it('applies only in training mode and only between layers', () => {
    torch.manualSeed(5);
    const plain = new torch.nn.LSTM(3, 4, { numLayers: 2 });
    const dropped = new torch.nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    dropped.loadStateDict(plain.stateDict());
    const x = torch.randn([5, 2, 3]);
    dropped.eval();
    expectClose(dropped.forward(x)[0], plain.forward(x)[0].data as Float32Array, { rtol: 0, atol: 0, label: 'eval output' });
    dropped.train();
    const [a] = dropped.forward(x);
    expect(Array.from(a.data as Float32Array)).not.toEqual(Array.from(plain.forward(x)[0].data as Float32Array));
    // One layer: nothing to drop between, so training output equals the plain one.
    const one = new torch.nn.GRU(3, 4, { dropout: 0.5 });
    const onePlain = new torch.nn.GRU(3, 4);
    onePlain.loadStateDict(one.stateDict());
    expectClose(one.forward(x)[0], onePlain.forward(x)[0].data as Float32Array, { rtol: 0, atol: 0, label: 'one layer' });
  });
});

describe('nn.utils.rnn.padSequence', () => {
  for (const c of fx.padSequence) {
    it(`batchFirst ${c.batchFirst}, paddingValue ${c.paddingValue}`, () => {
      const seqs = c.sequences.map((s) => tensorOf(s, true));
      const out = torch.nn.utils.rnn.padSequence(seqs, { batchFirst: c.batchFirst, paddingValue: c.paddingValue });
      expect(out.shape).toEqual(c.output.shape);
      // A copy of the inputs: the fixture's 8 significant digits are the only difference.
      expectClose(out, c.output.data, { rtol: 1e-7, atol: 0, label: 'padded' });
      out.sum().backward();
      for (const s of seqs) expectClose(gradOf(s.grad), new Array(s.numel()).fill(1), { rtol: 0, atol: 0, label: 'grad' });
    });
  }

  it('refuses mismatched trailing shapes', () => {
    expect(() => torch.nn.utils.padSequence([torch.zeros([2, 3]), torch.zeros([2, 4])])).toThrow(torch.ShapeError);
  });
});
