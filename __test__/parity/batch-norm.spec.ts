/**
 * BatchNorm1d/2d against PyTorch (`__test__/fixtures/batch_norm.json`,
 * scripts/fixtures/make_batch_norm_fixtures.py): three train-mode steps (outputs, input/weight/
 * bias gradients, running statistics and the batch count after each), then the eval output, the
 * repr, the state_dict keys and the errors. Tolerance rtol 1e-5 / atol 1e-5 (1e-4 for the
 * gradients, sums over a channel).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { expectClose, loadFixture } from '../helpers/fixtures';

interface Step {
  input: number[]; gradOutput: number[]; output: number[]; gradInput: number[];
  gradWeight: number[] | null; gradBias: number[] | null;
  runningMean: number[] | null; runningVar: number[] | null; numBatchesTracked: number | null;
}
interface Case {
  module: 'BatchNorm1d' | 'BatchNorm2d'; numFeatures: number; options: Record<string, unknown>; shape: number[];
  params: Record<string, number[]>; repr: string; stateDictKeys: string[]; steps: Step[]; evalInput: number[]; evalOutput: number[];
}
interface ErrorCase { module: 'BatchNorm1d' | 'BatchNorm2d'; numFeatures: number; shape: number[]; message: string }
const fixture = loadFixture<{ cases: Case[]; errors: ErrorCase[] }>('batch_norm');
const make = (values: number[], shape: number[]) => torch.tensor(values).reshape(shape);

describe('nn.BatchNorm1d / BatchNorm2d against PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${c.repr} on ${JSON.stringify(c.shape)}`, () => {
      const m = new torch.nn[c.module](c.numFeatures, c.options as never);
      expect(String(m)).toBe(c.repr);
      expect(Object.keys(m.stateDict())).toEqual(c.stateDictKeys);
      if (m.weight) (m.weight.data as Float32Array).set(c.params.weight);
      if (m.bias) (m.bias.data as Float32Array).set(c.params.bias);
      m.train();
      for (const [i, s] of c.steps.entries()) {
        const x = make(s.input, c.shape).requiresGrad_();
        if (m.weight) m.weight.grad = null;
        if (m.bias) m.bias.grad = null;
        const y = m.forward(x);
        expect(y.gradFn?.name).toBe('NativeBatchNormBackward0');
        expectClose(y, s.output, { rtol: 1e-5, atol: 1e-5, label: `step ${i} output` });
        y.backward(make(s.gradOutput, c.shape));
        expectClose(x.grad as torch.Tensor, s.gradInput, { rtol: 1e-4, atol: 1e-5, label: `step ${i} grad input` });
        if (s.gradWeight) expectClose(m.weight?.grad as torch.Tensor, s.gradWeight, { rtol: 1e-5, atol: 1e-4, label: `step ${i} grad weight` });
        if (s.gradBias) expectClose(m.bias?.grad as torch.Tensor, s.gradBias, { rtol: 1e-5, atol: 1e-4, label: `step ${i} grad bias` });
        if (s.runningMean) expectClose(m.running_mean as torch.Tensor, s.runningMean, { rtol: 1e-5, atol: 1e-6, label: `step ${i} running_mean` });
        if (s.runningVar) expectClose(m.running_var as torch.Tensor, s.runningVar, { rtol: 1e-5, atol: 1e-6, label: `step ${i} running_var` });
        if (s.numBatchesTracked !== null) expect((m.num_batches_tracked as torch.Tensor).item()).toBe(s.numBatchesTracked);
      }
      m.eval();
      expectClose(torch.noGrad(() => m.forward(make(c.evalInput, c.shape))), c.evalOutput, { rtol: 1e-5, atol: 1e-5, label: 'eval output' });
    });
  }
  for (const e of fixture.errors) {
    it(`${e.module}(${e.numFeatures}) on ${JSON.stringify(e.shape)} → ${e.message}`, () => {
      const m = new torch.nn[e.module](e.numFeatures);
      expect(() => m.forward(torch.randn(e.shape))).toThrow(e.message);
    });
  }
});
