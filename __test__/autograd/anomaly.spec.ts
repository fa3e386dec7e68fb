/**
 * Anomaly detection: with `setDetectAnomaly(true)` / `autograd.detectAnomaly(fn)`, the first NaN
 * in a recorded op's output or in a backward function's gradients throws an `AnomalyError` naming
 * the op — for backward with PyTorch's exact text, checked against PyTorch 2.15:
 *
 *   x = torch.tensor([0., 4.], requires_grad=True)
 *   with torch.autograd.detect_anomaly():
 *       x.sqrt().mul(0).sum().backward()
 *   # RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { AnomalyError } from '../../src/autograd/anomaly';
import { attach } from '../../src/autograd/function';
import { AutogradError } from '../../src/errors';

afterEach(() => {
  torch.setDetectAnomaly(false);
});

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('setDetectAnomaly', () => {
  it('is off by default: NaNs pass through forward and backward', () => {
    expect(torch.isAnomalyEnabled()).toBe(false);
    const x = torch.tensor([0, 4], { dtype: torch.float32, requiresGrad: true });
    x.sqrt().mul(0).sum().backward();
    expect(Number.isNaN(x.grad?.data[0])).toBe(true);
    expect(torch.tensor([-1], { dtype: torch.float32, requiresGrad: true }).log().data[0]).toBeNaN();
  });

  it("names the backward function that first returned NaN, with PyTorch's message and the forward traceback", () => {
    torch.setDetectAnomaly(true);
    expect(torch.isAnomalyEnabled()).toBe(true);
    const x = torch.tensor([0, 4], { dtype: torch.float32, requiresGrad: true });
    const loss = x.sqrt().mul(0).sum(); // finite forward: 0·sqrt(0) = 0
    const error = thrown(() => loss.backward());
    expect(error).toBeInstanceOf(AnomalyError);
    expect(error).toBeInstanceOf(AutogradError);
    const [first, second, ...stack] = error.message.split('\n');
    expect(first).toBe("Function 'SqrtBackward0' returned nan values in its 0th output.");
    expect(second).toBe('Traceback of forward call that caused the error:');
    expect(stack.join('\n')).toContain('anomaly.spec.ts'); // the line above that called x.sqrt()
    expect(x.grad).toBeNull();
  });

  it('counts outputs from 0 as PyTorch does ("1th")', () => {
    torch.setDetectAnomaly(true);
    const a = torch.tensor([1], { dtype: torch.float32, requiresGrad: true });
    const b = torch.tensor([2], { dtype: torch.float32, requiresGrad: true });
    const out = attach(torch.tensor([3.5]), 'CustomBackward0', [a, b], (g) => [g, torch.tensor([NaN])], [a, b]);
    expect(() => out.sum().backward()).toThrow(/^Function 'CustomBackward0' returned nan values in its 1th output\.\nTraceback of forward call that caused the error:\n {4}at .*anomaly\.spec\.ts/);
  });

  it('names the forward op whose output first holds a NaN', () => {
    torch.setDetectAnomaly(true);
    const x = torch.tensor([1, -1, 2], { dtype: torch.float32, requiresGrad: true });
    const h = x.mul(2); // fine
    expect(() => h.log()).toThrow(
      new AnomalyError("Function 'Log' (forward of LogBackward0) returned nan values in its output (first at flat index 1 of shape [3])."),
    );
    const w = torch.tensor([[Infinity, 1]], { dtype: torch.float32, requiresGrad: true });
    expect(() => w.sub(w)).toThrow("Function 'Sub' (forward of SubBackward0) returned nan values in its output (first at flat index 0 of shape [1, 2]).");
  });

  it('checks only ops that record a graph (as PyTorch, whose anomaly mode is about autograd)', () => {
    torch.setDetectAnomaly(true);
    expect(torch.tensor([-1], { dtype: torch.float32 }).log().data[0]).toBeNaN();
    const x = torch.tensor([-1], { dtype: torch.float32, requiresGrad: true });
    expect(torch.noGrad(() => x.log()).data[0]).toBeNaN();
  });

  it('rejects a non-boolean', () => {
    expect(() => torch.setDetectAnomaly(1 as unknown as boolean)).toThrow(new TypeError('setDetectAnomaly: expected a boolean, got number'));
  });
});

describe('autograd.detectAnomaly(fn)', () => {
  it('turns detection on for the callback only and returns its result', () => {
    const x = torch.tensor([-1], { dtype: torch.float32, requiresGrad: true });
    expect(() => torch.autograd.detectAnomaly(() => x.log())).toThrow("Function 'Log' (forward of LogBackward0)");
    expect(torch.isAnomalyEnabled()).toBe(false);
    expect(torch.autograd.detectAnomaly(() => x.mul(3)).data[0]).toBe(-3);
    torch.autograd.setDetectAnomaly(true);
    torch.autograd.detectAnomaly(() => 0);
    expect(torch.autograd.isAnomalyEnabled()).toBe(true);
  });

  it('refuses async callbacks (the mode is global)', () => {
    expect(() => torch.autograd.detectAnomaly(async () => 1)).toThrow(
      new TypeError('detectAnomaly: the callback must be synchronous (it returned a Promise)'),
    );
    expect(torch.isAnomalyEnabled()).toBe(false);
  });
});
