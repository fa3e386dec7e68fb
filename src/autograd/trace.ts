/**
 * The one recording point of `onnx.export`'s tracer. Every differentiable op already passes
 * through `attach` (src/autograd/function.ts) with its output, its PyTorch node name and its
 * inputs; while an export traces a model, `attach` also hands those to the active listener.
 * What the node name and the shapes do not tell (a convolution's stride, a softmax's dim, a
 * scalar operand, a batch norm's running statistics) an op states with
 * `if (isTracing()) traced(out, attrs)`: the guard keeps the attributes object from being
 * allocated on every call when nothing is tracing (one null test).
 */
import type { Tensor } from '../tensor';

/** What a tracer receives: each recorded node and each op's attributes. */
export interface TraceListener {
  attach(out: Tensor, name: string, inputs: ReadonlyArray<Tensor | null | undefined>): void;
  attrs(out: Tensor, attrs: Record<string, unknown>): void;
}

/** The active listener (null unless `onnx.export` is running a model's forward). */
export const traceState: { listener: TraceListener | null } = { listener: null };

/** Whether an export is tracing (fused blocks run unfused then, so each op is recorded). */
export function isTracing(): boolean {
  return traceState.listener !== null;
}

/** Gives the tracer `out`'s op attributes (nothing when not tracing) and returns `out`. */
export function traced<T extends Tensor>(out: T, attrs: Record<string, unknown>): T {
  const l = traceState.listener;
  if (l !== null) l.attrs(out, attrs);
  return out;
}

/**
 * Records an op that never has an autograd node (a comparison) under its aten name, with its
 * attributes, so that a mask computed from the input stays a computation in the graph instead of
 * a constant of the example. Callers guard it with `isTracing()`.
 */
export function tracedOp<T extends Tensor>(out: T, name: string, inputs: ReadonlyArray<Tensor | null | undefined>, attrs: Record<string, unknown>): T {
  const l = traceState.listener;
  if (l !== null) {
    l.attrs(out, attrs);
    l.attach(out, name, inputs);
  }
  return out;
}
