/**
 * What `onnx.export` refuses, with its typed errors and messages, and that a failed export
 * leaves no file (nor a temporary one) and the model as it was.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn, type Tensor } from '../../src';
import { traceState } from '../../src/autograd/trace';
import { tempDir } from './helpers';

const F = nn.functional;
const { dir, cleanup } = tempDir();
afterAll(cleanup);

type AnyModel = nn.Module<never[], unknown>;

class Layer extends nn.Module {
  fc = new nn.Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.fc.forward(x).cumsum(1);
  }
}

class Encoder extends nn.Module {
  layers = new nn.ModuleList([new Layer()]);
  forward(x: Tensor): Tensor {
    return (this.layers.at(0) as Layer).forward(x);
  }
}

class Model extends nn.Module {
  encoder = new Encoder();
  forward(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }
}

class Fn extends nn.Module {
  constructor(private readonly fn: (x: Tensor) => Tensor) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

const asModel = (m: nn.Module): AnyModel => m as unknown as AnyModel;

/** `fn` throws; afterwards the folder holds exactly what it held before. */
function failsLeavingNothing(folder: string, fn: () => void): unknown {
  const before = readdirSync(folder).sort();
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).not.toBeNull();
  expect(readdirSync(folder).sort()).toEqual(before);
  return error;
}

describe('onnx.export errors', () => {
  it('names an op with no ONNX mapping and the module path that ran it, and writes nothing', () => {
    const model = new Model();
    const file = join(dir, 'cumsum.onnx');
    const e = failsLeavingNothing(dir, () => torch.onnx.export(asModel(model), torch.randn([2, 4]), file));
    expect(e).toBeInstanceOf(torch.onnx.UnsupportedOperatorError);
    expect(e).toBeInstanceOf(torch.onnx.OnnxExportError);
    expect((e as Error).message).toBe("onnx.export: no ONNX mapping for op 'cumsum' (in module 'encoder.layers.0')");
    expect((e as torch.onnx.UnsupportedOperatorError).op).toBe('cumsum');
    expect((e as torch.onnx.UnsupportedOperatorError).modulePath).toBe('encoder.layers.0');
    expect(existsSync(file)).toBe(false);
  });

  it('leaves an existing file unchanged when the export fails', () => {
    const file = join(dir, 'kept.onnx');
    writeFileSync(file, 'previous');
    failsLeavingNothing(dir, () => torch.onnx.export(asModel(new Model()), torch.randn([2, 4]), file));
    expect(readFileSync(file, 'utf8')).toBe('previous');
  });

  it("names the model's own forward for an op at the top level", () => {
    const model = new Fn((x) => x.mul(2).flip([0]));
    expect(() => torch.onnx.export(asModel(model), torch.randn([3]), join(dir, 'flip.onnx'))).toThrow(
      "onnx.export: no ONNX mapping for op 'flip' (in the model's own forward, Fn)",
    );
  });

  it('restores the model and the tracer after a failure (forward unwrapped, no listener)', () => {
    const model = new Model();
    expect(() => torch.onnx.export(asModel(model), torch.randn([2, 4]), join(dir, 'x.onnx'))).toThrow(torch.onnx.UnsupportedOperatorError);
    expect(traceState.listener).toBeNull();
    for (const m of model.modules()) expect(Object.getOwnPropertyDescriptor(m, 'forward')).toBeUndefined();
    expect(model.forward(torch.ones([1, 4])).shape).toEqual([1, 4]);
  });

  it('refuses a path in a missing directory before tracing', () => {
    const file = join(dir, 'no', 'such', 'model.onnx');
    let traced = false;
    const model = new Fn((x) => {
      traced = true;
      return x.relu();
    });
    const e = failsLeavingNothing(dir, () => torch.onnx.export(asModel(model), torch.randn([2]), file));
    expect(e).toBeInstanceOf(torch.onnx.OnnxExportError);
    expect((e as Error).message).toBe(`onnx.export: cannot write '${file}': directory '${join(dir, 'no', 'such')}' does not exist`);
    expect(traced).toBe(false);
  });

  it('removes its temporary file when the final rename fails (the path is a directory)', () => {
    const target = join(dir, 'a-directory.onnx');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x');
    const e = failsLeavingNothing(dir, () => torch.onnx.export(asModel(new nn.ReLU()), torch.randn([2]), target));
    expect(e).toBeInstanceOf(torch.onnx.OnnxExportError);
    expect((e as Error).message).toMatch(new RegExp(`^onnx\\.export: cannot write '${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': E`));
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('refuses dropout in training mode with the fix', () => {
    const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5)); // training mode
    expect(() => torch.onnx.export(asModel(model), torch.randn([2, 3]), join(dir, 'd.onnx'))).toThrow(
      "onnx.export: no ONNX mapping for op 'native_dropout' (in module '1'); dropout in training mode is random: call model.eval() before exporting",
    );
  });

  it('refuses BatchNorm in training mode before running it (its running statistics stay as they were)', () => {
    const model = new nn.Sequential(new nn.BatchNorm1d(3));
    const mean = (model.at(0) as nn.BatchNorm1d).running_mean as Tensor;
    const before = Array.from(mean.data as Float32Array);
    expect(() => torch.onnx.export(asModel(model), torch.randn([4, 3]).add(5), join(dir, 'bn.onnx'))).toThrow(
      "onnx.export: BatchNorm1d '0' is in training mode, where it normalises with batch statistics and updates its running ones; call model.eval() before exporting",
    );
    expect(Array.from(mean.data as Float32Array)).toEqual(before);
  });

  it('refuses attention dropout and adaptive pooling with overlapping windows', () => {
    const sdpa = new Fn((x) => F.scaledDotProductAttention(x, x, x, { dropoutP: 0.5 }));
    expect(() => torch.onnx.export(asModel(sdpa), torch.randn([2, 3, 4]), join(dir, 'a.onnx'))).toThrow(
      "onnx.export: scaled_dot_product_attention with dropoutP > 0 has no deterministic ONNX mapping; export in eval mode (in the model's own forward, Fn)",
    );
    const pool = new nn.Sequential(new nn.AdaptiveAvgPool2d(3));
    expect(() => torch.onnx.export(asModel(pool), torch.randn([1, 2, 7, 7]), join(dir, 'p.onnx'))).toThrow(
      "onnx.export: adaptive_avg_pool2d from 7×7 to 3×3 has no ONNX mapping (ONNX pools have fixed windows: the input size must be a multiple of the output size) (in module '0')",
    );
  });

  it('checks its options', () => {
    const m = asModel(new nn.ReLU());
    const x = torch.randn([2]);
    const f = join(dir, 'o.onnx');
    expect(() => torch.onnx.export(m, x, f, { opsetVersion: 16 })).toThrow(new RangeError('onnx.export: opsetVersion must be between 17 and 20, got 16'));
    expect(() => torch.onnx.export(m, x, f, { opsetVerson: 17 } as never)).toThrow(new TypeError("onnx.export got an unexpected option 'opsetVerson' (did you mean 'opsetVersion'?)"));
    expect(() => torch.onnx.export(m, x, f, { inputNames: 'x' as never })).toThrow(new TypeError("onnx.export: inputNames must be an array of non-empty strings, got string 'x'"));
    expect(() => torch.onnx.export(m, x, f, { inputNames: ['a', 'b'] })).toThrow(new RangeError('onnx.export: inputNames has 2 names for 1 inputs'));
    expect(() => torch.onnx.export(m, x, f, { dynamicAxes: { x: [0] } })).toThrow(
      new RangeError("onnx.export: dynamicAxes names 'x', which is not an input or output name ('input', 'output')"),
    );
    expect(() => torch.onnx.export(m, x, f, { dynamicAxes: { input: [1] } })).toThrow(new RangeError("onnx.export: dynamicAxes['input'] names dim 1, but 'input' has 1 dimensions"));
    expect(() => torch.onnx.export(m, [x, 3] as never, f)).toThrow(new TypeError('onnx.export: args must be a Tensor or an array of Tensors, got number 3 at 1'));
    expect(() => torch.onnx.export(m, x, '' as never)).toThrow(new TypeError("onnx.export: f must be a file path, got string ''"));
    expect(existsSync(f)).toBe(false);
  });
});

describe('onnx.export and views of the input', () => {
  it('refuses a view of an input that no op recorded (it would freeze the example into the file)', () => {
    const emb = new nn.Embedding(10, 3);
    const model = new Fn((idx) => emb.forward(idx.detach()));
    expect(() => torch.onnx.export(asModel(model), torch.randint(0, 10, [2, 3], { dtype: 'int64' }), join(dir, 'i.onnx'))).toThrow(
      "onnx.export: a view of input 'input' made by an op the trace does not record (such as detach) would freeze the example's values into the file; use the input itself",
    );
  });
});
