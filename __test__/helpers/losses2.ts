/**
 * Runs the `losses2.json` cases (scripts/fixtures/make_losses2_fixtures.py) of some losses
 * through kindling's `nn.functional` and `nn` modules: the output, the grad_fn name and the
 * gradient of every input PyTorch differentiates, for PyTorch's upstream gradient; the module
 * must give the functional's values. Also checks the error cases against PyTorch's messages.
 */
import { expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from './fixtures';
import { num } from './ulps';

const { nn } = torch;
const F = nn.functional;

export interface Encoded {
  shape: number[];
  dtype: 'float32' | 'int64';
  values: (number | string)[];
}

export interface LossCase {
  name: string;
  fn: string;
  module: string;
  tensors: Record<string, Encoded>;
  options: Record<string, number | boolean | string>;
  positional: string[];
  output: Encoded;
  gradFn: string;
  gradOutput: Encoded;
  grads: Record<string, Encoded>;
}

export interface ErrorCase {
  case: string;
  type: string;
  message: string;
}

export interface Losses2Fixture {
  cases: LossCase[];
  errors: ErrorCase[];
  reprs: { torch: string; repr: string; stateDict: string[]; attrs: Record<string, number | boolean | string> }[];
  gaussianFloatVar: {
    input: Encoded;
    target: Encoded;
    var: number;
    full: boolean;
    output: Encoded;
    gradOutput: number;
    gradInput: Encoded;
    gradFn: string;
  };
}

export const fixture = loadFixture<Losses2Fixture>('losses2');

export function toTensor(e: Encoded, requiresGrad = false): torch.Tensor {
  if (e.dtype === 'int64') return torch.tensor(BigInt64Array.from(e.values.map((v) => BigInt(v as number)))).reshape(e.shape);
  const t = torch.tensor(Float32Array.from(e.values.map(num))).reshape(e.shape).detach();
  return requiresGrad ? t.requiresGrad_(true) : t;
}

export function decoded(e: Encoded): number[] {
  return e.values.map(num);
}

/** Options whose fixture value names a tensor (the rest are numbers, booleans and reduction strings). */
const TENSOR_OPTIONS = new Set(['weight', 'posWeight']);

type AnyFn = (...args: unknown[]) => torch.Tensor;

const FUNCTIONAL: Record<string, AnyFn> = {
  binary_cross_entropy: F.binaryCrossEntropy as AnyFn,
  binary_cross_entropy_with_logits: F.binaryCrossEntropyWithLogits as AnyFn,
  l1_loss: F.l1Loss as AnyFn,
  smooth_l1_loss: F.smoothL1Loss as AnyFn,
  huber_loss: F.huberLoss as AnyFn,
  kl_div: F.klDiv as AnyFn,
  cosine_embedding_loss: F.cosineEmbeddingLoss as AnyFn,
  margin_ranking_loss: F.marginRankingLoss as AnyFn,
  triplet_margin_loss: F.tripletMarginLoss as AnyFn,
  poisson_nll_loss: F.poissonNllLoss as AnyFn,
  gaussian_nll_loss: F.gaussianNllLoss as AnyFn,
};

/** Registers one `it` per fixture case of the PyTorch functions `fns`. */
export function lossCases(fns: string[], tolerance: { rtol?: number; atol?: number } = {}): void {
  const cases = fixture.cases.filter((c) => fns.includes(c.fn));
  it('has fixture cases for every function', () => {
    for (const fn of fns) expect(cases.some((c) => c.fn === fn), fn).toBe(true);
  });
  const rtol = tolerance.rtol ?? 1e-5;
  const atol = tolerance.atol ?? 1e-6;
  for (const c of cases) {
    it(`${c.name}: output, grad_fn, gradients and the module`, () => {
      const tensors: Record<string, torch.Tensor> = {};
      for (const [k, e] of Object.entries(c.tensors)) tensors[k] = toTensor(e, k in c.grads);
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.options)) options[k] = TENSOR_OPTIONS.has(k) ? tensors[v as string] : v;
      const args = c.positional.map((k) => tensors[k]);
      const out = FUNCTIONAL[c.fn](...args, options);
      expectClose(out, decoded(c.output), { rtol, atol, label: `${c.name} output` });
      expect(out.shape).toEqual(c.output.shape);
      expect(out.gradFn?.name).toBe(c.gradFn);
      out.backward(toTensor(c.gradOutput));
      for (const [k, e] of Object.entries(c.grads)) {
        const g = tensors[k].grad;
        expect(g, `${c.name}: grad of ${k}`).not.toBeNull();
        expect(g!.shape).toEqual(e.shape);
        expectClose(g!, decoded(e), { rtol, atol, label: `${c.name} grad of ${k}` });
      }
      const Ctor = (nn as unknown as Record<string, new (o: unknown) => { forward(...a: unknown[]): torch.Tensor }>)[c.module];
      const moduleOut = new Ctor(options).forward(...args.map((t) => t.detach()));
      expect(Array.from(moduleOut.data as Float32Array)).toEqual(Array.from(out.data as Float32Array));
    });
  }
}

/**
 * Asserts `run` throws `type` with a message that names `op` and contains PyTorch's first line
 * (`fixture.errors`), or `custom` where kindling words a broadcast check its own way.
 */
export function expectLossError(caseName: string, op: string, type: new (...a: never[]) => Error, run: () => unknown, custom?: RegExp): void {
  const fx = fixture.errors.find((e) => e.case === caseName);
  if (fx === undefined) throw new Error(`no error fixture ${caseName}`);
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${caseName}: expected PyTorch's ${fx.type}: ${fx.message}`).toBeInstanceOf(type);
  const message = (caught as Error).message;
  expect(message).toContain(op);
  if (custom !== undefined) expect(message).toMatch(custom);
  else expect(message).toContain(fx.message);
}
