import { describe, expect, it } from 'vitest';
import { decode, expectClose, expectEqualValues, expectPyTorchError, loadFixture, nest, pytorchMessagePattern } from './fixtures';

describe('fixture helpers', () => {
  it('decodes exact float32 decimals, non-finite strings and base64', () => {
    const f = decode({ shape: [2, 2], dtype: 'float32', data: [0.10000000149011612, 'NaN', 'Infinity', '-Infinity'] });
    expect(f).toBeInstanceOf(Float32Array);
    expect(f[0]).toBe(Math.fround(0.1));
    expect(Number.isNaN(f[1])).toBe(true);
    expect([f[2], f[3]]).toEqual([Infinity, -Infinity]);
    const ints = new Int32Array([-100, 3, 7]);
    expect(decode({ shape: [3], dtype: 'int32', base64: Buffer.from(ints.buffer).toString('base64') })).toEqual(ints);
    expect(() => decode({ shape: [3], dtype: 'uint8', data: [1, 2] })).toThrow('fixtures: tensor of shape [3] has 2 values, expected 3');
  });

  it('decodes every committed fixture file', () => {
    for (const name of ['ops', 'modules', 'losses', 'optim', 'schedulers', 'init', 'seed_mlp']) {
      const doc = loadFixture<{ generator: string }>(name);
      expect(doc.generator).toBe('scripts/fixtures/make_fixtures.py');
    }
    const seed = loadFixture<{ pixels: { shape: number[]; dtype: 'uint8'; base64: string } }>('seed_mlp');
    expect(decode(seed.pixels).length).toBe(10 * 10 * 28 * 28);
  });

  it('nests flat row-major values into the shape', () => {
    expect(nest([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(nest([1, 2, 3, 4], [2, 1, 2])).toEqual([[[1, 2]], [[3, 4]]]);
    expect(nest([7], [])).toBe(7);
  });

  it('passes within tolerance and NaN against NaN', () => {
    expect(() => expectClose([1, 2.00001, NaN], [1, 2, NaN], { rtol: 1e-5, atol: 0 })).not.toThrow();
    expect(expectClose([1, 2.00001], [1, 2], { rtol: 1e-5, atol: 0 })).toBeCloseTo(0.5, 3);
    expect(expectClose([1, 2], [1, 2], { rtol: 0, atol: 0 })).toBe(0);
  });

  it('names the label, count, worst index with coordinates and both values on failure', () => {
    const expected = { shape: [2, 2], dtype: 'float32' as const, data: [1, 2, 3, 4] };
    expect(() => expectClose([1, 2.1, 3, 4.5], expected, { rtol: 1e-5, atol: 1e-6, label: 'ops/x output 0' })).toThrow(
      'ops/x output 0: 2 of 4 elements differ beyond atol=0.000001 + rtol=0.00001·|expected|; worst at index 3 [1, 1]: actual 4.5, expected 4 (abs err 5.000e-1, rel err 1.250e-1)',
    );
    expect(() => expectEqualValues([1, NaN], [1, 1], 'ints')).toThrow('ints: 1 of 2 elements differ');
    expect(() => expectClose([2], [1], { label: 'losses/x\nm = nn.MSELoss()' })).toThrow(/^losses\/x: 1 of 1 elements differ.*\nm = nn\.MSELoss\(\)$/);
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow('value: 2 elements, expected 3');
  });
});

describe('PyTorch error matching', () => {
  const fx = { case: 'ce', torch: 'nn.CrossEntropyLoss(label_smoothing=1.5)', type: 'RuntimeError', message: 'label_smoothing must be between 0.0 and 1.0. Got: 1.5', match: 'label_smoothing must be between 0.0 and 1.0. Got: 1.5' };

  it('accepts the snake_case or camelCase spelling of option names', () => {
    const p = pytorchMessagePattern(fx.match);
    expect(p.test('label_smoothing must be between 0.0 and 1.0. Got: 1.5')).toBe(true);
    expect(p.test('CrossEntropyLoss: labelSmoothing must be between 0.0 and 1.0. Got: 1.5')).toBe(true);
    expect(p.test('labelSmoothing must be between 0 and 1. Got: 1.5')).toBe(false);
  });

  it('requires a RangeError with the message', () => {
    expect(() => expectPyTorchError(() => { throw new RangeError('labelSmoothing must be between 0.0 and 1.0. Got: 1.5'); }, fx)).not.toThrow();
    expect(() => expectPyTorchError(() => { throw new TypeError('label_smoothing must be between 0.0 and 1.0. Got: 1.5'); }, fx)).toThrow('ce: threw TypeError, expected a RangeError (PyTorch: RuntimeError)');
    expect(() => expectPyTorchError(() => { throw new RangeError('bad'); }, fx)).toThrow('ce: message "bad"');
    expect(() => expectPyTorchError(() => 1, fx)).toThrow('ce: expected an error like PyTorch');
    expect(() => expectPyTorchError(undefined, fx)).toThrow('ce: the spec has no kindling call for nn.CrossEntropyLoss(label_smoothing=1.5)');
  });
});
