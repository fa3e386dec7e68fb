/**
 * `F.oneHot` against PyTorch's `F.one_hot` (`misc-ops.json`): shapes, int64 values, inferred and
 * given class counts, 0-d and empty inputs; and PyTorch's errors (dtype, negative, too large,
 * empty without a class count), each naming the op.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { loadFixture } from '../helpers/fixtures';

const F = torch.nn.functional;

interface Case {
  input: number[];
  shape: number[];
  numClasses: number;
  outShape: number[];
  dtype: string;
  values: number[];
}
const fixture = loadFixture<{ oneHot: Case[]; errors: Record<string, string> }>('misc-ops');

describe('F.oneHot against PyTorch', () => {
  for (const c of fixture.oneHot) {
    it(`${JSON.stringify(c.input)} numClasses ${c.numClasses}`, () => {
      const x = torch.tensor(c.input.map(BigInt), { dtype: 'int64' }).reshape(c.shape);
      const y = c.numClasses === -1 ? F.oneHot(x) : F.oneHot(x, c.numClasses);
      expect(y.shape).toEqual(c.outShape);
      expect(y.dtype).toBe(c.dtype);
      expect(Array.from(y.data as BigInt64Array, Number)).toEqual(c.values);
    });
  }

  it("throws PyTorch's errors with the op's name", () => {
    const e = fixture.errors;
    const check = (run: () => unknown, type: ErrorConstructor, message: string) => {
      expect(run).toThrow(type);
      expect(run).toThrow(message);
      expect(run).toThrow(/^one_hot/);
    };
    check(() => F.oneHot(torch.tensor([0n, 3n]), 3), RangeError, e.oneHotTooLarge);
    check(() => F.oneHot(torch.tensor([0n, -1n]), 3), RangeError, e.oneHotNegative);
    check(() => F.oneHot(torch.tensor([0, 1]), 3), TypeError, e.oneHotDtype);
    check(() => F.oneHot(torch.tensor([0, 1], { dtype: 'int32' }), 3), TypeError, e.oneHotDtype);
    check(() => F.oneHot(torch.tensor([], { dtype: 'int64' })), RangeError, e.oneHotEmpty);
    check(() => F.oneHot(torch.tensor([0n, 1n]), 0), RangeError, e.oneHotZeroClasses);
    check(() => F.oneHot(torch.tensor([0n]), 2.5), TypeError, "argument 'num_classes' must be an integer");
  });
});
