import { afterEach, describe, expect, it } from 'vitest';
import { getNumThreads, setNumThreads } from '../../src';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim';
import { Tensor } from '../../src/tensor';

/**
 * Fused optimizer steps split a group's elements into chunks that run on the thread pool from
 * 16,384 elements on (crates/kindling-core/src/optim/buffers.rs): results must be the same bits
 * on 1 and 2 threads just below, at and above that size, and for the seed MLP's six parameters.
 */
const GROUPS: number[][] = [[16383], [16384], [16385], [784 * 64, 64, 64 * 32, 32, 32 * 10, 10]];

/** What the test needs of an optimizer. */
type AnyOptimizer = { step(): unknown };

function wave(n: number, k: number, offset: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * 0.1 + offset);
}

/** Three steps with a fresh gradient each; returns the parameters' final bits. */
function run(sizes: number[], threads: number, make: (params: Tensor[]) => AnyOptimizer): Int32Array[] {
  setNumThreads(threads);
  const params = sizes.map((n, b) => new Tensor(wave(n, 0.01 + b * 1e-3, 0), [n], 'float32').requiresGrad_());
  const optimizer = make(params);
  for (let step = 1; step <= 3; step++) {
    params.forEach((p, b) => {
      p.grad = new Tensor(wave(p.data.length, 0.03 * step + b * 1e-3, 0.01), p.shape, 'float32');
    });
    optimizer.step();
  }
  return params.map((p) => new Int32Array(p.data.buffer, p.data.byteOffset, p.data.length).slice());
}

function firstDifference(a: Int32Array[], b: Int32Array[]): string | null {
  for (let t = 0; t < a.length; t++) {
    for (let i = 0; i < a[t].length; i++) if (a[t][i] !== b[t][i]) return `parameter ${t}, element ${i}`;
  }
  return null;
}

describe('optimizer steps on 1 and 2 threads', () => {
  const before = getNumThreads();
  afterEach(() => setNumThreads(before));

  const optimizers: [string, (params: Tensor[]) => AnyOptimizer][] = [
    ['Adam', (p) => new Adam(p, { lr: 1e-4 })],
    ['Adam amsgrad weightDecay', (p) => new Adam(p, { lr: 1e-3, weightDecay: 0.01, amsgrad: true })],
    ['AdamW maximize', (p) => new AdamW(p, { lr: 1e-3, weightDecay: 0.01, maximize: true })],
    ['SGD nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
    ['Adadelta weightDecay', (p) => new Adadelta(p, { weightDecay: 0.01 })],
    ['RMSprop centered momentum', (p) => new RMSprop(p, { centered: true, momentum: 0.9, weightDecay: 1e-4 })],
    ['Adagrad lrDecay', (p) => new Adagrad(p, { lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ];
  for (const [name, make] of optimizers) {
    it(`${name} gives bit-identical parameters`, () => {
      for (const sizes of GROUPS) {
        const one = run(sizes, 1, make);
        const two = run(sizes, 2, make);
        expect(firstDifference(one, two), `sizes [${sizes.join(', ')}]`).toBeNull();
      }
    });
  }
});
