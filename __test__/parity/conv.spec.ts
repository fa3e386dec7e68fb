/**
 * Convolution against PyTorch (`__test__/fixtures/conv.json`, scripts/fixtures/make_conv_fixtures.py):
 * outputs and the gradients of input, weight and bias for a recorded upstream gradient; errors
 * and module reprs. Tolerance rtol 1e-5 / atol 1e-5 (outputs) and 1e-4 (weight gradients, sums of
 * up to 1,000 products): PyTorch's oneDNN and kindling's gemm sum in different orders.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface Case {
  op: 'conv1d' | 'conv2d';
  options: Record<string, unknown>;
  inputShape: number[];
  input: number[];
  weightShape: number[];
  weight: number[];
  bias: number[] | null;
  gradOutput: number[];
  outShape: number[];
  output: number[];
  gradInput: number[];
  gradWeight: number[];
  gradBias: number[] | null;
  gradFn: string;
}
interface ErrorCase { op: 'conv1d' | 'conv2d'; inputShape: number[]; weightShape: number[]; biasShape: number[] | null; options: Record<string, unknown>; message: string }
interface ModuleCase { module: 'Conv1d' | 'Conv2d'; args: unknown[]; options: Record<string, unknown>; repr: string; weightShape: number[]; bias: boolean }
interface ModuleError { args: number[]; options: Record<string, unknown>; message: string }
const fixture = loadFixture<{ cases: Case[]; errors: ErrorCase[]; modules: ModuleCase[]; moduleErrors: ModuleError[] }>('conv');

const F = torch.nn.functional;
const conv = (op: 'conv1d' | 'conv2d') => (op === 'conv1d' ? F.conv1d : F.conv2d) as (x: torch.Tensor, w: torch.Tensor, b?: torch.Tensor | null, o?: object) => torch.Tensor;
const make = (values: number[], shape: number[], requiresGrad = false) => torch.tensor(values).reshape(shape).detach().requiresGrad_(requiresGrad);
/** Python prints a set in hash order: compare the members of `{...}` as a sorted list. */
const canonicalSets = (m: string) => m.replace(/\{([^}]*)\}/g, (_, inner: string) => `{${inner.split(', ').sort().join(', ')}}`);

describe('conv1d / conv2d against PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${c.op}(${JSON.stringify(c.inputShape)}, ${JSON.stringify(c.weightShape)}, bias ${c.bias !== null}, ${JSON.stringify(c.options)})`, () => {
      const x = make(c.input, c.inputShape, true);
      const w = make(c.weight, c.weightShape, true);
      const b = c.bias === null ? null : make(c.bias, [c.bias.length], true);
      const out = conv(c.op)(x, w, b, c.options);
      expect(out.shape).toEqual(c.outShape);
      expect(out.gradFn?.name).toBe(c.gradFn);
      expectClose(out, c.output, { rtol: 1e-5, atol: 1e-5, label: 'output' });
      out.backward(make(c.gradOutput, c.outShape));
      expectClose(x.grad as torch.Tensor, c.gradInput, { rtol: 1e-5, atol: 1e-5, label: 'grad input' });
      expectClose(w.grad as torch.Tensor, c.gradWeight, { rtol: 1e-5, atol: 1e-4, label: 'grad weight' });
      if (b !== null) expectClose(b.grad as torch.Tensor, c.gradBias as number[], { rtol: 1e-5, atol: 1e-4, label: 'grad bias' });
    });
  }
});

describe('convolution errors, worded as PyTorch', () => {
  for (const e of fixture.errors) {
    it(`${e.op}(${JSON.stringify(e.inputShape)}, ${JSON.stringify(e.weightShape)}, ${JSON.stringify(e.options)}) → ${e.message}`, () => {
      const b = e.biasShape === null ? null : torch.randn(e.biasShape);
      expect(() => conv(e.op)(torch.randn(e.inputShape), torch.randn(e.weightShape), b, e.options)).toThrow(e.message);
    });
  }
});

describe('nn.Conv1d / nn.Conv2d as PyTorch builds them', () => {
  for (const m of fixture.modules) {
    it(m.repr, () => {
      const Ctor = torch.nn[m.module] as unknown as new (...args: unknown[]) => torch.nn.Conv2d;
      const module = new Ctor(...m.args.slice(0, 3), { ...m.options, ...(m.args.length > 3 ? { stride: m.args[3] } : {}) });
      expect(String(module)).toBe(m.repr);
      expect(module.weight.shape).toEqual(m.weightShape);
      expect(module.bias !== null).toBe(m.bias);
    });
  }
  for (const e of fixture.moduleErrors) {
    it(`Conv2d(${e.args.join(', ')}, ${JSON.stringify(e.options)}) → ${e.message}`, () => {
      let message = '';
      try {
        new torch.nn.Conv2d(e.args[0], e.args[1], e.args[2], e.options as never);
      } catch (err) {
        message = (err as Error).message;
        expect(err).toBeInstanceOf(RangeError);
      }
      expect(canonicalSets(message)).toBe(canonicalSets(e.message));
    });
  }
});
