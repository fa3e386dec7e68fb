/**
 * Checkpoints between PyTorch and kindling, both ways, with the seed program's MLP.
 *
 * PyTorch → kindling: `torch_mlp.safetensors` is PyTorch's `MLP().state_dict()` (manual_seed(0))
 * saved by `safetensors.torch.save_file`; `torch_mlp_io.safetensors` holds a fixed input batch and
 * PyTorch's eval-mode outputs (scripts/interop/make_torch_checkpoint.py). kindling's MLP with
 * `loadStateDict(torch.load(path))` must give the same outputs (rtol 1e-5, atol 1e-6).
 *
 * kindling → PyTorch: `kindling_*.safetensors` were written by scripts/interop/make_kindling_checkpoint.ts;
 * scripts/interop/check_kindling_checkpoint.py loads them with `safetensors.torch.load_file` +
 * `load_state_dict` and compares outputs. That part runs only where python3 has torch and
 * safetensors (never required: CI has no Python); it also checks a checkpoint written just now.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { MLP } from '../../scripts/interop/seed-mlp';
import { writeKindlingFixtures } from '../../scripts/interop/make_kindling_checkpoint';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'interop');
const CHECK_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'interop', 'check_kindling_checkpoint.py');
const ADAM_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'interop', 'check_adam_restore.py');

function expectClose(actual: torch.Tensor, expected: torch.Tensor, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: ${a} is not close to ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

describe('PyTorch → kindling', () => {
  it("loads PyTorch's seed MLP state_dict and reproduces PyTorch's eval-mode outputs", () => {
    const state = torch.load(path.join(FIXTURES, 'torch_mlp.safetensors'));
    expect(Object.keys(state)).toEqual([
      'layers.1.bias', 'layers.1.weight', 'layers.4.bias', 'layers.4.weight', 'layers.7.bias', 'layers.7.weight',
    ]);
    const mlp = new MLP();
    expect(mlp.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    mlp.eval();
    const io = torch.load(path.join(FIXTURES, 'torch_mlp_io.safetensors'));
    expect(io.inputs.shape).toEqual([5, 1, 28, 28]);
    const outputs = torch.noGrad(() => mlp.forward(io.inputs));
    expectClose(outputs, io.outputs);
  });

  it('a checkpoint of another architecture: loadStateDict names the keys and shapes', () => {
    class Wider extends torch.nn.Module {
      layers = new torch.nn.Sequential(new torch.nn.Flatten(), new torch.nn.Linear(784, 128), new torch.nn.ReLU(), new torch.nn.Linear(128, 10));
      forward(x: torch.Tensor): torch.Tensor {
        return this.layers.forward(x);
      }
    }
    const state = torch.load(path.join(FIXTURES, 'torch_mlp.safetensors'));
    expect(() => new Wider().loadStateDict(state)).toThrow(
      new RangeError(
        'Error(s) in loading state_dict for Wider:\n\t' +
          'Missing key(s) in state_dict: "layers.3.weight", "layers.3.bias". \n\t' +
          'Unexpected key(s) in state_dict: "layers.4.bias", "layers.4.weight", "layers.7.bias", "layers.7.weight". \n\t' +
          'size mismatch for layers.1.weight: copying a param with shape [64, 784] from checkpoint, the shape in current model is [128, 784].\n\t' +
          'size mismatch for layers.1.bias: copying a param with shape [64] from checkpoint, the shape in current model is [128].',
      ),
    );
  });
});

function pythonWithTorch(): string | null {
  // find_spec only looks the packages up (importing torch would take seconds).
  const probe = spawnSync('python3', ['-c', "import importlib.util as u, sys; sys.exit(0 if u.find_spec('torch') and u.find_spec('safetensors') else 3)"], { encoding: 'utf8' });
  if (probe.error) return `python3 not found (${probe.error.message})`;
  if (probe.status !== 0) return 'python3 has no torch or no safetensors';
  return null;
}

const skipReason = pythonWithTorch();
if (skipReason !== null) console.log(`skipping kindling → PyTorch checks: ${skipReason}`);

describe.skipIf(skipReason !== null)('kindling → PyTorch (needs python3 with torch + safetensors)', () => {
  it('the committed kindling checkpoint, and one written by the current code, load with load_file + load_state_dict and give the same outputs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-interop-'));
    try {
      writeKindlingFixtures(dir);
      // One Python process for both folders: importing torch takes seconds. Its TMPDIR is the
      // test's own folder, removed below: torch keeps a cache folder (torchinductor_<user>) there.
      const run = spawnSync('python3', [CHECK_SCRIPT, FIXTURES, dir], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: dir } });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).toMatch(/^OK torch .*outputs match.*Adam checkpoint: 6 parameter states, lr 0\.001, step 2$/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * What check_adam_restore.py continues in PyTorch: the seed MLP trained 3 Adam steps (AMSGrad,
 * weight decay, betas (0.8, 0.99), lr 1e-2, dropout off) saved as examples/mnist-ddp.ts saves its
 * checkpoint, then 2 more steps on the same batch whose end parameters PyTorch must reach.
 */
function writeAdamContinuation(dir: string): void {
  torch.manualSeed(3);
  const mlp = new MLP();
  mlp.eval();
  const inputs = torch.rand([16, 1, 28, 28]);
  const targets = torch.randint(0, 10, [16]);
  const optimizer = new torch.optim.Adam(mlp.parameters(), { lr: 1e-2, betas: [0.8, 0.99], weightDecay: 0.01, amsgrad: true });
  const loss = new torch.nn.CrossEntropyLoss();
  const step = () => {
    optimizer.zeroGrad();
    loss.forward(mlp.forward(inputs), targets).backward();
    optimizer.step();
  };
  for (let i = 0; i < 3; i++) step();
  torch.save({ epoch: 1, model: mlp.stateDict(), optimizer: optimizer.stateDict() } as unknown as Record<string, unknown>, path.join(dir, 'checkpoint.safetensors'));
  const steps = 2;
  for (let i = 0; i < steps; i++) step();
  torch.save({ inputs, targets, steps, after: mlp.stateDict() } as unknown as Record<string, unknown>, path.join(dir, 'continuation.safetensors'));
}

describe.skipIf(skipReason !== null)('kindling → PyTorch optimizer (needs python3 with torch + safetensors)', () => {
  it("scripts/interop/kindling_checkpoint.py restores kindling's Adam into torch.optim.Adam: the run continues on kindling's parameters", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-interop-adam-'));
    try {
      writeAdamContinuation(dir);
      const run = spawnSync('python3', [ADAM_SCRIPT, dir], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: dir } });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toMatch(
        /^OK torch .*: Adam restored from kindling continues kindling's run \(max abs diff .*; a cold Adam: .*\); converted file: epoch 1, 6 parameter states, steps \[3\], amsgrad True$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kindling → kindling', () => {
  it('the committed kindling checkpoint reloads into the same outputs', () => {
    const mlp = new MLP();
    mlp.loadStateDict(torch.load(path.join(FIXTURES, 'kindling_mlp.safetensors')));
    mlp.eval();
    const io = torch.load(path.join(FIXTURES, 'kindling_mlp_io.safetensors'));
    expectClose(torch.noGrad(() => mlp.forward(io.inputs)), io.outputs, 0, 0);
  });
});
