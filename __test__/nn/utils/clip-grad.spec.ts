/**
 * nn.utils.clipGradNorm_ / clipGradValue_ against PyTorch 2.15
 * (`__test__/fixtures/interop/clip_grad.json`, made by scripts/interop/make_clip_grad_fixture.py):
 * 2-, 1-, 3-, 0.5- and inf-norms, no clipping (coefficient clamped to 1), infinite and NaN
 * gradients, negative clip values. Total norms and clipped gradients match to rtol 1e-6
 * (float32 rounding of the norm); NaN positions match exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

const { nn } = torch;

type Num = number | string; // "inf", "-inf", "nan" for non-finite values
interface Case {
  kind: 'norm' | 'value';
  max_norm?: number;
  norm_type?: Num;
  clip_value?: number;
  grads: Num[][];
  total_norm?: Num;
  clipped: Num[][];
}
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'interop', 'clip_grad.json'), 'utf8'),
) as { shapes: number[][]; cases: Case[] };

const num = (v: Num): number => (typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN);

function params(c: Case): torch.nn.Parameter[] {
  return c.grads.map((g, i) => {
    const p = new nn.Parameter(torch.zeros(fixture.shapes[i]));
    p.grad = new torch.Tensor(Float32Array.from(g.map(num)), fixture.shapes[i], 'float32');
    return p;
  });
}

function expectClose(actual: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) expect(actual, what).toBeNaN();
  else if (!Number.isFinite(expected)) expect(actual, what).toBe(expected);
  else expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-6 * Math.abs(expected) + 1e-12);
}

function expectGrads(ps: torch.nn.Parameter[], c: Case, label: string): void {
  ps.forEach((p, i) => c.clipped[i].forEach((e, j) => expectClose(p.grad?.data[j] as number, num(e), `${label} grad ${i}[${j}]`)));
}

describe('clipGradNorm_', () => {
  const cases = fixture.cases.filter((c) => c.kind === 'norm');
  it.each(cases.map((c) => [`maxNorm ${c.max_norm}, normType ${c.norm_type}, grads ${c.grads[1][2]} at [1][2]`, c] as const))(
    'matches PyTorch: %s',
    (label, c) => {
      const ps = params(c);
      const normType = num(c.norm_type as Num);
      const total = nn.utils.clipGradNorm_(ps, c.max_norm as number, normType);
      expect(total.shape).toEqual([]);
      expect(total.dtype).toBe('float32');
      expectClose(total.item(), num(c.total_norm as Num), `${label} total norm`);
      expectGrads(ps, c, label);
    },
  );
  expect(cases).toHaveLength(9);

  it("throws PyTorch's error for a non-finite norm when asked, leaving the gradients alone", () => {
    const c = cases.find((k) => k.total_norm === 'nan') as Case;
    const ps = params(c);
    const before = [...(ps[0].grad as torch.Tensor).data];
    expect(() => nn.utils.clipGradNorm_(ps, 1, 2, true)).toThrow(
      new RangeError(
        'The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. ' +
          'To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite=false`',
      ),
    );
    expect([...(ps[0].grad as torch.Tensor).data]).toEqual(before);
    expect(() => nn.utils.clipGradNorm_(params(cases.find((k) => k.total_norm === 'inf') as Case), 1, 'inf', true)).toThrow(
      'The total norm of order inf for gradients',
    );
  });

  it('accepts one tensor, skips parameters without grad, returns 0 when none has one', () => {
    const p = new nn.Parameter(torch.zeros(2));
    const q = new nn.Parameter(torch.zeros(2));
    expect(nn.utils.clipGradNorm_([p, q], 1).item()).toBe(0);
    p.grad = torch.tensor([3, 4], { dtype: torch.float32 });
    expect(nn.utils.clipGradNorm_(p, 1).item()).toBe(5);
    // 1 / (5 + 1e-6), in float32 as PyTorch: [0.6, 0.8] scaled by 0.19999996.
    expect([...(p.grad as torch.Tensor).data]).toEqual([Math.fround(3 * Math.fround(1 / Math.fround(5 + Math.fround(1e-6)))), Math.fround(4 * Math.fround(1 / Math.fround(5 + Math.fround(1e-6))))]);
    expect(q.grad).toBeNull();
  });

  it('rejects bad arguments with typed errors naming them', () => {
    expect(() => nn.utils.clipGradNorm_(3 as unknown as torch.Tensor, 1)).toThrow(
      new TypeError('clipGradNorm_: parameters must be a Tensor or an iterable of Tensors, got number'),
    );
    expect(() => nn.utils.clipGradNorm_([1 as unknown as torch.Tensor], 1)).toThrow(
      new TypeError('clipGradNorm_: parameters must be Tensors, but one of them is number'),
    );
    expect(() => nn.utils.clipGradNorm_([], '1' as unknown as number)).toThrow(new TypeError('clipGradNorm_: maxNorm must be a number, got string'));
    expect(() => nn.utils.clipGradNorm_([], 1, NaN)).toThrow(new TypeError('clipGradNorm_: normType must be a number, got NaN'));
  });
});

describe('clipGradValue_', () => {
  const cases = fixture.cases.filter((c) => c.kind === 'value');
  it.each(cases.map((c) => [`clipValue ${c.clip_value}`, c] as const))('matches PyTorch: %s', (label, c) => {
    const ps = params(c);
    expect(nn.utils.clipGradValue_(ps, c.clip_value as number)).toBeUndefined();
    expectGrads(ps, c, label);
  });

  it('rejects a clip value that is not a number', () => {
    expect(() => nn.utils.clipGradValue_([], undefined as unknown as number)).toThrow(
      new TypeError('clipGradValue_: clipValue must be a number, got undefined'),
    );
  });
});
