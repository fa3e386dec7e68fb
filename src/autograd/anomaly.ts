/**
 * Anomaly detection (`torch.autograd.set_detect_anomaly` / `detect_anomaly`): finds the op where
 * a NaN first appears.
 *
 * While on, (1) every op that records a graph node checks its forward output, and (2) the engine
 * checks every gradient a backward function returns; the first NaN throws an `AnomalyError`
 * naming the op. For backward the message is PyTorch's
 * (`Function 'LogBackward0' returned nan values in its 0th output.`) followed by the stack of the
 * forward call that created the node, as PyTorch prints it. PyTorch itself does not check forward
 * outputs; kindling does because "which op made the NaN" is what one wants to know, and ops that
 * record no graph (no input requires grad, or inside `noGrad`) are not checked.
 *
 * NOTE [ Zero cost when off ]
 * The hooks in `function.ts` (`attach`) and `engine.ts` are one `if (anomalyMode.enabled)` each:
 * a property read of a module-level object. Forward call sites are captured only while on, kept in
 * a WeakMap so that `Node` needs no extra field and they die with their node.
 */
import { AutogradError } from '../errors';
import type { Tensor } from '../tensor';
import type { Node } from './node';
import { checkOptions, positionalOptionError } from '../options';

const ANOMALY_OPTIONS = {
  checkNan: { notImplemented: 'anomaly mode exists to find NaN: it always checks', unless: [true] },
} as const;

/** @internal Read by the hooks in the engine and in `attach`. */
export const anomalyMode = { enabled: false };

/** The forward call that created each node, kept as an `Error` (V8 formats `.stack` lazily: cheap until read). */
const forwardCalls = new WeakMap<Node, Error>();

/** The error anomaly detection throws; an `AutogradError` (PyTorch raises `RuntimeError`). */
export class AnomalyError extends AutogradError {
  override name = 'AnomalyError';
}

/** Turns anomaly detection on or off globally (`torch.autograd.set_detect_anomaly(mode)`). */
export function setDetectAnomaly(mode: boolean, options?: { checkNan?: boolean }): void {
  if (typeof mode !== 'boolean') throw new TypeError(`setDetectAnomaly: expected a boolean, got ${typeof mode}`);
  if (typeof options === 'boolean') throw positionalOptionError('setDetectAnomaly', 'second', `setDetectAnomaly(${mode}, { checkNan: ${options} })`);
  checkOptions('setDetectAnomaly', options, ANOMALY_OPTIONS);
  anomalyMode.enabled = mode;
}

/** Whether anomaly detection is on (`torch.is_anomaly_enabled()`). */
export function isAnomalyEnabled(): boolean {
  return anomalyMode.enabled;
}

/**
 * Runs `fn` with anomaly detection on and restores the previous mode afterwards
 * (`with torch.autograd.detect_anomaly():`). Only synchronous callbacks, like `noGrad`.
 *
 * @example
 * torch.autograd.detectAnomaly(() => model.forward(x).log().sum().backward());
 */
export function detectAnomaly<T>(fn: () => T): T {
  const previous = anomalyMode.enabled;
  anomalyMode.enabled = true;
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new TypeError('detectAnomaly: the callback must be synchronous (it returned a Promise)');
    }
    return result;
  } finally {
    anomalyMode.enabled = previous;
  }
}

function firstNaN(t: Tensor): number {
  if (t.dtype !== 'float32') return -1;
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (data[i] !== data[i]) return i;
  return -1;
}

/** `LogBackward0` → `Log`: the forward op a backward node belongs to. */
function forwardName(backwardName: string): string {
  return backwardName.replace(/Backward\d*$/, '');
}

/** @internal Called by `attach` for a freshly recorded output (only while anomaly mode is on). */
export function checkForward(out: Tensor, node: Node): void {
  forwardCalls.set(node, new Error());
  const at = firstNaN(out);
  if (at >= 0) {
    throw new AnomalyError(
      `Function '${forwardName(node.name)}' (forward of ${node.name}) returned nan values in its output ` +
        `(first at flat index ${at} of shape [${out.shape.join(', ')}]).`,
    );
  }
}

/** @internal Called by the engine with what a backward function returned (only while on). */
export function checkBackward(node: Node, grads: ReadonlyArray<Tensor | null>): void {
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g === null || g === undefined || firstNaN(g) < 0) continue;
    // Drop the lines of `Error`, checkForward and attach: the trace starts at the op.
    const stack = forwardCalls.get(node)?.stack?.split('\n').slice(3).join('\n');
    const trace = stack === undefined ? '' : `\nTraceback of forward call that caused the error:\n${stack}`;
    throw new AnomalyError(`Function '${node.name}' returned nan values in its ${i}th output.${trace}`);
  }
}

/** `torch.autograd`'s anomaly functions, for `torch.autograd.detectAnomaly(fn)`. */
export const autograd = { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } as const;
