/**
 * torch.save / torch.load: module and optimizer state dicts round-trip exactly (structure, order,
 * dtypes, non-tensor values), training resumes bit for bit, bad arguments and unreadable files
 * throw typed errors naming the file, and a failed save leaves the old checkpoint intact.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { CheckpointError } from '../../src/serialization/errors';
import { MLP } from '../../scripts/interop/seed-mlp';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-save-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function trainSteps(mlp: MLP, optimizer: torch.optim.Adam, steps: number, seed: number): void {
  const lossFunction = new torch.nn.CrossEntropyLoss();
  for (let i = 0; i < steps; i++) {
    torch.manualSeed(seed + i);
    const x = torch.rand(4, 1, 28, 28);
    const y = torch.randint(0, 10, [4]);
    optimizer.zeroGrad();
    lossFunction.forward(mlp.forward(x), y).backward();
    optimizer.step();
  }
}

describe('save/load of a module state dict', () => {
  it('round-trips keys (in order), shapes, dtypes and values', () => {
    torch.manualSeed(0);
    const mlp = new MLP();
    const file = path.join(dir, 'model.safetensors');
    torch.save(mlp.stateDict(), file);
    const loaded = torch.load(file);
    const original = mlp.stateDict();
    expect(Object.keys(loaded)).toEqual(Object.keys(original));
    for (const [key, t] of Object.entries(original)) {
      expect(loaded[key].shape).toEqual(t.shape);
      expect(loaded[key].dtype).toBe('float32');
      expect(Buffer.from(loaded[key].data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
      expect(loaded[key].data.buffer).not.toBe(t.data.buffer); // loaded tensors own their storage
    }
  });

  it('keeps int32, uint8 and bool buffers, 0-d and empty tensors', () => {
    const state = {
      counts: new torch.Tensor(Int32Array.of(-1, 2, 3), [3], 'int32'),
      bytes: new torch.Tensor(Uint8Array.of(0, 255), [2], 'uint8'),
      mask: torch.tensor([[true, false]]),
      scalar: torch.tensor(2.5),
      none: torch.zeros(0, 4),
    };
    const file = path.join(dir, 'mixed.safetensors');
    torch.save(state, file);
    const loaded = torch.load(file);
    for (const [key, t] of Object.entries(state)) {
      expect(loaded[key].dtype, key).toBe(t.dtype);
      expect(loaded[key].shape, key).toEqual(t.shape);
      expect([...loaded[key].data], key).toEqual([...t.data]);
    }
  });

  it('saveAsync/loadAsync write and read the same file format', async () => {
    torch.manualSeed(3);
    const mlp = new MLP();
    const asyncFile = path.join(dir, 'async.safetensors');
    const syncFile = path.join(dir, 'sync.safetensors');
    await torch.saveAsync(mlp.stateDict(), asyncFile);
    torch.save(mlp.stateDict(), syncFile);
    expect(fs.readFileSync(asyncFile).equals(fs.readFileSync(syncFile))).toBe(true);
    const loaded = await torch.loadAsync(asyncFile);
    expect(Object.keys(loaded)).toEqual(Object.keys(mlp.stateDict()));
    expect(fs.readdirSync(dir).sort()).toEqual(['async.safetensors', 'sync.safetensors']);
  });

  it('saveAsync stores the values at the time of the call, even if training changes them meanwhile', async () => {
    const w = torch.tensor([1, 2], { dtype: torch.float32 });
    const file = path.join(dir, 'snapshot.safetensors');
    const pending = torch.saveAsync({ w }, file);
    w.data.fill(7); // an optimizer step while the file is being written
    await pending;
    expect([...torch.load(file).w.data]).toEqual([1, 2]);
  });

  it('replaces an existing checkpoint', () => {
    const file = path.join(dir, 'model.safetensors');
    torch.save({ w: torch.tensor([1]) }, file);
    torch.save({ w: torch.tensor([2]) }, file);
    expect(torch.load(file).w.item()).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

describe('save/load of an optimizer state dict', () => {
  it('round-trips state tensors, step counts and param_groups (betas, booleans) exactly', () => {
    torch.manualSeed(0);
    const mlp = new MLP();
    const optimizer = new torch.optim.Adam(mlp.parameters(), { lr: 1e-3, amsgrad: true, weightDecay: 0.01 });
    trainSteps(mlp, optimizer, 2, 100);
    const file = path.join(dir, 'adam.safetensors');
    torch.save(optimizer.stateDict(), file);
    const loaded = torch.load<ReturnType<typeof optimizer.stateDict>>(file);
    const original = optimizer.stateDict();
    expect(loaded.param_groups).toEqual(original.param_groups);
    expect(Object.keys(loaded.state)).toEqual(['0', '1', '2', '3', '4', '5']);
    for (const [id, s] of Object.entries(original.state)) {
      const l = loaded.state[Number(id)];
      expect(l.step).toBe(2);
      for (const key of ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const) {
        expect([...(l[key] as torch.Tensor).data]).toEqual([...(s[key] as torch.Tensor).data]);
      }
    }
  });

  it("stores tensors as 'state.N.name' safetensors tensors and the rest as JSON in __metadata__", () => {
    torch.manualSeed(0);
    const mlp = new MLP();
    const optimizer = new torch.optim.Adam(mlp.parameters());
    trainSteps(mlp, optimizer, 1, 7);
    const file = path.join(dir, 'adam.safetensors');
    torch.save(optimizer.stateDict(), file);
    const bytes = fs.readFileSync(file);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    expect(header['state.0.exp_avg']).toEqual({ dtype: 'F32', shape: [64, 784], data_offsets: expect.any(Array) });
    expect(header['state.5.exp_avg_sq'].shape).toEqual([10]);
    expect(header.__metadata__.format).toBe('pt');
    const structure = JSON.parse(header.__metadata__.kindling);
    expect(structure.state['0']).toEqual({ step: 1, exp_avg: { __tensor__: 'state.0.exp_avg' }, exp_avg_sq: { __tensor__: 'state.0.exp_avg_sq' } });
    expect(structure.param_groups[0]).toMatchObject({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, params: [0, 1, 2, 3, 4, 5] });
  });

  it('resuming from saved model + optimizer continues exactly like the uninterrupted run', () => {
    torch.manualSeed(0);
    const a = new MLP();
    const optA = new torch.optim.Adam(a.parameters(), { lr: 1e-3 });
    trainSteps(a, optA, 2, 10);
    torch.save(a.stateDict(), path.join(dir, 'model.safetensors'));
    torch.save(optA.stateDict(), path.join(dir, 'optimizer.safetensors'));
    trainSteps(a, optA, 2, 20);

    torch.manualSeed(99); // different initial weights: everything must come from the files
    const b = new MLP();
    const optB = new torch.optim.Adam(b.parameters(), { lr: 0.5 });
    b.loadStateDict(torch.load(path.join(dir, 'model.safetensors')));
    optB.loadStateDict(torch.load(path.join(dir, 'optimizer.safetensors')));
    expect(optB.paramGroups[0].lr).toBe(1e-3);
    trainSteps(b, optB, 2, 20);
    const sa = a.stateDict();
    const sb = b.stateDict();
    for (const key of Object.keys(sa)) expect([...sb[key].data], key).toEqual([...sa[key].data]);
  });
});

describe('nested values', () => {
  it('keeps numbers JSON cannot hold, nulls, strings, nested arrays, and objects that look like tags', () => {
    const obj = {
      epoch: 3,
      best: Infinity,
      worst: -Infinity,
      missing: NaN,
      negativeZero: -0,
      name: 'run-1',
      done: false,
      parent: null,
      history: [[1, 2], [3, { t: torch.tensor([4]) }]],
      tricky: { __tensor__: 'not a tensor' },
      skipped: undefined,
    };
    const file = path.join(dir, 'nested.safetensors');
    torch.save(obj, file);
    const loaded = torch.load<Record<string, unknown>>(file);
    const { history: _history, skipped: _skipped, ...rest } = obj;
    const { history: loadedHistory, ...loadedRest } = loaded as typeof obj;
    expect(loadedRest).toEqual(rest);
    expect(Object.is(loaded.negativeZero, -0)).toBe(true);
    expect('skipped' in loaded).toBe(false);
    expect(loadedHistory[0]).toEqual([1, 2]);
    expect(((loadedHistory[1] as unknown[])[1] as { t: torch.Tensor }).t.item()).toBe(4);
  });

  it('keeps a "__proto__" key as a plain field both ways', () => {
    const file = path.join(dir, 'proto.safetensors');
    const obj = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
    torch.save(obj, file);
    const loaded = torch.load<Record<string, unknown>>(file);
    expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
    expect(Object.keys(loaded)).toEqual(['__proto__', 'y']);
    expect(Object.getOwnPropertyDescriptor(loaded, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('a flat file written elsewhere (no kindling structure) loads as { name: Tensor } by name', () => {
    const loaded = torch.load(path.join(__dirname, '..', 'fixtures', 'interop', 'python_layout.safetensors'));
    expect(Object.keys(loaded)).toEqual(['a_bool', 'b', 'empty', 'layers.10.w', 'layers.2.w', 'pixels', 'scalar']);
  });
});

describe('errors', () => {
  it('rejects what a checkpoint cannot hold, naming where it is', () => {
    const file = path.join(dir, 'x.safetensors');
    expect(() => torch.save({ model: new MLP() }, file)).toThrow(
      new TypeError("save: cannot store MLP at 'model': a checkpoint holds tensors, numbers, strings, booleans, null, arrays and plain objects"),
    );
    expect(() => torch.save({ a: { fn: () => 1 } }, file)).toThrow(new TypeError("save: cannot store function at 'a.fn': a checkpoint holds tensors, numbers, strings, booleans, null, arrays and plain objects"));
    expect(() => torch.save({ a: [1, undefined] }, file)).toThrow(new TypeError("save: cannot store undefined at 'a'[1]"));
    expect(() => torch.save(torch.tensor([1]), file)).toThrow(new TypeError('save: expected a state dict (an object of tensors, possibly nested), got a Tensor (save { name: tensor } instead)'));
    expect(() => torch.save([torch.tensor([1])], file)).toThrow(new TypeError('save: expected a state dict (an object of tensors, possibly nested), got an array'));
    expect(() => torch.save({ 'a.b': torch.tensor([1]), a: { b: torch.tensor([2]) } }, file)).toThrow(new RangeError("save: two tensors would both be stored as 'a.b'"));
    expect(() => torch.save({ __metadata__: torch.tensor([1]) }, file)).toThrow(new RangeError("save: a tensor cannot be named '__metadata__' (the format reserves that key)"));
    expect(() => torch.save({}, '' as string)).toThrow(new TypeError('save: expected a file path string, got an empty string'));
    expect(() => torch.load(42 as unknown as string)).toThrow(new TypeError('load: expected a file path string, got number'));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a missing file or folder is a CheckpointError naming the file, with the system code', async () => {
    const file = path.join(dir, 'nope.safetensors');
    let error: unknown;
    try {
      torch.load(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).message).toBe(`load: ${file}: could not read the file (ENOENT: no such file or directory, open '${file}')`);
    expect((error as CheckpointError).code).toBe('ENOENT');
    await expect(torch.loadAsync(file)).rejects.toThrow(`load: ${file}: could not read the file (ENOENT`);
    const inMissingDir = path.join(dir, 'missing', 'model.safetensors');
    expect(() => torch.save({ w: torch.tensor([1]) }, inMissingDir)).toThrow(CheckpointError);
    expect(() => torch.save({ w: torch.tensor([1]) }, inMissingDir)).toThrow(`save: ${inMissingDir}: could not write the checkpoint (ENOENT`);
    await expect(torch.saveAsync({ w: torch.tensor([1]) }, inMissingDir)).rejects.toThrow(`save: ${inMissingDir}: could not write the checkpoint (ENOENT`);
  });

  it('a corrupt kindling structure is a CheckpointError', () => {
    const file = path.join(dir, 'bad.safetensors');
    torch.save({ a: torch.tensor([1]), n: 1 }, file);
    const bytes = fs.readFileSync(file);
    const broken = Buffer.from(bytes.toString('latin1').replace('{\\"a\\":{\\"__tensor__\\":\\"a\\"}', '{\\"a\\":{\\"__tensor__\\":\\"b\\"}'), 'latin1');
    fs.writeFileSync(file, broken);
    expect(() => torch.load(file)).toThrow(new CheckpointError('load', file, 'the kindling structure refers to tensor "b", which the file does not have'));
  });
});
