/**
 * `randomSplit(dataset, lengths, generator)`: non-overlapping random subsets, as
 * `torch.utils.data.random_split`.
 *
 * https://pytorch.org/docs/stable/data.html#torch.utils.data.random_split
 */
import { describeValue } from '../options';
import { type Dataset, Subset, checkSized } from './dataset';
import { Generator, randperm } from './random';

/**
 * Splits `dataset` into subsets of the given `lengths`. Lengths may be integers summing to the
 * dataset's length, or fractions summing to 1: each split then gets `floor(frac * length)` items
 * and the remainder is handed out one by one, round robin, as PyTorch does.
 *
 * @example
 * const [train, val] = randomSplit(dataset, [0.8, 0.2], new Generator().manualSeed(42));
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator?: Generator): Subset<T>[] {
  checkSized('randomSplit', dataset, 'dataset');
  if (generator !== undefined && !(generator instanceof Generator)) {
    throw new TypeError(
      `randomSplit: generator must be a Generator, as in randomSplit(dataset, [0.8, 0.2], new Generator().manualSeed(42)), got ${describeValue(generator)}`,
    );
  }
  let sizes = Array.from(lengths);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (isClose(total, 1) && total <= 1) {
    sizes = sizes.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(dataset.length * frac);
    });
    const remainder = dataset.length - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
    sizes.forEach((size, i) => {
      if (size === 0) {
        process.emitWarning(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
      }
    });
  }
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`randomSplit: lengths must be non-negative integers or fractions summing to 1 (got ${lengths.join(', ')})`);
    }
  }
  if (sizes.reduce((a, b) => a + b, 0) !== dataset.length) {
    throw new RangeError('Sum of input lengths does not equal the length of the input dataset!');
  }
  const indices = randperm(dataset.length, generator);
  let offset = 0;
  return sizes.map((size) => {
    const subset = new Subset(dataset, indices.subarray(offset, offset + size));
    offset += size;
    return subset;
  });
}

/** Python's `math.isclose` with its default relative tolerance. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
