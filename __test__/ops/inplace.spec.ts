import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { loadFixture } from '../helpers/fixtures';
import { expectUlps } from '../helpers/ulps';

describe('in-place helpers', () => {
  it('zero_/fill_/copy_/add_/mul_ write into the buffer (and views of it)', () => {
    const x = torch.zeros(2, 3);
    const v = x.reshape(6);
    x.fill_(2);
    expect(v.tolist()).toEqual([2, 2, 2, 2, 2, 2]);
    x.add_(torch.tensor([1, 2, 3]), { alpha: 0.5 });
    expect(x.tolist()).toEqual([[2.5, 3, 3.5], [2.5, 3, 3.5]]);
    x.mul_(2);
    expect(x.tolist()).toEqual([[5, 6, 7], [5, 6, 7]]);
    x.copy_(torch.tensor([[1], [2]]));
    expect(x.tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(x.zero_()).toBe(x);
    expect(x.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    const i = torch.zeros(2, { dtype: torch.int32 }).fill_(3.7);
    expect(i.tolist()).toEqual([3, 3]);
  });

  it('refuse a leaf requiring grad while grad mode is on, like PyTorch', () => {
    const w = torch.ones(3, { requiresGrad: true });
    expect(() => w.add_(1)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => w.zero_()).toThrow(torch.AutogradError);
    torch.noGrad(() => w.mul_(3));
    expect(w.tolist()).toEqual([3, 3, 3]);
    expect(() => w.mul(2).add_(1)).toThrow('add_: in-place operations on a tensor of a recorded graph are not supported');
  });

  it('check the broadcast result shape', () => {
    expect(() => torch.zeros(3).add_(torch.zeros(2, 3))).toThrow("add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  });

  it('uniform_/normal_ draw from the given or default generator', () => {
    const g = new torch.Generator().manualSeed(1);
    const u = torch.zeros(1000).uniform_(-2, 3, { generator: g });
    for (const v of u.data) {
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(3);
    }
    const again = torch.zeros(1000).uniform_(-2, 3, { generator: new torch.Generator().manualSeed(1) });
    expect(again.tolist()).toEqual(u.tolist());
    torch.manualSeed(2);
    const n = torch.zeros(5000).normal_(1, 2);
    const mean = n.mean().item();
    const std = Math.sqrt(n.sub(mean).pow(2).mean().item());
    expect(Math.abs(mean - 1)).toBeLessThan(0.1);
    expect(Math.abs(std - 2)).toBeLessThan(0.1);
    expect(() => torch.zeros(2, { dtype: torch.int32 }).uniform_()).toThrow('uniform_: expected a float32 tensor, got int32');
  });
});

// Regressions (#10.4): in-place ops wrote a result of a higher kind into the tensor, silently
// truncated or booleanised; PyTorch refuses by its casting rule.
describe('in-place ops obey PyTorch casting rules', () => {
  const long = (): torch.Tensor => torch.tensor([1n, 2n]);

  it('tensor([1, 2]).add_(tensor([0.7, 0.7])) throws instead of leaving [1, 2]', () => {
    expect(() => long().add_(torch.tensor([0.7, 0.7]))).toThrow(new TypeError("add_: result type Float can't be cast to the desired output type Long"));
    expect(() => torch.tensor([1, 2], { dtype: torch.int32 }).add_(torch.tensor([0.7, 0.7]))).toThrow(
      new TypeError("add_: result type Float can't be cast to the desired output type Int"),
    );
  });

  it('int.mul_(0.5) throws instead of truncating', () => {
    expect(() => long().mul_(0.5)).toThrow(new TypeError("mul_: result type Float can't be cast to the desired output type Long"));
  });

  it('bool.add_(0.5) throws instead of giving [true, true]; bool.add_(1) too; bool.add_(bool) is a logical or', () => {
    const b = (): torch.Tensor => torch.tensor([true, false]);
    expect(() => b().add_(0.5)).toThrow(new TypeError("add_: result type Float can't be cast to the desired output type Bool"));
    expect(() => b().add_(1)).toThrow(new TypeError("add_: result type Long can't be cast to the desired output type Bool"));
    expect(b().add_(torch.tensor([true, true])).tolist()).toEqual([true, true]);
  });

  it('int fill_(NaN) throws instead of filling zeros; fractions truncate; uint8 wraps negatives', () => {
    expect(() => torch.tensor([1, 2], { dtype: torch.int32 }).fill_(NaN)).toThrow(
      new RangeError('fill_: value NaN cannot be converted to type int32_t without overflow'),
    );
    expect(() => long().fill_(Infinity)).toThrow(new RangeError('fill_: value Infinity cannot be converted to type int64_t without overflow'));
    expect(() => long().fill_(2n ** 63n)).toThrow(new RangeError('fill_: value 9223372036854775808 cannot be converted to type int64_t without overflow'));
    expect(torch.tensor([1, 2], { dtype: torch.int32 }).fill_(0.5).tolist()).toEqual([0, 0]);
    expect(torch.tensor([1n]).fill_(2n ** 62n).itemBigInt()).toBe(2n ** 62n);
    expect(torch.tensor([1, 2], { dtype: torch.uint8 }).fill_(-1).tolist()).toEqual([255, 255]);
    expect(() => torch.tensor([1], { dtype: torch.uint8 }).fill_(256)).toThrow(new RangeError('fill_: value 256 cannot be converted to type uint8_t without overflow'));
    expect(torch.tensor([true]).fill_(0.5).tolist()).toEqual([true]);
    expect(long().zero_().tolist()).toEqual([0, 0]);
  });

  it('allowed casts still write: an integer result into float32, uint8 add_ of int64 wraps, copy_ converts any dtype', () => {
    expect(torch.tensor([0.5, 1]).add_(long()).tolist()).toEqual([1.5, 3]);
    expect(torch.tensor([1, 2], { dtype: torch.uint8 }).add_(torch.tensor([255n, 2n])).tolist()).toEqual([0, 4]);
    expect(long().copy_(torch.tensor([2.9, -2.9])).tolist()).toEqual([2, -2]);
    expect(() => long().copy_(torch.tensor([NaN, 1]))).toThrow(new RangeError('copy_: value NaN cannot be converted to type int64_t without overflow'));
    expect(() => torch.tensor([1], { dtype: torch.int32 }).add_(torch.tensor([2n ** 40n]))).toThrow(
      new RangeError('add_: value 1099511627777 cannot be converted to type int32_t without overflow'),
    );
  });
});

// ---- sub_, div_, clamp_ (misc-ops.json, scripts/fixtures/make_misc_ops_fixtures.py) ----

interface InplaceFixture {
  a: number[];
  b: number[];
  c: number[];
  shape: number[];
  [result: string]: number[] | string;
}
const misc = loadFixture<{ inplace: InplaceFixture }>('misc-ops').inplace;

describe('sub_ / div_ / clamp_ / clampMin_ / clampMax_', () => {
  const a = () => torch.tensor(misc.a).reshape(misc.shape);
  const b = torch.tensor(misc.b);
  const c = torch.tensor(misc.c).reshape(misc.shape);
  const cases: [string, (x: torch.Tensor) => torch.Tensor][] = [
    ['sub', (x) => x.sub_(b)],
    ['subAlpha', (x) => x.sub_(b, { alpha: 2.5 })],
    ['subScalar', (x) => x.sub_(0.75, { alpha: 2 })],
    ['div', (x) => x.div_(c)],
    ['divScalar', (x) => x.div_(3)],
    ['divBroadcast', (x) => x.div_(b)],
    ['clamp', (x) => x.clamp_(-0.5, 0.5)],
    ['clampMin', (x) => x.clampMin_(0.1)],
    ['clampMax', (x) => x.clampMax_(-0.1)],
  ];
  for (const [name, run] of cases) {
    it(`${name}: writes PyTorch's values into the same tensor and bumps its version once`, () => {
      const x = a();
      const before = x._version;
      expect(run(x)).toBe(x);
      expect(x._version).toBe(before + 1);
      if (name === 'subAlpha') {
        // PyTorch fuses `a − alpha·b` into one FMA; kindling's sub/add (and so sub_/add_) round
        // alpha·b first, so an element may be 1 ulp off.
        expectUlps(x.data as Float32Array, misc[name] as number[], 1, name);
      } else {
        // Exact: one IEEE operation per element, as PyTorch's kernels.
        expect(Array.from(x.data as Float32Array)).toEqual(misc[name]);
      }
    });
  }

  it('writes through a view into its base', () => {
    const x = a();
    x.select(0, 1).sub_(1).div_(2).clamp_(null, 0);
    const expected = (misc.a as number[]).map((v, i) => (i < 3 ? v : Math.min(Math.fround(Math.fround(v - 1) / 2), 0)));
    expect(Array.from(x.data as Float32Array)).toEqual(expected);
  });

  it("refuses what PyTorch refuses: a leaf requiring grad, an integer tensor's float quotient, no clamp bound", () => {
    const w = torch.ones(2, { requiresGrad: true });
    for (const run of [() => w.sub_(1), () => w.div_(2), () => w.clamp_(0, 1), () => w.clampMin_(0), () => w.clampMax_(1)]) {
      expect(run).toThrow(torch.AutogradError);
      expect(run).toThrow(misc.leaf as string);
    }
    torch.noGrad(() => w.sub_(0.5).div_(0.25));
    expect(w.tolist()).toEqual([2, 2]);
    expect(() => w.mul(2).div_(2)).toThrow('div_: in-place operations on a tensor of a recorded graph are not supported');
    expect(() => torch.zeros(2, { dtype: 'int64' }).div_(2)).toThrow(new TypeError(`div_: ${misc.intDiv}`));
    expect(() => torch.zeros(2).clamp_()).toThrow(new TypeError(misc.clampNone as string));
    expect(() => torch.zeros(2).clamp_('1' as never)).toThrow(new TypeError("clamp_(): argument 'min' must be a number, got string '1'"));
    expect(() => torch.zeros(2).clampMin_(null as never)).toThrow(/^clamp_min_\(\): argument 'min' must be a number/);
    expect(() => torch.zeros(2).sub_(1, { alhpa: 2 } as never)).toThrow(TypeError);
    expect(() => torch.zeros(2).sub_(torch.zeros(3))).toThrow(RangeError);
    const mask = torch.tensor([true, false]);
    expect(() => mask.sub_(mask)).toThrow(new TypeError('sub_: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.'));
  });

  it('makes backward throw when a tensor saved for it was modified in place (as PyTorch)', () => {
    for (const modify of [(t: torch.Tensor) => t.sub_(1), (t: torch.Tensor) => t.div_(2), (t: torch.Tensor) => t.clamp_(0, 0.5), (t: torch.Tensor) => t.clampMax_(0.5)]) {
      const x = torch.ones(2, { requiresGrad: true });
      const w = torch.ones(2);
      const y = x.mul(w); // saves w for x's gradient
      modify(w);
      expect(() => y.sum().backward()).toThrow(misc.saved as string);
    }
  });
});
