/** Issue #11.4 for randomness: `new Generator(42)` no longer ignores the seed. */
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/random/generator';
import { Tensor } from '../../src/tensor';

describe('Generator options', () => {
  it('new Generator(42) throws and shows manualSeed instead of ignoring the seed', () => {
    expect(() => new Generator(42 as never)).toThrow(new TypeError('Generator: the constructor takes no seed; use new torch.Generator().manualSeed(42)'));
  });

  it("device may only be 'cpu'; unknown options are refused", () => {
    expect(() => new Generator('cpu' as never)).toThrow(new TypeError("Generator: the first argument is an options object; use new torch.Generator({ device: 'cpu' })"));
    expect(() => new Generator({ device: 'cuda' } as never)).toThrow(
      new TypeError("Generator: option 'device' is not supported by kindling yet (kindling's generators run on the CPU; use 'cpu')"),
    );
    expect(() => new Generator({ seed: 1 } as never)).toThrow(new TypeError("Generator got an unexpected option 'seed'"));
    expect(new Generator({ device: 'cpu' }).initialSeed()).toBe(67280421310721);
  });

  it('the { generator } option of the random fills is checked', () => {
    const t = new Tensor(new Float32Array(4), [4], 'float32');
    expect(() => t.uniform_(0, 1, { generater: new Generator() } as never)).toThrow(
      new TypeError("uniform_ got an unexpected option 'generater' (did you mean 'generator'?)"),
    );
    expect(() => t.normal_(0, 1, new Generator() as never)).toThrow("normal_ got an unexpected option");
  });
});
