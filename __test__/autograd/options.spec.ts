/** Issue #11.4 for autograd: `backward` and `setDetectAnomaly` refuse options they would ignore. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

function loss(): torch.Tensor {
  const w = torch.tensor([1, 2, 3], { dtype: torch.float32, requiresGrad: true });
  return w.mul(w).sum();
}

describe('backward options', () => {
  it('backward(undefined, { createGraph: true }) is no longer ignored', () => {
    expect(() => loss().backward(undefined, { createGraph: true })).toThrow(
      new TypeError("backward: option 'createGraph' is not supported by kindling yet (no higher-order gradients: backward records no graph)"),
    );
    expect(() => loss().backward(undefined, { inputs: [] })).toThrow(
      new TypeError("backward: option 'inputs' is not supported by kindling yet (gradients accumulate into every leaf of the graph)"),
    );
    expect(() => loss().backward(undefined, { createGraph: false, retainGraph: false })).not.toThrow();
  });

  it('misspelled options and PyTorch positional retain_graph show the call that works', () => {
    expect(() => loss().backward(undefined, { retain_graph: true } as never)).toThrow(
      new TypeError("backward got an unexpected option 'retain_graph' (did you mean 'retainGraph'?)"),
    );
    expect(() => loss().backward(undefined, true as never)).toThrow(
      new TypeError('backward: the second argument is an options object; use tensor.backward(undefined, { retainGraph: true })'),
    );
    expect(() => loss().backward({ retainGraph: true } as never)).toThrow(
      new TypeError('backward: the first argument is the gradient (a Tensor or undefined); use tensor.backward(undefined, { retainGraph: true })'),
    );
  });

  it('retainGraph still works', () => {
    const w = torch.tensor([1, 2, 3], { dtype: torch.float32, requiresGrad: true });
    const l = w.mul(w).sum();
    l.backward(undefined, { retainGraph: true });
    l.backward();
    expect(w.grad?.tolist()).toEqual([4, 8, 12]);
  });
});

describe('setDetectAnomaly options', () => {
  it("checkNan: false is refused (anomaly mode only checks NaN), PyTorch's positional form shows the call", () => {
    expect(() => torch.setDetectAnomaly(true, false as never)).toThrow(
      new TypeError('setDetectAnomaly: the second argument is an options object; use setDetectAnomaly(true, { checkNan: false })'),
    );
    expect(() => torch.setDetectAnomaly(true, { checkNan: false })).toThrow(
      new TypeError("setDetectAnomaly: option 'checkNan' is not supported by kindling yet (anomaly mode exists to find NaN: it always checks)"),
    );
    expect(() => torch.setDetectAnomaly(true, { check_nan: true } as never)).toThrow(
      new TypeError("setDetectAnomaly got an unexpected option 'check_nan' (did you mean 'checkNan'?)"),
    );
    expect(torch.isAnomalyEnabled()).toBe(false);
    torch.setDetectAnomaly(true, { checkNan: true });
    expect(torch.isAnomalyEnabled()).toBe(true);
    torch.setDetectAnomaly(false);
  });
});
