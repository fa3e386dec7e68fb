/**
 * Runs the cases of `__test__/fixtures/reduce2.json` (scripts/fixtures/make_reduce2_fixtures.py):
 * builds the input (requiring grad when float32), calls the kindling op, compares every output's
 * dtype, shape and values with PyTorch's, then backpropagates PyTorch's recorded upstream
 * gradients (Σ out·g) and compares the input gradient.
 */
import { expect } from 'vitest';
import * as torch from '../../src';
import { decode, type EncodedTensor, expectClose, loadFixture, toTensor } from './fixtures';

export type CaseArgs = {
  dim?: number | number[];
  keepdim?: boolean;
  descending?: boolean;
  stable?: boolean;
  correction?: number;
  p?: number | 'inf' | '-inf' | 'fro';
};

export interface Reduce2Case {
  op: string;
  args: CaseArgs;
  input: EncodedTensor;
  outputs: EncodedTensor[];
  gradOutputs?: EncodedTensor[];
  gradInput?: EncodedTensor;
}

export interface Reduce2Error {
  name: string;
  type: string;
  message: string;
}

const fixture = loadFixture<{ cases: Reduce2Case[]; errors: Reduce2Error[] }>('reduce2');

/** The fixture cases of one op. */
export function casesOf(op: string): Reduce2Case[] {
  const cases = fixture.cases.filter((c) => c.op === op);
  if (cases.length === 0) throw new Error(`reduce2.json has no cases for ${op}`);
  return cases;
}

/** PyTorch's error of the fixture named `name`. */
export function pytorchError(name: string): Reduce2Error {
  const e = fixture.errors.find((x) => x.name === name);
  if (e === undefined) throw new Error(`reduce2.json has no error ${name}`);
  return e;
}

/** A readable test title for a case. */
export function titleOf(c: Reduce2Case): string {
  return `${c.input.dtype}[${c.input.shape.join(', ')}] ${JSON.stringify(c.args)}`;
}

/**
 * Runs `call` on the case's input and checks outputs and the input gradient against PyTorch.
 * Float values compare within float32 tolerance (`rtol`, `atol`; 0 for exact ops); integer and
 * bool outputs compare exactly.
 */
export function checkCase(c: Reduce2Case, call: (x: torch.Tensor) => torch.Tensor | torch.Tensor[], tol: { rtol?: number; atol?: number } = {}): void {
  // Nested arrays cannot say [0, 3]: an empty input is made by shape.
  const empty = c.input.shape.includes(0);
  const x = empty ? torch.zeros(c.input.shape, { dtype: c.input.dtype }) : toTensor(c.input, { requiresGrad: c.input.dtype === 'float32' });
  const result = call(x);
  const outs = Array.isArray(result) ? result : [result];
  expect(outs.length).toBe(c.outputs.length);
  outs.forEach((out, i) => {
    const want = c.outputs[i];
    expect(out.dtype, `output ${i} dtype`).toBe(want.dtype);
    if (want.dtype === 'float32') expectClose(out, want, { ...tol, label: `output ${i}` });
    else {
      expect(out.shape, `output ${i} shape`).toEqual(want.shape);
      expect(Array.from(out.data as ArrayLike<number | bigint>, Number), `output ${i} values`).toEqual(Array.from(decode(want) as ArrayLike<number | bigint>, Number));
    }
  });
  if (c.gradOutputs === undefined || c.gradInput === undefined) {
    expect(outs.some((o) => o.requiresGrad), 'PyTorch recorded no gradient, so no output may require one').toBe(false);
    return;
  }
  const diff = outs.filter((o) => o.requiresGrad);
  expect(diff.length, 'differentiable outputs').toBe(c.gradOutputs.length);
  let loss: torch.Tensor | null = null;
  diff.forEach((o, i) => {
    const term = o.mul(toTensor(c.gradOutputs![i])).sum();
    loss = loss === null ? term : loss.add(term);
  });
  (loss as unknown as torch.Tensor).backward();
  expect(x.grad, 'input gradient').not.toBeNull();
  expectClose(x.grad as torch.Tensor, c.gradInput, { ...tol, label: 'input gradient' });
}

/** Asserts `run` throws `type` with a message holding PyTorch's (`fixture`) and naming `op`. */
export function expectOpError(run: () => unknown, type: typeof TypeError | typeof RangeError, expected: string, op: string): void {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${type.name} ${expected}`).toBeInstanceOf(type);
  const message = (caught as Error).message;
  expect(message).toContain(expected);
  expect(message).toContain(op);
}
