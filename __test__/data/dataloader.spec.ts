import { describe, expect, it } from 'vitest';
import { BatchSampler, DataLoader, type Dataset, NotPackableError, RandomSampler, SequentialSampler, TensorDataset, randomSplit } from '../../src/data';
import { manualSeed, seededGenerator } from '../../src/data/random';
import { Tensor } from '../../src/tensor';

/** TensorDataset of n rows: x[i] = [i, i + 0.5], y[i] = i % 10. */
function tensorData(n: number): TensorDataset {
  const x = new Tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k >> 1) + (k & 1) * 0.5), [n, 2], 'float32');
  const y = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 10), [n], 'int32');
  return new TensorDataset(x, y);
}

/** Plain data of the batches, to compare loaders. */
function plain(batches: Iterable<Tensor[]>): number[][][] {
  return Array.from(batches, (b) => b.map((t) => Array.from(t.data)));
}

describe('DataLoader options', () => {
  const ds = tensorData(10);

  it('rejects bad options with PyTorch messages', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('batch_size should be a positive integer value, but got batch_size=0');
    expect(() => new DataLoader(ds, { sampler: new SequentialSampler(ds), shuffle: true })).toThrow(
      'sampler option is mutually exclusive with shuffle',
    );
    const batchSampler = new BatchSampler(new SequentialSampler(ds), 3, false);
    for (const extra of [{ batchSize: 2 }, { shuffle: true }, { sampler: new SequentialSampler(ds) }, { dropLast: true }]) {
      expect(() => new DataLoader(ds, { batchSampler, ...extra })).toThrow(
        'batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last',
      );
    }
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow(
      'num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.',
    );
    expect(() => new DataLoader(ds, { timeout: -1 })).toThrow('timeout option should be non-negative');
    expect(() => new DataLoader(ds, { prefetchFactor: 2 })).toThrow('prefetch_factor option could only be specified in multiprocessing');
  });

  it('has length = number of batches', () => {
    expect(new DataLoader(ds).length).toBe(10);
    expect(new DataLoader(ds, { batchSize: 3 }).length).toBe(4);
    expect(new DataLoader(ds, { batchSize: 3, dropLast: true }).length).toBe(3);
    expect(new DataLoader(ds, { batchSampler: new BatchSampler(new SequentialSampler(ds), 4, false) }).length).toBe(3);
  });
});

describe('DataLoader in the main thread', () => {
  it('yields collated batches in order, the last one shorter', () => {
    const batches = [...new DataLoader(tensorData(5), { batchSize: 2 })];
    expect(batches.map(([x, y]) => [x.shape, y.shape])).toEqual([
      [[2, 2], [2]],
      [[2, 2], [2]],
      [[1, 2], [1]],
    ]);
    expect(plain(batches)[2]).toEqual([[4, 4.5], [4]]);
    expect(batches[0][1].dtype).toBe('int32');
  });

  it('drops the last incomplete batch with dropLast', () => {
    expect([...new DataLoader(tensorData(5), { batchSize: 2, dropLast: true })]).toHaveLength(2);
  });

  it('shuffles every epoch differently, reproducibly under manualSeed', () => {
    const loader = new DataLoader(tensorData(20), { batchSize: 4, shuffle: true });
    manualSeed(42);
    const a = [plain(loader), plain(loader)];
    manualSeed(42);
    const b = [plain(loader), plain(loader)];
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    const labels = a[0].flatMap((batch) => batch[1]).sort((p, q) => p - q);
    expect(labels).toEqual(Array.from({ length: 20 }, (_, i) => i % 10).sort((p, q) => p - q));
  });

  it('uses the given generator instead of the global one', () => {
    const run = () => plain(new DataLoader(tensorData(20), { batchSize: 4, shuffle: true, generator: seededGenerator(9) }));
    manualSeed(1);
    const a = run();
    manualSeed(2);
    expect(run()).toEqual(a);
  });

  it('calls getItems once per batch when the dataset has it, and a custom collateFn', () => {
    const calls: number[][] = [];
    const ds: Dataset<number> = {
      length: 5,
      getItem: () => {
        throw new Error('getItem should not be called');
      },
      getItems: (indices) => {
        calls.push(Array.from(indices));
        return Array.from(indices, (i) => i * 2);
      },
    };
    const sums = [...new DataLoader(ds, { batchSize: 2, collateFn: (s: number[]) => s.reduce((a, b) => a + b, 0) })];
    expect(sums).toEqual([2, 10, 8]);
    expect(calls).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('yields single samples with batchSize null', () => {
    const ds: Dataset<number> = { length: 3, getItem: (i) => i + 1 };
    expect([...new DataLoader(ds, { batchSize: null })]).toEqual([1, 2, 3]);
  });

  it('surfaces an index error from the dataset', () => {
    const ds = tensorData(3);
    const sampler = [0, 5];
    expect(() => [...new DataLoader(ds, { sampler })]).toThrow('index 5 is out of bounds for dimension 0 with size 3');
  });

  it('supports for await', async () => {
    const out: number[][][] = [];
    for await (const batch of new DataLoader(tensorData(4), { batchSize: 3 })) out.push(batch.map((t) => Array.from(t.data)));
    expect(out).toEqual(plain(new DataLoader(tensorData(4), { batchSize: 3 })));
  });
});

describe('DataLoader with worker threads', () => {
  it('yields the same batches, in the same order, as the main thread (sync for…of)', () => {
    const ds = tensorData(37);
    manualSeed(7);
    const inMain = plain(new DataLoader(ds, { batchSize: 4, shuffle: true }));
    manualSeed(7);
    const inWorkers = plain(new DataLoader(ds, { batchSize: 4, shuffle: true, numWorkers: 2 }));
    expect(inWorkers).toEqual(inMain);
    expect(inWorkers).toHaveLength(10);
  });

  it('keeps sampler order when some batches take longer than others', () => {
    // Plain-object datasets travel to the workers as their data plus their methods' source.
    const ds = {
      length: 24,
      getItem(i: number): number {
        const end = Date.now() + (i % 8 === 0 ? 30 : 0);
        while (Date.now() < end);
        return i;
      },
    };
    const loader = new DataLoader(ds, { batchSize: 2, numWorkers: 3 });
    expect([...loader].map((b) => Array.from(b.data))).toEqual(Array.from({ length: 12 }, (_, k) => [2 * k, 2 * k + 1]));
  });

  it('gets every batch from workers that napped through a slow consumer (sync and for await)', async () => {
    // With full rings the workers nap for ever longer (up to 100 ms) and are not woken after each
    // batch; a consumer that comes back after a pause wakes the worker it waits for.
    const pause = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
    };
    const expected = plain(new DataLoader(tensorData(13), { batchSize: 2 }));
    const got: number[][][] = [];
    for (const batch of new DataLoader(tensorData(13), { batchSize: 2, numWorkers: 2, prefetchFactor: 1 })) {
      got.push(batch.map((t) => Array.from(t.data)));
      pause(got.length === 2 ? 400 : 5);
    }
    expect(got).toEqual(expected);
    const gotAsync: number[][][] = [];
    for await (const batch of new DataLoader(tensorData(13), { batchSize: 2, numWorkers: 1 })) {
      gotAsync.push(batch.map((t) => Array.from(t.data)));
      if (gotAsync.length === 3) await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(gotAsync).toEqual(expected);
  });

  it('supports for await', async () => {
    const out: number[][][] = [];
    for await (const batch of new DataLoader(tensorData(9), { batchSize: 2, numWorkers: 1 })) {
      out.push(batch.map((t) => Array.from(t.data)));
    }
    expect(out).toEqual(plain(new DataLoader(tensorData(9), { batchSize: 2 })));
  });

  it('passes a collateFn that throws to the caller, with the worker stack, then works again', () => {
    const loader = new DataLoader(tensorData(8), {
      batchSize: 2,
      numWorkers: 2,
      collateFn: function badCollate(samples: Tensor[][]): never {
        throw new RangeError(`cannot collate ${samples.length} samples`);
      },
    });
    let caught: unknown;
    try {
      for (const _ of loader) void _;
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('Caught RangeError in DataLoader worker 0: cannot collate 2 samples');
    expect((caught as Error).stack).toContain('Original stack in the worker:');
    expect((caught as Error).stack).toContain('badCollate');
    // A fresh epoch starts fresh workers (and fails the same way, rather than hanging).
    expect(() => [...loader]).toThrow('cannot collate 2 samples');
  });

  it('reports a worker that exits instead of waiting forever', () => {
    const loader = new DataLoader(tensorData(4), {
      batchSize: 2,
      numWorkers: 1,
      collateFn: () => process.exit(3),
    });
    expect(() => [...loader]).toThrow(/^DataLoader worker 0 \(thread \d+\) exited unexpectedly with exit code 3$/);
  });

  it('gives up after timeout seconds', () => {
    const loader = new DataLoader(tensorData(4), {
      batchSize: 2,
      numWorkers: 1,
      timeout: 0.3,
      collateFn: () => {
        const end = Date.now() + 5000;
        while (Date.now() < end);
      },
    });
    const started = Date.now();
    expect(() => [...loader]).toThrow('DataLoader timed out after 0.3 seconds');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('yields single samples with batchSize null', () => {
    const ds = {
      length: 3,
      getItem(i: number): number[] {
        return [i, i * 2];
      },
    };
    expect([...new DataLoader(ds, { batchSize: null, numWorkers: 1 })]).toEqual([
      [0, 0],
      [1, 2],
      [2, 4],
    ]);
  });

  it('reports a dataset that cannot be rebuilt inside the worker', () => {
    const ds = {
      length: 2,
      getItem: (i: number) => i,
      workerSource: () => ({ module: '/nonexistent/dataset-module.js', exportName: 'Missing', args: [] }),
    };
    expect(() => [...new DataLoader(ds, { numWorkers: 1 })]).toThrow(
      /^Caught Error in DataLoader worker 0: Cannot find module '\/nonexistent\/dataset-module\.js'/,
    );
  });

  it('stops the workers when the loop breaks early', () => {
    const loader = new DataLoader(tensorData(100), { batchSize: 2, numWorkers: 1 });
    let seen = 0;
    for (const _ of loader) {
      void _;
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
  });

  it('refuses at construction a dataset a worker cannot rebuild, showing the fix (issue 11: it fell back to the main thread)', () => {
    class Opaque implements Dataset<number> {
      readonly length = 3;
      getItem(i: number): number {
        return i;
      }
    }
    expect(() => new DataLoader(new Opaque(), { batchSize: 2, numWorkers: 1 })).toThrow(
      "DataLoader with numWorkers: 1: dataset (a Opaque) cannot be rebuilt in a worker thread: give Opaque a method workerSource() { return { module: __filename, exportName: 'Opaque', args: [/* its constructor arguments */] }; }, or build it with datasetFromModule(require.resolve('./module-exporting-it'), 'Opaque', ...args) (see docs/DATA.md, \"How a worker gets the dataset\"); or use numWorkers: 0",
    );
    expect(() => new DataLoader(new Opaque(), { batchSize: 2, numWorkers: 1 })).toThrow(NotPackableError);
    expect([...new DataLoader(new Opaque(), { batchSize: 2 })].map((b) => Array.from(b.data))).toEqual([[0, 1], [2]]);
  });
});

describe('DataLoader refuses what is not a dataset (issue 11: non-datasets ran zero batches)', () => {
  const getItem = (i: number) => i;
  const cases: [string, unknown, ErrorConstructor, string][] = [
    ['a number', 5, TypeError, 'DataLoader: dataset must be a Dataset (an object with a length and getItem(index) or getItems(indices)), got number 5'],
    ['null', null, TypeError, 'DataLoader: dataset must be a Dataset (an object with a length and getItem(index) or getItems(indices)), got null'],
    ['{ getItem } without a length', { getItem }, TypeError, "DataLoader: object of type 'Object' has no length: a dataset needs a length (its number of samples); it has getItem"],
    ['{ size: 100, getItem }', { size: 100, getItem }, TypeError, "DataLoader: object of type 'Object' has no length: a dataset needs a length (its number of samples); it has size, getItem"],
    ['length -3', { length: -3, getItem }, RangeError, 'DataLoader: dataset length must be a non-negative integer, got number -3'],
    ['length NaN', { length: NaN, getItem }, TypeError, 'DataLoader: dataset length must be a non-negative integer, got number NaN'],
    ['length 2.5', { length: 2.5, getItem }, TypeError, 'DataLoader: dataset length must be a non-negative integer, got number 2.5'],
    ['length "3"', { length: '3', getItem }, TypeError, "DataLoader: dataset length must be a non-negative integer, got string '3'"],
    ['no getItem', { length: 3 }, TypeError, "DataLoader: object of type 'Object' is not a dataset: it has no getItem(index) or getItems(indices) method"],
  ];
  for (const [what, dataset, Kind, message] of cases) {
    it(`names ${what}`, () => {
      expect(() => new DataLoader(dataset as Dataset)).toThrow(new Kind(message));
    });
  }

  it('accepts an empty dataset and one with only getItems', () => {
    expect([...new DataLoader({ length: 0, getItem })]).toEqual([]);
    const ds: Dataset<number> = { length: 3, getItems: (ix) => Array.from(ix, (i) => i * 10) } as unknown as Dataset<number>;
    expect([...new DataLoader(ds, { batchSize: 3 })].map((b) => Array.from((b as Tensor).data))).toEqual([[0, 10, 20]]);
  });

  it('checks the data source of samplers and randomSplit', () => {
    expect(() => new SequentialSampler({ length: NaN })).toThrow(new TypeError('SequentialSampler: data source length must be a non-negative integer, got number NaN'));
    expect(() => new RandomSampler({} as never)).toThrow("RandomSampler: object of type 'Object' has no length");
    expect(() => randomSplit(null as never, [1])).toThrow(new TypeError('randomSplit: dataset must be an object with a length, got null'));
  });
});

describe('DataLoader refuses bad indices from samplers (issue 11: wrapped or truncated indices)', () => {
  const ds = tensorData(3);
  it('names an out-of-range or fractional index from a sampler', () => {
    expect(() => [...new DataLoader(ds, { sampler: [0, 5] })]).toThrow(
      new RangeError('DataLoader: the sampler yielded an invalid index: index 5 is out of bounds for dimension 0 with size 3'),
    );
    expect(() => [...new DataLoader(ds, { sampler: [0, 2.5], batchSize: 2 })]).toThrow(
      new TypeError('DataLoader: the sampler yielded an invalid index: only integers are valid indices (got number 2.5)'),
    );
    expect(() => [...new DataLoader(ds, { sampler: ['1'] as never, batchSize: null })]).toThrow(
      "DataLoader: the sampler yielded an invalid index: only integers are valid indices (got string '1')",
    );
  });

  it('names the batch of a batch sampler, also with workers (indices are not wrapped into int32)', () => {
    expect(() => [...new DataLoader(ds, { batchSampler: [[0, 1], [2, 2 ** 32]] })]).toThrow(
      new RangeError('DataLoader: the batch sampler yielded (in batch 1) an invalid index: index 4294967296 is out of bounds for dimension 0 with size 3'),
    );
    expect(() => [...new DataLoader(ds, { batchSampler: [[0, 1], 2] as never, numWorkers: 1 })]).toThrow(
      new TypeError('DataLoader: the batch sampler yielded number 2 as batch 1, not a list of indices'),
    );
    expect(() => [...new DataLoader(ds, { batchSampler: [[0, -4]], numWorkers: 1 })]).toThrow(
      'DataLoader: the batch sampler yielded (in batch 0) an invalid index: index -4 is out of bounds for dimension 0 with size 3',
    );
  });
});

describe('DataLoader options are checked (issue 11: batch_size: 5 trained with batches of 1)', () => {
  const ds = tensorData(10);
  it('names an unknown option and suggests the camelCase one', () => {
    expect(() => new DataLoader(ds, { batch_size: 5 } as never)).toThrow(
      new TypeError("DataLoader got an unexpected option 'batch_size' (did you mean 'batchSize'?)"),
    );
    expect(() => new DataLoader(ds, { num_workers: 1 } as never)).toThrow("(did you mean 'numWorkers'?)");
    expect(() => new DataLoader(ds, { shufle: true } as never)).toThrow("(did you mean 'shuffle'?)");
  });

  it('names a wrong type', () => {
    expect(() => new DataLoader(ds, { batchSize: '5' } as never)).toThrow(new TypeError("DataLoader: option 'batchSize' must be an integer or null, got string '5'"));
    expect(() => new DataLoader(ds, { shuffle: 'yes' } as never)).toThrow(new TypeError("DataLoader: option 'shuffle' must be a boolean, got string 'yes'"));
    expect(() => new DataLoader(ds, { collateFn: 3 } as never)).toThrow("DataLoader: option 'collateFn' must be a function, got number 3");
    expect(() => new DataLoader(ds, { timeout: '1' } as never)).toThrow("DataLoader: option 'timeout' must be a number, got string '1'");
    expect(() => new DataLoader(ds, 5 as never)).toThrow(new TypeError('DataLoader: options must be an object, got number 5'));
  });

  it("refuses PyTorch options kindling does not implement, accepting only their default", () => {
    expect(() => new DataLoader(ds, { pinMemory: true } as never)).toThrow(
      new TypeError("DataLoader: option 'pinMemory' must be false (no pinned memory: kindling tensors live in ordinary CPU memory), got boolean true"),
    );
    expect(() => new DataLoader(ds, { inOrder: false } as never)).toThrow("DataLoader: option 'inOrder' must be true (batches always come in sampler order), got boolean false");
    expect(() => new DataLoader(ds, { workerInitFn: () => {} } as never)).toThrow("DataLoader: option 'workerInitFn' is not supported by kindling yet");
    expect(() => new DataLoader(ds, { multiprocessingContext: 'spawn' } as never)).toThrow(
      "DataLoader: option 'multiprocessingContext' is not supported by kindling yet (workers are worker_threads, not processes)",
    );
    expect(() => new DataLoader(ds, { pinMemory: false, inOrder: true, pinMemoryDevice: '' } as never)).not.toThrow();
  });

  it('checks RandomSampler options and the generator of randomSplit', () => {
    expect(() => new RandomSampler(ds, { num_samples: 3 } as never)).toThrow(
      new TypeError("RandomSampler got an unexpected option 'num_samples' (did you mean 'numSamples'?)"),
    );
    expect(() => randomSplit(ds, [5, 5], { generator: seededGenerator(1) } as never)).toThrow(
      'randomSplit: generator must be a Generator, as in randomSplit(dataset, [0.8, 0.2], new Generator().manualSeed(42)), got object',
    );
  });
});
