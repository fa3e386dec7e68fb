/**
 * Indexing and manipulation (#14) against PyTorch (`__test__/fixtures/index.json`, written by
 * `scripts/fixtures/make_index_fixtures.py`): every output and its dtype, the grad_fn name, the
 * gradient of every float input for the recorded upstream gradients, and PyTorch's error messages.
 *
 * Tolerances: outputs are data movement (or one IEEE operation per element: scatter's add and
 * multiply), so they must be bit-exact. Gradients are sums of upstream gradients where indices
 * repeat (scatter-add, index backward, repeat), in an order that may differ from PyTorch's: held
 * to rtol 1e-6 / atol 1e-7 (a few ulps of sums of a handful of unit normals).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { type EncodedTensor, expectClose, expectEqualValues, loadFixture, toTensor as nestedTensor } from '../helpers/fixtures';

/** `toTensor`, keeping the shape of an empty tensor (nested arrays lose every size after a 0). */
function toTensor(enc: EncodedTensor, options: { requiresGrad?: boolean } = {}): torch.Tensor {
  if (enc.shape.includes(0)) return torch.zeros(enc.shape, { dtype: enc.dtype, requiresGrad: options.requiresGrad ?? false });
  return nestedTensor(enc, options);
}

interface IndexCase {
  name: string;
  op: string;
  torch: string;
  args: Record<string, unknown>;
  inputs: Record<string, EncodedTensor>;
  outputs: EncodedTensor[];
  gradFn: string | null;
  gradOutputs?: EncodedTensor[];
  grads?: Record<string, EncodedTensor>;
}

interface IndexError {
  case: string;
  torch: string;
  type: string;
  message: string;
}

type Inputs = Record<string, torch.Tensor>;
type Item = { kind: string; value?: number | boolean; start?: number | null; stop?: number | null; step?: number | null; name?: string };

const file = loadFixture<{ cases: IndexCase[]; errors: IndexError[] }>('index');

const n = (v: unknown): number => (v === '-Infinity' ? -Infinity : v === 'Infinity' ? Infinity : (v as number));

/** A fixture slice in Python syntax (`'1:3'`, `'::2'`); every other one through `torch.slice` so both spellings run. */
let sliceCount = 0;
function sliceItem(item: Item): torch.IndexItem {
  sliceCount++;
  if (sliceCount % 2 === 0) return torch.slice(item.start ?? null, item.stop ?? null, item.step ?? null);
  const part = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));
  return item.step === null || item.step === undefined ? `${part(item.start)}:${part(item.stop)}` : `${part(item.start)}:${part(item.stop)}:${part(item.step)}`;
}

function indexItems(items: Item[], x: Inputs): torch.IndexItem[] {
  return items.map((item) => {
    switch (item.kind) {
      case 'int':
        return item.value as number;
      case 'slice':
        return sliceItem(item);
      case 'none':
        return null;
      case 'ellipsis':
        return '...';
      case 'bool':
        return item.value as boolean;
      default:
        return x[item.name as string];
    }
  });
}

/** The kindling call for each `op` of the fixtures (the PyTorch code is in each case's `torch`). */
const KINDLING: Record<string, (x: Inputs, args: Record<string, unknown>) => torch.Tensor | torch.Tensor[]> = {
  indexSelect: ({ x, idx }, a) => x.indexSelect(a.dim as number, idx),
  gather: ({ x, idx }, a) => torch.gather(x, a.dim as number, idx),
  scatter: ({ x, idx, src }, a) => x.scatter(a.dim as number, idx, src, a.reduce === undefined ? undefined : { reduce: a.reduce as 'add' | 'multiply' }),
  scatterValue: ({ x, idx }, a) => torch.scatter(x, a.dim as number, idx, a.value as number, a.reduce === undefined ? undefined : { reduce: a.reduce as 'add' | 'multiply' }),
  scatterAdd: ({ x, idx, src }, a) => x.scatterAdd(a.dim as number, idx, src),
  take: ({ x, idx }) => x.take(idx),
  where: ({ c, x, y }) => torch.where(c, x, y),
  whereScalarY: ({ c, x }, a) => x.where(c, a.y as number),
  whereScalarX: ({ c, y }, a) => torch.where(c, a.x as number, y),
  whereNonzero: ({ c }) => torch.where(c),
  maskedFill: ({ x, m }, a) => x.maskedFill(m, n(a.value)),
  maskedFillTensor: ({ x, m, v }) => torch.maskedFill(x, m, v),
  maskedSelect: ({ x, m }) => x.maskedSelect(m),
  split: ({ x }, a) => x.split(a.split as number | number[], a.dim as number),
  chunk: ({ x }, a) => torch.chunk(x, a.chunks as number, a.dim as number),
  unbind: ({ x }, a) => x.unbind(a.dim as number),
  repeat: ({ x }, a) => x.repeat(...(a.sizes as number[])),
  flip: ({ x }, a) => x.flip(...(a.dims as number[])),
  roll: ({ x }, a) => x.roll(a.shifts as number | number[], a.dims as number | number[] | undefined),
  tril: ({ x }, a) => x.tril(a.diagonal as number),
  triu: ({ x }, a) => torch.triu(x, a.diagonal as number),
  index: (x, a) => x.x.index(...indexItems(a.items as Item[], x)),
  indexPut: (x, a) => x.x.indexPut(x.m !== undefined ? [x.m] : x.j !== undefined ? [x.i, x.j] : [x.i], x.v, { accumulate: a.accumulate as boolean }),
  cat: ({ a, b }, args) => torch.cat([a, b, a], args.dim as number),
  stack: ({ a, b }, args) => torch.stack([a, b], args.dim as number),
};

describe('indexing and manipulation match PyTorch (outputs, grad_fn, gradients)', () => {
  for (const fx of file.cases) {
    it(`${fx.name}: ${fx.torch}`, () => {
      const inputs: Inputs = {};
      for (const [name, enc] of Object.entries(fx.inputs)) {
        inputs[name] = toTensor(enc, { requiresGrad: fx.grads !== undefined && name in fx.grads });
      }
      const run = KINDLING[fx.op];
      expect(run, `no kindling call for ${fx.op}`).toBeDefined();
      const result = run(inputs, fx.args);
      const outs = Array.isArray(result) ? result : [result];
      expect(outs.length, `${fx.name}: number of outputs`).toBe(fx.outputs.length);
      outs.forEach((out, i) => {
        expect(out.dtype, `${fx.name}: output ${i} dtype`).toBe(fx.outputs[i].dtype);
        expectEqualValues(out, fx.outputs[i], `${fx.name} output ${i}`);
      });
      expect(outs[0].gradFn?.name ?? null, `${fx.name}: grad_fn`).toBe(fx.gradFn);
      if (fx.grads === undefined || fx.gradOutputs === undefined) return;
      let total: torch.Tensor | null = null;
      outs.forEach((out, i) => {
        const term = out.mul(toTensor((fx.gradOutputs as EncodedTensor[])[i])).sum();
        total = total === null ? term : total.add(term);
      });
      (total as unknown as torch.Tensor).backward();
      for (const [name, expected] of Object.entries(fx.grads)) {
        expectClose(inputs[name].grad as torch.Tensor, expected, { rtol: 1e-6, atol: 1e-7, label: `${fx.name} grad ${name}` });
      }
    });
  }
});

const long = (values: number[] | number[][]): torch.Tensor => torch.tensor(values as number[], { dtype: torch.int64 });
const x = (): torch.Tensor => torch.randn(3, 4);
const m4 = (): torch.Tensor => torch.tensor([true, false, true, false]);

/** The kindling call for each PyTorch snippet in `errors`, and the JS error class it must throw. */
const ERRORS: Record<string, [ErrorConstructor | typeof torch.AutogradError, () => unknown]> = {
  index_select_float_index: [TypeError, () => x().indexSelect(0, torch.tensor([0]))],
  index_select_2d_index: [RangeError, () => x().indexSelect(0, long([[0, 1]]))],
  index_select_out_of_range: [RangeError, () => x().indexSelect(0, long([3]))],
  index_select_negative: [RangeError, () => x().indexSelect(1, long([-1]))],
  index_select_bad_dim: [RangeError, () => x().indexSelect(2, long([0]))],
  index_select_scalar_many: [RangeError, () => torch.tensor(1).indexSelect(0, long([0, 0]))],
  gather_rank: [RangeError, () => x().gather(1, long([0, 1]))],
  gather_out_of_bounds: [RangeError, () => x().gather(1, long([[4, 1]]))],
  gather_negative: [RangeError, () => x().gather(1, long([[-1, 1]]))],
  gather_size: [RangeError, () => x().gather(0, long([[0, 1, 2, 2, 0]]))],
  gather_float_index: [TypeError, () => x().gather(1, torch.tensor([[0]]))],
  scatter_reduce_mean: [RangeError, () => x().scatter(1, long([[0, 1]]), x(), { reduce: 'mean' as 'add' })],
  scatter_out_of_bounds: [RangeError, () => x().scatter(1, long([[0, 5]]), x())],
  scatter_index_too_big: [RangeError, () => x().scatter(1, long([[0, 1, 1, 1, 1]]), x())],
  scatter_src_too_small: [RangeError, () => x().scatter(1, long([[0, 1]]), torch.zeros(1, 1))],
  scatter_dtype: [TypeError, () => x().scatter(1, long([[0, 1]]), torch.zeros([1, 2], { dtype: torch.int64 }))],
  scatter_rank: [RangeError, () => x().scatter(0, long([0, 1]), torch.ones(2))],
  scatter_src_rank: [RangeError, () => torch.ones(3).scatter(0, long([0, 1]), torch.ones(2, 2))],
  scatter_float_index: [TypeError, () => x().scatter(1, torch.tensor([[0]]), 1)],
  scatter_add_dtype: [TypeError, () => x().scatterAdd(1, long([[0, 1]]), torch.zeros([1, 1], { dtype: torch.int64 }))],
  take_int32: [TypeError, () => x().take(torch.tensor([1], { dtype: torch.int32 }))],
  take_out_of_range: [RangeError, () => x().take(long([12]))],
  take_negative_out_of_range: [RangeError, () => x().take(long([-13]))],
  where_int_condition: [TypeError, () => torch.where(m4().int(), x(), 0)],
  where_long_condition: [TypeError, () => torch.where(m4().long(), x(), 0)],
  where_broadcast: [RangeError, () => torch.where(torch.ones([2, 1], { dtype: torch.bool }), x(), 0)],
  masked_fill_int_mask: [TypeError, () => x().maskedFill(m4().int(), 1)],
  masked_fill_long_mask: [TypeError, () => x().maskedFill(m4().long(), 1)],
  masked_fill_float_mask: [TypeError, () => x().maskedFill(m4().float(), 1)],
  masked_fill_value_dims: [RangeError, () => x().maskedFill(m4(), torch.tensor([1]))],
  masked_fill_broadcast: [RangeError, () => x().maskedFill(torch.ones([5], { dtype: torch.bool }), 1)],
  masked_fill__shape: [RangeError, () => x().maskedFill_(torch.ones([2, 1, 4], { dtype: torch.bool }), 1)],
  masked_select_uint8: [TypeError, () => x().maskedSelect(m4().to(torch.uint8))],
  masked_select_broadcast: [RangeError, () => x().maskedSelect(torch.ones([5], { dtype: torch.bool }))],
  split_sizes_sum: [RangeError, () => x().split([1, 2], 1)],
  split_sizes_negative: [RangeError, () => x().split([1, -1, 4], 1)],
  split_zero: [RangeError, () => x().split(0, 1)],
  split_negative: [RangeError, () => x().split(-1, 1)],
  split_0d: [RangeError, () => torch.tensor(1).split(1)],
  chunk_zero: [RangeError, () => x().chunk(0)],
  chunk_0d: [RangeError, () => torch.tensor(1).chunk(1)],
  unbind_0d: [RangeError, () => torch.tensor(1).unbind(0)],
  unbind_bad_dim: [RangeError, () => x().unbind(2)],
  repeat_too_few: [RangeError, () => x().repeat(2)],
  repeat_negative: [RangeError, () => x().repeat(-1, 2)],
  flip_duplicate: [RangeError, () => x().flip(0, 0)],
  flip_bad_dim: [RangeError, () => x().flip(2)],
  roll_misaligned: [RangeError, () => x().roll([1, -2], [0])],
  roll_no_shifts: [RangeError, () => x().roll([], [])],
  tril_1d: [RangeError, () => torch.zeros(3).tril()],
  triu_1d: [RangeError, () => torch.zeros(3).triu()],
  index_out_of_bounds: [RangeError, () => x().index(5)],
  index_out_of_bounds_dim1: [RangeError, () => x().index(':', -5)],
  index_int_then_int: [RangeError, () => x().index(1, 5)],
  index_too_many: [RangeError, () => x().index(1, 2, 3)],
  index_0d_int: [RangeError, () => torch.tensor(3).index(0)],
  index_negative_step: [RangeError, () => x().index('::-1')],
  index_tensor_out_of_bounds: [RangeError, () => x().index(long([0, 5]))],
  index_tensor_out_of_bounds_second: [RangeError, () => x().index(long([0]), long([-9]))],
  index_float_tensor: [TypeError, () => x().index(torch.tensor([0.5]))],
  index_mask_shape: [RangeError, () => x().index(torch.tensor([true, false]))],
  index_broadcast: [RangeError, () => x().index(long([1, 0]), long([1, 2, 0]))],
  index_put_values_shape: [RangeError, () => x().indexPut_([long([0, 0])], torch.ones(3))],
  index_put_dtype: [TypeError, () => x().indexPut_([long([0, 0])], torch.ones([1, 4], { dtype: torch.int64 }))],
  index_put_too_many: [RangeError, () => x().indexPut_([long([0, 0]), long([0, 0]), long([0, 0])], torch.ones(2))],
  index_put_out_of_bounds: [RangeError, () => x().indexPut_([long([7])], torch.ones(4))],
  set_index_values_shape: [RangeError, () => x().setIndex_([long([0, 1])], torch.ones(3))],
  scatter_reduce_backward: [
    torch.AutogradError,
    () => {
      const s = torch.randn(1, 2, { requiresGrad: true });
      torch.zeros(3, 4).scatter(1, long([[0, 1]]), s, { reduce: 'add' }).sum().backward();
    },
  ],
};

describe("indexing errors carry PyTorch's messages", () => {
  for (const fx of file.errors) {
    it(`${fx.case}: ${fx.torch}`, () => {
      const entry = ERRORS[fx.case];
      expect(entry, `no kindling call for ${fx.case}`).toBeDefined();
      const [type, run] = entry;
      let caught: unknown;
      try {
        run();
      } catch (e) {
        caught = e;
      }
      expect(caught, `${fx.case} did not throw (PyTorch: ${fx.type}: ${fx.message})`).toBeInstanceOf(type);
      expect((caught as Error).message).toContain(fx.message);
    });
  }
});
