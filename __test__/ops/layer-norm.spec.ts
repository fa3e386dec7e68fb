/**
 * `F.layerNorm`, `F.rmsNorm`, `nn.LayerNorm` and `nn.RMSNorm` against PyTorch
 * (`__test__/fixtures/norm.json`, scripts/fixtures/make_norm_fixtures.py): outputs and the
 * gradients of input, weight and bias with multi-dimensional normalized shapes, no affine, no
 * bias, RMSNorm's default eps; reprs, stateDict keys, errors; gradcheck.
 */
import { describe, expect, it, vi } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';
import { expectGradcheck } from '../helpers/gradcheck';
import { kernels } from '../../src/ops/kernels';

interface Case {
  kind: 'layer' | 'rms';
  shape: number[];
  normalizedShape: number[];
  eps: number | null;
  input: number[];
  weight: number[] | null;
  bias: number[] | null;
  gradOutput: number[];
  output: number[];
  gradInput: number[];
  gradWeight: number[] | null;
  gradBias: number[] | null;
}
interface Fixture {
  cases: Case[];
  reprs: ['LayerNorm' | 'RMSNorm', number | number[], Record<string, unknown>, string][];
  errors: { shape: number[]; normalizedShape: number[]; message: string }[];
}
const fixture = loadFixture<Fixture>('norm');
const F = torch.nn.functional;
const leaf = (v: number[] | null, shape: number[]) => (v === null ? null : torch.tensor(v).reshape(shape).detach().requiresGrad_(true));

describe('layerNorm / rmsNorm against PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${c.kind} ${JSON.stringify(c.shape)} over ${JSON.stringify(c.normalizedShape)} weight ${c.weight !== null} bias ${c.bias !== null} eps ${String(c.eps)}`, () => {
      const x = leaf(c.input, c.shape) as torch.Tensor;
      const w = leaf(c.weight, c.normalizedShape);
      const b = leaf(c.bias, c.normalizedShape);
      const out = c.kind === 'layer' ? F.layerNorm(x, c.normalizedShape, w, b, c.eps ?? 1e-5) : F.rmsNorm(x, c.normalizedShape, w, c.eps);
      expectClose(out, c.output, { rtol: 1e-5, atol: 1e-5, label: 'output' });
      out.backward(torch.tensor(c.gradOutput).reshape(c.shape));
      expectClose(x.grad as torch.Tensor, c.gradInput, { rtol: 1e-4, atol: 1e-5, label: 'grad input' });
      if (w !== null) expectClose(w.grad as torch.Tensor, c.gradWeight as number[], { rtol: 1e-4, atol: 1e-5, label: 'grad weight' });
      if (b !== null) expectClose(b.grad as torch.Tensor, c.gradBias as number[], { rtol: 1e-4, atol: 1e-5, label: 'grad bias' });
    });
  }
  for (const e of fixture.errors) {
    it(`refuses ${JSON.stringify(e.shape)} over ${JSON.stringify(e.normalizedShape)}`, () => {
      expect(() => F.layerNorm(torch.randn(e.shape), e.normalizedShape)).toThrow(e.message);
    });
  }
});

describe('nn.LayerNorm / nn.RMSNorm', () => {
  for (const [cls, shape, options, repr] of fixture.reprs) {
    it(repr, () => {
      const m = cls === 'LayerNorm' ? new torch.nn.LayerNorm(shape, options) : new torch.nn.RMSNorm(shape, options);
      expect(String(m)).toBe(repr);
    });
  }

  it('has PyTorch\'s parameters and stateDict keys', () => {
    expect(Object.keys(new torch.nn.LayerNorm(4).stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new torch.nn.LayerNorm(4, { bias: false }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new torch.nn.RMSNorm(4).stateDict())).toEqual(['weight']);
    const ln = new torch.nn.LayerNorm([2, 3]);
    expect((ln.weight as torch.Tensor).tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect((ln.bias as torch.Tensor).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    const y = ln.forward(torch.randn([4, 2, 3]));
    expect(Math.abs(y.mean().item())).toBeLessThan(1e-6);
  });

  it('passes gradcheck', () => {
    const x = torch.randn([3, 2, 4]).requiresGrad_(true);
    const w = torch.rand([2, 4]).add(0.5).requiresGrad_(true);
    const b = torch.randn([2, 4]).requiresGrad_(true);
    expectGradcheck((a, c, d) => F.layerNorm(a, [2, 4], c, d), [x, w, b]);
    expectGradcheck((a, c) => F.rmsNorm(a, [4], c.narrow(0, 0, 1).reshape([4])), [x, w]);
  });

  it('refuses mismatched weight shapes', () => {
    expect(() => F.layerNorm(torch.randn([2, 4]), [4], torch.ones([3]))).toThrow(
      'Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and normalized_shape = [4]',
    );
  });
});

describe('layerNorm on a residual stream', () => {
  // The gradient the stream already has (the skip connection's) is added by the LayerNorm kernel
  // (`Node.takePendingGrad`) instead of by the engine afterwards. Anomaly mode takes nothing, so
  // the engine's own sums are the reference, bit for bit.
  function grads(anomaly: boolean): number[][] {
    torch.setDetectAnomaly(anomaly);
    try {
      torch.manualSeed(3);
      const x0 = torch.randn([6, 40]).requiresGrad_(true);
      const w = torch.randn([40, 40]).requiresGrad_(true);
      const ln1 = new torch.nn.LayerNorm(40);
      const ln2 = new torch.nn.LayerNorm(40);
      const h = x0.mul(2); // the stream is a non-leaf
      const x1 = h.add(F.linear(ln1.forward(h), w).tanh()); // pre-norm block
      const x2 = x1.add(ln2.forward(x1).mul(3)); // the LayerNorm's gradient and the stream's are one buffer
      const x3 = x2.mul(0.5).add(x2.pow(2)).add(ln1.forward(x2)); // three more consumers of x2
      x3.pow(2).sum().backward();
      return [x0, w, ln1.weight, ln1.bias, ln2.weight, ln2.bias].map((t) => Array.from((t as torch.Tensor).grad?.data as Float32Array));
    } finally {
      torch.setDetectAnomaly(false);
    }
  }

  it("gives the engine's own sums, bit for bit", () => {
    expect(grads(false)).toEqual(grads(true));
  });

  it('adds the stream gradient inside the kernel, and only where there is one', () => {
    const spy = vi.spyOn(kernels, 'layerNormBackward');
    try {
      grads(false);
      const withAddend = spy.mock.calls.filter((args) => args[6] !== null && args[6] !== undefined).length;
      // ln1 on h and ln2 on x1: their skip connections' gradients arrived first. ln1 on x2 runs
      // before x2's other consumers (the engine takes the last input's node first), which the
      // engine then sums into its gradient as usual.
      expect([spy.mock.calls.length, withAddend]).toEqual([3, 2]);
      spy.mockClear();
      // A LayerNorm on a leaf, or on a stream with no other consumer, gets none.
      const leafInput = torch.randn([4, 8]).requiresGrad_(true);
      F.layerNorm(leafInput.add(leafInput), [8]).sum().backward();
      F.layerNorm(leafInput, [8]).sum().backward();
      expect(spy.mock.calls.map((args) => args[6] ?? null)).toEqual([null, null]);
    } finally {
      spy.mockRestore();
    }
  });
});
