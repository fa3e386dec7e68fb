/**
 * Random number generators: a `Generator` is `(seed, offset)` over the native counter-based
 * Philox4x32-10. Element i of a draw uses counter `offset + i`, so results never depend on the
 * thread count; each native draw returns how many counters it used and the generator's offset
 * advances by that. The default generator is seeded from `crypto` at startup, like PyTorch's
 * (so `initialSeed()` differs per process until `manualSeed`).
 */
import { randomBytes } from 'node:crypto';
import { checkOptions, positionalOptionError } from '../options';

/** A generator's full state: `getState()` returns it, `setState()` restores it. */
export interface GeneratorState {
  seed: number;
  offset: number;
}

export interface GeneratorOptions {
  /** Must be `'cpu'`: kindling generates on the CPU. */
  device?: 'cpu';
}

const GENERATOR_OPTIONS = { device: { notImplemented: "kindling's generators run on the CPU; use 'cpu'", unless: ['cpu'] } } as const;

/** PyTorch's seed of a freshly constructed `torch.Generator()`. */
const DEFAULT_GENERATOR_SEED = 67280421310721;

function checkSeed(op: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`${op}: seed must be an integer in [0, 2^53), got ${String(seed)}`);
  }
  return seed;
}

/** A fresh non-deterministic 53-bit seed (seeds cross to Rust as f64 holding an integer < 2^53). */
function randomSeed(): number {
  const b = randomBytes(8);
  return (b.readUInt32LE(0) & 0x1fffff) * 2 ** 32 + b.readUInt32LE(4);
}

export class Generator {
  private seedValue: number;
  private offsetValue = 0;

  /**
   * A generator seeded with PyTorch's default seed (67280421310721), as `torch.Generator()`.
   * `device` may only be `'cpu'`. A seed is not an argument (as in PyTorch): use `manualSeed`.
   */
  constructor(options?: GeneratorOptions) {
    if (typeof options === 'number') {
      throw new TypeError(`Generator: the constructor takes no seed; use new torch.Generator().manualSeed(${options})`);
    }
    if (typeof options === 'string') throw positionalOptionError('Generator', 'first', `new torch.Generator({ device: '${options}' })`);
    checkOptions('Generator', options, GENERATOR_OPTIONS);
    this.seedValue = DEFAULT_GENERATOR_SEED;
  }

  /** Re-seeds (offset back to 0) and returns `this`. */
  manualSeed(seed: number): this {
    this.seedValue = checkSeed('manualSeed', seed);
    this.offsetValue = 0;
    return this;
  }

  /** The seed this generator was last seeded with. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** Re-seeds from a non-deterministic source and returns the new seed. */
  seed(): number {
    this.manualSeed(randomSeed());
    return this.seedValue;
  }

  /** The current `(seed, offset)`: restoring it with `setState` replays the same draws. */
  getState(): GeneratorState {
    return { seed: this.seedValue, offset: this.offsetValue };
  }

  setState(state: GeneratorState): this {
    const seed = checkSeed('setState', state?.seed);
    const offset = state.offset;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`setState: offset must be an integer in [0, 2^53), got ${String(offset)}`);
    }
    this.seedValue = seed;
    this.offsetValue = offset;
    return this;
  }

  /**
   * Runs one native draw at the current `(seed, offset)` and advances the offset by the number of
   * counters the kernel reports it used.
   */
  draw(kernel: (seed: number, offset: number) => number): void {
    const used = kernel(this.seedValue, this.offsetValue);
    this.offsetValue += used;
  }
}

/** The process-wide default generator (`torch.default_generator`). */
export const defaultGenerator = new Generator().manualSeed(randomSeed());

/** Seeds the default generator and returns it (`torch.manual_seed`). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** The default generator's seed (`torch.initial_seed`). */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}

/** Seeds the default generator non-deterministically and returns the seed (`torch.seed`). */
export function seed(): number {
  return defaultGenerator.seed();
}

/** The default generator's state (`torch.get_rng_state`). */
export function getRngState(): GeneratorState {
  return defaultGenerator.getState();
}

/** Restores the default generator's state (`torch.set_rng_state`). */
export function setRngState(state: GeneratorState): void {
  defaultGenerator.setState(state);
}

/** `options.generator` if given (checked), else the default generator. */
export function generatorOf(op: string, generator: Generator | null | undefined): Generator {
  if (generator == null) return defaultGenerator;
  if (!(generator instanceof Generator)) throw new TypeError(`${op}: generator must be a torch.Generator`);
  return generator;
}
