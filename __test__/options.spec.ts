import { describe, expect, it } from 'vitest';
import { checkOptions, closestOption, positionalOptionError } from '../src/options';

describe('checkOptions', () => {
  const spec = { batchSize: 'integer|null', shuffle: 'boolean', lr: 'number', pinMemory: { notImplemented: 'no pinned memory on CPU' } } as const;

  it('accepts undefined, an empty object and known keys of the right kind', () => {
    expect(() => checkOptions('DataLoader', undefined, spec)).not.toThrow();
    expect(() => checkOptions('DataLoader', {}, spec)).not.toThrow();
    expect(() => checkOptions('DataLoader', { batchSize: null, shuffle: true, lr: 0.1 }, spec)).not.toThrow();
    expect(() => checkOptions('DataLoader', { batchSize: undefined }, spec)).not.toThrow();
  });

  it('names an unknown key and suggests the camelCase spelling', () => {
    expect(() => checkOptions('DataLoader', { batch_size: 5 }, spec)).toThrow(
      new TypeError("DataLoader got an unexpected option 'batch_size' (did you mean 'batchSize'?)"),
    );
    expect(() => checkOptions('DataLoader', { shufle: true }, spec)).toThrow("(did you mean 'shuffle'?)");
    expect(() => checkOptions('DataLoader', { colour: 1 }, spec)).toThrow(new TypeError("DataLoader got an unexpected option 'colour'"));
  });

  it('names the expected and the given type', () => {
    expect(() => checkOptions('Adam', { lr: '0.1' }, spec)).toThrow(new TypeError("Adam: option 'lr' must be a number, got string '0.1'"));
    expect(() => checkOptions('DataLoader', { batchSize: 2.5 }, spec)).toThrow(
      new TypeError("DataLoader: option 'batchSize' must be an integer or null, got number 2.5"),
    );
  });

  it('refuses options that are not implemented rather than ignoring them', () => {
    expect(() => checkOptions('DataLoader', { pinMemory: true }, spec)).toThrow(
      new TypeError("DataLoader: option 'pinMemory' is not supported by kindling yet (no pinned memory on CPU)"),
    );
  });

  it('refuses a non-object', () => {
    expect(() => checkOptions('Linear', false, spec)).toThrow(new TypeError('Linear: options must be an object, got boolean false'));
    expect(() => checkOptions('Linear', [1], spec)).toThrow('options must be an object, got array');
  });

  it('runs a custom check', () => {
    const custom = { p: (v: unknown) => (typeof v === 'number' && v >= 0 ? null : 'a non-negative number') };
    expect(() => checkOptions('X', { p: -1 }, custom)).toThrow(new TypeError("X: option 'p' must be a non-negative number, got number -1"));
  });

  it('closestOption finds typos but not unrelated names', () => {
    expect(closestOption('weight_decay', ['lr', 'weightDecay'])).toBe('weightDecay');
    expect(closestOption('betas', ['lr', 'betas'])).toBe('betas');
    expect(closestOption('zzz', ['lr', 'betas'])).toBeNull();
  });

  it('accepts the values of a not-implemented option that ask for what kindling does (unless)', () => {
    const backward = { retainGraph: 'boolean', createGraph: { notImplemented: 'no higher-order gradients', unless: [false] } } as const;
    expect(() => checkOptions('backward', { createGraph: false }, backward)).not.toThrow();
    expect(() => checkOptions('backward', { createGraph: true }, backward)).toThrow(
      new TypeError("backward: option 'createGraph' is not supported by kindling yet (no higher-order gradients)"),
    );
  });

  it('names a missing required option', () => {
    const steps = { stepSize: 'integer', gamma: 'number' } as const;
    expect(() => checkOptions('StepLR', { gamma: 0.5 }, steps, ['stepSize'])).toThrow(new TypeError("StepLR: missing the required option 'stepSize'"));
    expect(() => checkOptions('StepLR', undefined, steps, ['stepSize'])).toThrow(new TypeError("StepLR: missing the required option 'stepSize'"));
    expect(() => checkOptions('StepLR', { stepSize: 3 }, steps, ['stepSize'])).not.toThrow();
  });

  it('ignores inherited keys and never takes a key of Object.prototype for a known option', () => {
    const options = Object.create({ inherited: 1 }) as Record<string, unknown>;
    options.lr = 0.1;
    expect(() => checkOptions('Adam', options, spec)).not.toThrow();
    expect(() => checkOptions('Adam', { constructor: 1 }, spec)).toThrow(new TypeError("Adam got an unexpected option 'constructor'"));
    expect(() => checkOptions('Adam', { toString: 1 }, spec)).toThrow(new TypeError("Adam got an unexpected option 'toString'"));
  });

  it('positionalOptionError shows the call that works', () => {
    expect(positionalOptionError('Linear', 'third', 'new nn.Linear(3, 2, { bias: false })')).toEqual(
      new TypeError('Linear: the third argument is an options object; use new nn.Linear(3, 2, { bias: false })'),
    );
  });
});
