/**
 * Regression (found by the CrossEntropyLoss property): a Symbol as `reduction` or `labelSmoothing`
 * threw JS's own "Cannot convert a Symbol value to a string/number" (naming no op), and a
 * non-integer `ignoreIndex` (0.5, '1', 2^40) reached the int32 binding unchecked. Now each is a
 * TypeError/RangeError naming the op and the argument, in PyTorch's words.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { nn } from '../../../src';

const input = torch.zeros([2, 3]);
const target = torch.tensor([0, 1], { dtype: 'int32' });

describe('loss options of the wrong type', () => {
  it('a Symbol reduction is a RangeError naming the value, from the module and from the function', () => {
    const reduction = Symbol('mean') as unknown as 'mean';
    expect(() => new nn.CrossEntropyLoss({ reduction })).toThrow(new RangeError('Symbol(mean) is not a valid value for reduction'));
    expect(() => nn.functional.crossEntropy(input, target, { reduction })).toThrow(/^Symbol\(mean\) is not a valid value for reduction$/);
  });

  it('a non-number labelSmoothing is a TypeError naming cross_entropy and label_smoothing', () => {
    const labelSmoothing = Symbol('s') as unknown as number;
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing }).forward(input, target)).toThrow(
      new TypeError("cross_entropy(): argument 'label_smoothing' must be float, not symbol"),
    );
    expect(() => nn.functional.crossEntropy(input, target, { labelSmoothing: '0.1' as unknown as number })).toThrow(/must be float, not str/);
  });

  it('a non-integer ignoreIndex is a TypeError naming the op and ignore_index', () => {
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: 0.5 }).forward(input, target)).toThrow(
      new TypeError("cross_entropy(): argument 'ignore_index' must be int (a 32-bit integer), not float 0.5"),
    );
    expect(() => new nn.NLLLoss({ ignoreIndex: '1' as unknown as number }).forward(input, target)).toThrow(/^nll_loss\(\): argument 'ignore_index' must be int/);
    expect(() => nn.functional.crossEntropy(input, target, { ignoreIndex: 2 ** 40 })).toThrow(TypeError);
  });

  it('valid options still work (ignoreIndex inside the int32 range)', () => {
    const loss = new nn.CrossEntropyLoss({ ignoreIndex: 1, reduction: 'sum' }).forward(input, target);
    expect(loss.item()).toBeCloseTo(Math.log(3), 5);
  });
});
