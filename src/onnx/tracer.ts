/**
 * The tracer: while `onnx.export` runs the model's forward, it listens at `attach`
 * (src/autograd/trace.ts) and keeps each op's record, its attributes, and the path of the module
 * whose `forward` ran it. An op with no ONNX mapping is refused at once, naming the op and the
 * module, so the export stops before building anything.
 */
import type { TraceListener } from '../autograd/trace';
import type { Module } from '../nn/module';
import type { Tensor } from '../tensor';
import { CONVERTERS, type OpRecord } from './convert';
import { opNameOf, UnsupportedOperatorError, whereIn } from './errors';

/** What to do instead, for ops that have no mapping because of the model's mode. */
const HINTS: Record<string, string> = {
  native_dropout: 'dropout in training mode is random: call model.eval() before exporting',
};

export class Tracer implements TraceListener {
  /** Records in the order the ops ran (a topological order). */
  readonly records: OpRecord[] = [];
  /** The record that produced each tensor (the latest, when an op re-attaches a tensor it made). */
  readonly producer = new Map<Tensor, OpRecord>();
  private readonly attrsOf = new Map<Tensor, Record<string, unknown>>();
  private readonly path: string[] = [''];

  constructor(private readonly rootName: string) {}

  /** The message suffix naming the module running now. */
  where(): string {
    return whereIn(this.path[this.path.length - 1], this.rootName);
  }

  attach(out: Tensor, name: string, inputs: ReadonlyArray<Tensor | null | undefined>): void {
    const where = this.where();
    if (!CONVERTERS.has(name)) {
      const op = opNameOf(name);
      const hint = HINTS[op] === undefined ? '' : `; ${HINTS[op]}`;
      throw new UnsupportedOperatorError(op, this.path[this.path.length - 1], `onnx.export: no ONNX mapping for op '${op}' ${where}${hint}`);
    }
    const record: OpRecord = { name, inputs: inputs.slice(), out, attrs: this.attrsOf.get(out) ?? {}, where };
    this.attrsOf.set(out, record.attrs);
    this.records.push(record);
    this.producer.set(out, record);
  }

  attrs(out: Tensor, attrs: Record<string, unknown>): void {
    const known = this.attrsOf.get(out);
    if (known === undefined) this.attrsOf.set(out, { ...attrs });
    else Object.assign(known, attrs);
  }

  /**
   * Runs `fn` with every submodule's `forward` wrapped to keep the module path (an own property
   * over the class's method, removed afterwards), so messages name the module as PyTorch's do.
   */
  withModulePaths<T>(model: Module, fn: () => T): T {
    const wrapped: Array<[Module, PropertyDescriptor | undefined]> = [];
    const path = this.path;
    for (const [name, m] of model.namedModules()) {
      if (name === '') continue;
      const own = Object.getOwnPropertyDescriptor(m, 'forward');
      const inner = (m as unknown as { forward: (...a: unknown[]) => unknown }).forward;
      Object.defineProperty(m, 'forward', {
        configurable: true,
        writable: true,
        enumerable: false,
        value: function (this: Module, ...args: unknown[]): unknown {
          path.push(name);
          try {
            return inner.apply(this, args);
          } finally {
            path.pop();
          }
        },
      });
      wrapped.push([m, own]);
    }
    try {
      return fn();
    } finally {
      for (const [m, own] of wrapped) {
        if (own === undefined) delete (m as unknown as { forward?: unknown }).forward;
        else Object.defineProperty(m, 'forward', own);
      }
    }
  }
}
