/**
 * Regression (formerly KNOWN_BUGS.md #1, found by the reduction property): a dim that is not an integer
 * (0.5, NaN, Infinity, -5e-324) threw `TypeError: dim must be an integer, but got 0.5`, naming no
 * op. PyTorch names the op and the argument (`flatten(): argument 'start_dim' (position 2) must be
 * int, not float`); kindling now says `sum(): argument 'dim' must be an integer, but got 0.5`.
 * Integer dims out of range keep PyTorch's `Dimension out of range (…)` wording.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { nn } from '../../../src';

const x = () => torch.zeros([2, 3]);
const bad = (op: string, got: string, argument = 'dim') => new TypeError(`${op}(): argument '${argument}' must be an integer, but got ${got}`);

describe('a non-integer dim', () => {
  it('names the reduction and softmax ops (log_softmax for logSoftmax, as PyTorch)', () => {
    expect(() => torch.sum(x(), 0.5)).toThrow(bad('sum', '0.5'));
    expect(() => torch.sum(x(), [0, NaN])).toThrow(bad('sum', 'NaN'));
    expect(() => torch.mean(x(), Infinity)).toThrow(bad('mean', 'Infinity'));
    expect(() => torch.max(x(), -5e-324)).toThrow(bad('max', '-5e-324'));
    expect(() => torch.min(x(), 0.5)).toThrow(bad('min', '0.5'));
    expect(() => torch.argmax(x(), 0.5)).toThrow(bad('argmax', '0.5'));
    expect(() => torch.argmin(x(), -Infinity)).toThrow(bad('argmin', '-Infinity'));
    expect(() => torch.softmax(x(), 0.5)).toThrow(bad('softmax', '0.5'));
    expect(() => torch.logSoftmax(x(), NaN)).toThrow(bad('log_softmax', 'NaN'));
    expect(() => x().sum(1.5)).toThrow(bad('sum', '1.5'));
    expect(() => new nn.Softmax(0.5).forward(x())).toThrow(bad('softmax', '0.5'));
  });

  it('names the shape and join ops, with the argument name where it is not dim', () => {
    expect(() => torch.cat([x(), x()], 0.5)).toThrow(bad('cat', '0.5'));
    expect(() => torch.stack([x(), x()], NaN)).toThrow(bad('stack', 'NaN'));
    expect(() => torch.flatten(x(), 0.5)).toThrow(bad('flatten', '0.5', 'startDim'));
    expect(() => torch.flatten(x(), 0, Infinity)).toThrow(bad('flatten', 'Infinity', 'endDim'));
    expect(() => torch.unsqueeze(x(), 0.5)).toThrow(bad('unsqueeze', '0.5'));
    expect(() => torch.squeeze(x(), 0.5)).toThrow(bad('squeeze', '0.5'));
    expect(() => torch.transpose(x(), 0.5, 1)).toThrow(bad('transpose', '0.5', 'dim0'));
    expect(() => torch.transpose(x(), 0, 0.5)).toThrow(bad('transpose', '0.5', 'dim1'));
    expect(() => torch.permute(x(), [0.5, 1])).toThrow(bad('permute', '0.5'));
    expect(() => x().size(0.5)).toThrow(bad('size', '0.5'));
  });

  it('is checked on a 0-d tensor too, as PyTorch (flatten of a scalar used to skip the check)', () => {
    expect(() => torch.flatten(torch.tensor(1), 0.5)).toThrow(bad('flatten', '0.5', 'startDim'));
    expect(() => torch.flatten(torch.tensor(1), 5)).toThrow(new RangeError('Dimension out of range (expected to be in range of [-1, 0], but got 5)'));
    expect(torch.flatten(torch.tensor(1), 0, -1).shape).toEqual([1]);
  });

  it('an integer dim out of range keeps PyTorch\'s wording', () => {
    expect(() => torch.sum(x(), 5)).toThrow(new RangeError('Dimension out of range (expected to be in range of [-2, 1], but got 5)'));
    expect(() => torch.logSoftmax(x(), -3)).toThrow(new RangeError('Dimension out of range (expected to be in range of [-2, 1], but got -3)'));
    expect(() => torch.unsqueeze(x(), 3)).toThrow(new RangeError('Dimension out of range (expected to be in range of [-3, 2], but got 3)'));
  });
});
