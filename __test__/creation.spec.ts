import { describe, expect, it } from 'vitest';
import * as torch from '../src';
import { loadFixture } from './helpers/fixtures';

describe('tensor()', () => {
  it('infers the dtype from the JS type: numbers float32, bigints int64, booleans bool', () => {
    const i = torch.tensor([[1n, 2n, 3n], [4n, 5n, 6n]]);
    expect(i.dtype).toBe('int64');
    expect(i.data).toBeInstanceOf(BigInt64Array);
    expect(i.shape).toEqual([2, 3]);
    expect(torch.tensor([1, 2.5]).dtype).toBe('float32');
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.tensor([true, 2n]).dtype).toBe('int64');
    expect(torch.tensor([true, 2]).dtype).toBe('float32');
    expect(torch.tensor([1n, 2.5]).dtype).toBe('float32');
    expect(torch.tensor(3).shape).toEqual([]);
    expect(torch.tensor([]).dtype).toBe('float32');
    expect(torch.tensor([]).shape).toEqual([0]);
    expect(torch.tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('maps typed arrays by kind and always copies', () => {
    const src = new Float32Array([1, 2]);
    const t = torch.tensor(src);
    expect(t.dtype).toBe('float32');
    src[0] = 9;
    expect(t.data[0]).toBe(1);
    expect(torch.tensor(new Float64Array([0.5])).dtype).toBe('float32');
    expect(torch.tensor(new Int32Array([1])).dtype).toBe('int32');
    expect(torch.tensor(new Int16Array([1])).dtype).toBe('int32');
    expect(torch.tensor(new Uint16Array([65535])).tolist()).toEqual([65535]);
    expect(torch.tensor(new Uint8Array([1])).dtype).toBe('uint8');
    expect(torch.tensor(new BigInt64Array([5n])).tolist()).toEqual([5]);
    expect(torch.tensor(new BigInt64Array([5n])).dtype).toBe('int64');
    expect(torch.tensor(new Uint32Array([4294967295])).data).toEqual(new BigInt64Array([4294967295n]));
    expect(() => torch.tensor(new BigUint64Array([1n]) as never)).toThrow('tensor: unsupported typed array BigUint64Array');
  });

  it('converts to an explicit dtype and sets requiresGrad', () => {
    const t = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    expect(t.dtype).toBe('float32');
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(torch.tensor([1.7, -1.7], { dtype: torch.long }).tolist()).toEqual([1, -1]);
    expect(torch.tensor([0, 2], { dtype: torch.bool }).tolist()).toEqual([false, true]);
    expect(torch.int64).toBe('int64');
    expect(torch.long).toBe('int64');
  });

  it('rejects ragged arrays, bad values and integer tensors requiring grad', () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow('expected sequence of length 2 at dim 1 (got 1)');
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(torch.ShapeError);
    expect(() => torch.tensor(['a' as unknown as number])).toThrow(TypeError);
    expect(() => torch.tensor([1n, 2n], { requiresGrad: true })).toThrow(
      'tensor: only Tensors of floating point dtype can require gradients (got int64)',
    );
    expect(() => torch.tensor([1], { dtype: 'float64' as torch.DType })).toThrow(
      'tensor: unsupported dtype float64 (expected float32, int32, int64, uint8 or bool)',
    );
  });
});

describe('factories', () => {
  it('zeros/ones/empty/full accept varargs or an array, then options', () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.zeros([2, 3]).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(torch.ones(2, { dtype: torch.int32 }).tolist()).toEqual([1, 1]);
    expect(torch.ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(torch.empty(4).numel()).toBe(4);
    expect(torch.zeros().shape).toEqual([]);
    expect(torch.full([2], 0.5).tolist()).toEqual([0.5, 0.5]);
    expect(torch.full([2], 7).dtype).toBe('float32');
    expect(torch.full([2], 7n).dtype).toBe('int64');
    expect(torch.full([1], true).dtype).toBe('bool');
    expect(torch.full([2], 7, { dtype: torch.float32 }).dtype).toBe('float32');
  });

  it('zerosLike/onesLike/fullLike keep shape and dtype', () => {
    const x = torch.tensor([[1, 2]], { dtype: torch.int32 });
    expect(torch.zerosLike(x).dtype).toBe('int32');
    expect(torch.onesLike(x, { dtype: torch.float32 }).tolist()).toEqual([[1, 1]]);
    expect(torch.fullLike(x, 3).tolist()).toEqual([[3, 3]]);
  });

  it('arange follows PyTorch by JS type: numbers give float32, bigints int64', () => {
    expect(torch.arange(4).tolist()).toEqual([0, 1, 2, 3]);
    expect(torch.arange(4).dtype).toBe('float32');
    expect(torch.arange(4n).dtype).toBe('int64');
    expect(torch.arange(5n, 0n, -2n).tolist()).toEqual([5, 3, 1]);
    expect(torch.arange(1, 4).tolist()).toEqual([1, 2, 3]);
    expect(torch.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(torch.arange(0, 1, 0.25).dtype).toBe('float32');
    expect(torch.arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(torch.arange(3, { dtype: torch.float32 }).dtype).toBe('float32');
    expect(() => torch.arange(0, 1, 0)).toThrow('arange: step must be nonzero');
    expect(() => torch.arange(0, -1, 1)).toThrow('upper bound and larger bound inconsistent with step sign');
  });

  it('rejects negative and non-integer sizes', () => {
    expect(() => torch.zeros(-1)).toThrow('zeros: Dimension size must be non-negative.');
    expect(() => torch.zeros(-1)).toThrow(RangeError);
    expect(() => torch.ones(2.5)).toThrow('ones: sizes must be integers, but got 2.5 in [2.5]');
    expect(() => torch.ones(2.5)).toThrow(TypeError);
    expect(() => torch.full([-2], 1)).toThrow('full: Dimension size must be non-negative.');
  });
});

// ---- eye, linspace against PyTorch (misc-ops.json, scripts/fixtures/make_misc_ops_fixtures.py) ----

interface EyeCase {
  n: number;
  m: number | null;
  dtype: torch.DType;
  shape: number[];
  values: number[];
}
interface LinspaceCase {
  start: number;
  end: number;
  steps: number;
  dtype: torch.DType;
  values: number[];
}
const misc = loadFixture<{ eye: EyeCase[]; linspace: LinspaceCase[]; errors: Record<string, string> }>('misc-ops');

describe('eye', () => {
  for (const c of misc.eye) {
    it(`eye(${c.n}${c.m === null ? '' : `, ${c.m}`}) ${c.dtype}`, () => {
      const t = c.m === null ? torch.eye(c.n, { dtype: c.dtype }) : torch.eye(c.n, c.m, { dtype: c.dtype });
      expect(t.shape).toEqual(c.shape);
      expect(t.dtype).toBe(c.dtype);
      expect(Array.from(t.data as ArrayLike<number | bigint>, Number)).toEqual(c.values);
    });
  }

  it('defaults to float32, may require grad, and is bool-capable', () => {
    const t = torch.eye(2, { requiresGrad: true });
    expect(t.dtype).toBe('float32');
    expect(t.requiresGrad).toBe(true);
    expect(torch.eye(2, 3, { dtype: 'bool' }).tolist()).toEqual([[true, false, false], [false, true, false]]);
  });

  it("throws PyTorch's errors naming eye", () => {
    expect(() => torch.eye(-1)).toThrow(RangeError);
    expect(() => torch.eye(-1)).toThrow(`eye: ${misc.errors.eyeN}`);
    expect(() => torch.eye(2, -1)).toThrow(`eye: ${misc.errors.eyeM}`);
    expect(() => torch.eye(2.5)).toThrow(new TypeError("eye(): argument 'n' must be an integer, got 2.5"));
    expect(() => torch.eye(2, { dtype: 'int32', requiresGrad: true })).toThrow(TypeError);
    expect(() => torch.eye(2, { dtpye: 'int32' } as never)).toThrow(TypeError);
  });
});

describe('linspace', () => {
  for (const c of misc.linspace) {
    it(`linspace(${c.start}, ${c.end}, ${c.steps}) ${c.dtype} matches PyTorch bit for bit`, () => {
      const t = torch.linspace(c.start, c.end, c.steps, { dtype: c.dtype });
      expect(t.shape).toEqual([c.steps]);
      expect(t.dtype).toBe(c.dtype);
      // Exact: the fixture holds the float32 values' exact decimals.
      expect(Array.from(t.data as ArrayLike<number | bigint>, Number)).toEqual(c.values);
    });
  }

  it('is exact at both ends and may require grad', () => {
    const t = torch.linspace(0.1, 0.7, 7, { requiresGrad: true });
    expect(t.requiresGrad).toBe(true);
    expect(t.data[0]).toBe(Math.fround(0.1));
    expect(t.data[6]).toBe(Math.fround(0.7));
  });

  it("throws PyTorch's errors naming linspace", () => {
    expect(() => torch.linspace(0, 1, -1)).toThrow(RangeError);
    expect(() => torch.linspace(0, 1, -1)).toThrow(`linspace: ${misc.errors.linspaceSteps}`);
    expect(() => torch.linspace(0, 1, 2.5)).toThrow(new TypeError("linspace(): argument 'steps' must be an integer, got 2.5"));
    expect(() => torch.linspace(0, '1' as never, 3)).toThrow(new TypeError("linspace(): argument 'end' must be a number, got string"));
    expect(() => torch.linspace(0, 1, 3, { dtype: 'bool' })).toThrow(new TypeError(`"linspace_cpu" not implemented for 'Bool'`));
  });
});
