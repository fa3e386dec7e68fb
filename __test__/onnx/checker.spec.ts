/**
 * ONNX's own checker on the exported files: every layer case of cases.ts and the seed MLP, the
 * MNIST CNN and the one-block GPT pass `onnx.checker.check_model(model, full_check=True)`
 * (structure, opset schemas, strict shape inference), through scripts/onnx_check.py.
 *
 * Skipped only when `python3 -c "import onnx"` fails AND KINDLING_REQUIRE_ONNX is unset; CI sets
 * it (and installs onnx from PyPI), so there a missing checker is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import * as dist from 'kindling';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { GPT } from '../../examples/gpt-model';
import { Net } from '../../examples/mnist-cnn';
import { seedMLP } from '../../examples/seed-mlp';
import { type AnyModel, CASES } from './cases';
import { tempDir } from './helpers';

const repo = resolve(__dirname, '../..');
const available = spawnSync('python3', ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
const required = Boolean(process.env.KINDLING_REQUIRE_ONNX);

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** The checker's verdict per file: null when it passes. */
function check(files: string[]): Record<string, string | null> {
  const out = execFileSync('python3', [join(repo, 'scripts', 'onnx_check.py'), ...files], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return JSON.parse(out) as Record<string, string | null>;
}

describe('onnx.checker on exported files', () => {
  it('finds Python onnx when KINDLING_REQUIRE_ONNX is set', () => {
    if (required) expect(available, 'KINDLING_REQUIRE_ONNX is set but `python3 -c "import onnx"` fails').toBe(true);
  });

  it.skipIf(!available && !required)('passes every layer case and the three issue models (full_check)', () => {
    const files: string[] = [];
    CASES.forEach((c, i) => {
      torch.manualSeed(200 + i);
      const file = join(dir, `case${i}.onnx`);
      const input = c.input(2);
      const n = Array.isArray(input) ? input.length : 1;
      const dynamicAxes: Record<string, number[]> = {};
      if (c.dynamic === true) for (let k = 0; k < n; k++) dynamicAxes[k === 0 ? 'input' : `input_${k}`] = [0];
      torch.onnx.export(c.make(), input, file, { dynamicAxes, opsetVersion: c.opsetVersion });
      files.push(file);
    });
    const batch = { input: { 0: 'batch' }, output: { 0: 'batch' } };
    dist.manualSeed(0);
    const MLP = seedMLP(dist.nn);
    const models: Array<[string, AnyModel, dist.Tensor]> = [
      ['seed-mlp', new MLP().eval() as unknown as AnyModel, dist.randn([3, 1, 28, 28])],
      ['mnist-cnn', new Net().eval() as unknown as AnyModel, dist.randn([2, 1, 28, 28])],
      [
        'gpt',
        new GPT({ vocabSize: 20, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0 }).eval() as unknown as AnyModel,
        dist.randint(0, 20, [2, 8], { dtype: 'int64' }),
      ],
    ];
    for (const [name, model, x] of models) {
      const file = join(dir, `${name}.onnx`);
      dist.onnx.export(model as never, x, file, { dynamicAxes: batch });
      files.push(file);
    }
    const verdicts = check(files);
    const failures = Object.entries(verdicts).filter(([, v]) => v !== null);
    expect(failures).toEqual([]);
    expect(Object.keys(verdicts).length).toBe(CASES.length + 3);
  });
});
