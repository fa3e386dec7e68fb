/**
 * Regression (formerly KNOWN_BUGS.md #2, found by the nn property): an absurd size failed inside
 * `new Float32Array` with V8's `RangeError: Invalid typed array length: 2251799813685248`, naming
 * neither the op nor the shape. PyTorch names the allocation (`DefaultCPUAllocator: not enough
 * memory: you tried to allocate N bytes`); kindling now throws a RangeError naming the op, the
 * dtype, the shape and the element and byte counts, before trying to allocate.
 */
import { kMaxLength } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { nn } from '../../../src';

const limit = `more than the ${kMaxLength} elements one typed array can hold`;
const refusal = (op: string, dtype: string, shape: string, elements: string, bytes: string) =>
  new RangeError(`${op}: cannot allocate ${dtype.startsWith('int') ? 'an' : 'a'} ${dtype} tensor of shape [${shape}] (${elements} elements, ${bytes} bytes): ${limit}`);

describe('absurd sizes', () => {
  it('the creation functions name themselves and the shape', () => {
    expect(() => torch.zeros([1e9, 1e9])).toThrow(refusal('zeros', 'float32', '1000000000, 1000000000', '1000000000000000000', '4000000000000000000'));
    expect(() => torch.empty([2 ** 40])).toThrow(refusal('empty', 'float32', '1099511627776', '1099511627776', '4398046511104'));
    expect(() => torch.ones(2 ** 20, 2 ** 20, { dtype: 'bool' })).toThrow(refusal('ones', 'bool', '1048576, 1048576', '1099511627776', '1099511627776'));
    expect(() => torch.full([2 ** 33], 7n)).toThrow(refusal('full', 'int64', '8589934592', '8589934592', '68719476736'));
    expect(() => torch.rand([2 ** 33])).toThrow(refusal('rand', 'float32', '8589934592', '8589934592', '34359738368'));
    expect(() => torch.randn(2 ** 17, 2 ** 17)).toThrow(refusal('randn', 'float32', '131072, 131072', '17179869184', '68719476736'));
    expect(() => torch.randint(0, 5, [2 ** 33])).toThrow(refusal('randint', 'int32', '8589934592', '8589934592', '34359738368'));
    expect(() => torch.randperm(2 ** 33)).toThrow(refusal('randperm', 'int32', '8589934592', '8589934592', '34359738368'));
    expect(() => torch.arange(0n, 2n ** 33n)).toThrow(refusal('arange', 'int64', '8589934592', '8589934592', '68719476736'));
  });

  it('nn.Linear names Linear and the parameter\'s shape', () => {
    expect(() => new nn.Linear(2 ** 51, 1)).toThrow(refusal('Linear', 'float32', '1, 2251799813685248', '2251799813685248', '9007199254740992'));
    expect(() => new nn.Linear(0, 1e15)).toThrow(refusal('Linear', 'float32', '1000000000000000', '1000000000000000', '4000000000000000'));
    // A zero-sized weight is fine whatever the other size (only the bias is allocated).
    expect(new nn.Linear(2 ** 51, 0).weight.shape).toEqual([0, 2 ** 51]);
  });

  it('broadcasting and expand name the op whose result would be too large', () => {
    const column = torch.zeros([100000, 1]);
    const row = torch.zeros([1, 100000]);
    const big = refusal('%', 'float32', '100000, 100000', '10000000000', '40000000000');
    for (const [op, f] of [['add', torch.add], ['mul', torch.mul], ['pow', torch.pow], ['maximum', torch.maximum], ['eq', torch.eq]] as const) {
      expect(() => (f as (a: torch.Tensor, b: torch.Tensor) => unknown)(column, row)).toThrow(new RangeError(big.message.replace('%', op)));
    }
    // expand is a view (stride 0, nothing allocated, as in PyTorch); making it contiguous allocates.
    const expanded = torch.zeros([1]).expand([100000, 100000]);
    expect(expanded.stride()).toEqual([0, 0]);
    expect(() => expanded.contiguous()).toThrow(new RangeError(big.message.replace('%', 'contiguous')));
  });
});

describe('absurd products', () => {
  it('an outer product too large to hold names matmul and its shape', () => {
    const column = torch.zeros([1e5, 1]);
    const row = torch.zeros([1, 1e5]);
    expect(() => torch.matmul(column, row)).toThrow(refusal('matmul', 'float32', '100000, 100000', '10000000000', '40000000000'));
    expect(() => column.mm(row)).toThrow(/^matmul: cannot allocate a float32 tensor of shape \[100000, 100000\]/);
  });
});
