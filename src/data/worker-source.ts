/**
 * How a DataLoader worker thread rebuilds the dataset, transforms and collate function it runs.
 *
 * NOTE [ Rebuilding objects in worker threads ]
 * PyTorch pickles the dataset into each worker process. JavaScript cannot send class instances or
 * closures to a `worker_threads` Worker (structured clone keeps only plain data), so an object
 * that wants to run in a worker describes how to construct it: `workerSource()` returns the module
 * that exports its class, the export's name and the constructor arguments. Arguments are packed
 * recursively: tensors travel as typed arrays, nested objects with `workerSource()` as their own
 * recipes, and functions (a `Lambda` transform, a custom `collateFn`) as their source text, which
 * the worker evaluates — so such functions must be self-contained (no captured variables; a
 * `require` inside them is fine). An object that cannot be packed makes `pack` throw
 * `NotPackableError`, and a DataLoader with workers refuses it at construction, showing the fix.
 */
import { Tensor } from '../tensor';

/**
 * A recipe for `new (require(module)[exportName])(...args)` in a worker thread (a factory
 * function works too; see `construct`).
 */
export interface WorkerSource {
  /** Absolute path of the module (`__filename` of the class's own file). */
  module: string;
  exportName: string;
  args: readonly unknown[];
}

/** A value that cannot be sent to a worker thread. */
export class NotPackableError extends TypeError {
  override name = 'NotPackableError';
}

type Packed =
  | null
  | undefined
  | boolean
  | number
  | string
  | ArrayBufferView
  | Packed[]
  | { $kind: 'tensor'; data: ArrayBufferView; shape: readonly number[]; dtype: string }
  | { $kind: 'source'; module: string; exportName: string; args: Packed[] }
  | { $kind: 'function'; source: string; name: string }
  | { $kind: 'object'; entries: Record<string, Packed> };

/** Packs `value` for `postMessage`/`workerData`; throws `NotPackableError` naming what failed. */
export function pack(value: unknown, path = 'value'): Packed {
  if (value === null || value === undefined) return value;
  // Objects and functions (a transform is a callable) that know their recipe come first.
  const recipe = (value as { workerSource?: () => WorkerSource }).workerSource;
  if (typeof recipe === 'function') {
    const source = recipe.call(value);
    return {
      $kind: 'source',
      module: source.module,
      exportName: source.exportName,
      args: source.args.map((a, i) => pack(a, `${path}.workerSource().args[${i}]`)),
    };
  }
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return value;
    case 'function':
      return { $kind: 'function', source: Function.prototype.toString.call(value), name: (value as { name: string }).name };
    case 'object':
      break;
    default:
      throw new NotPackableError(`${path} (a ${typeof value}) cannot be sent to a worker thread`);
  }
  if (value instanceof Tensor) return { $kind: 'tensor', data: value.data, shape: [...value.shape], dtype: value.dtype };
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v, i) => pack(v, `${path}[${i}]`));
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const entries: Record<string, Packed> = {};
    for (const [k, v] of Object.entries(value)) entries[k] = pack(v, `${path}.${k}`);
    return { $kind: 'object', entries };
  }
  const name = (value as object).constructor?.name ?? 'object';
  throw new NotPackableError(
    `${path} (a ${name}) cannot be rebuilt in a worker thread: give ${name} a method ` +
      `workerSource() { return { module: __filename, exportName: '${name}', args: [/* its constructor arguments */] }; }, ` +
      `or build it with datasetFromModule(require.resolve('./module-exporting-it'), '${name}', ...args) (see docs/DATA.md, "How a worker gets the dataset")`,
  );
}

/**
 * `require(module)[exportName]` called with `args`: with `new` when it is a class or a
 * `function` (a function returning an object yields that object), without when it is an arrow
 * function (which cannot be `new`ed). The one way a worker and `datasetFromModule` build objects.
 */
export function construct(module: string, exportName: string, args: readonly unknown[]): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = (require(module) as Record<string, unknown>)[exportName];
  if (typeof exported !== 'function') {
    throw new TypeError(`${module} has no export named ${exportName} (got ${typeof exported})`);
  }
  const make = exported as (...a: unknown[]) => unknown;
  return make.prototype === undefined ? make(...args) : new (make as unknown as new (...a: unknown[]) => unknown)(...args);
}

/** Whether a packed value carries functions as source text (their captured variables stay behind). */
export function hasSourceFunctions(packed: unknown): boolean {
  if (packed === null || typeof packed !== 'object' || ArrayBuffer.isView(packed)) return false;
  if (Array.isArray(packed)) return packed.some(hasSourceFunctions);
  const kind = (packed as { $kind?: string }).$kind;
  if (kind === 'function') return true;
  if (kind === 'source') return hasSourceFunctions((packed as { args: unknown[] }).args);
  if (kind === 'object') return Object.values((packed as { entries: Record<string, unknown> }).entries).some(hasSourceFunctions);
  return false;
}

/** Rebuilds a packed value inside the worker. */
export function unpack(packed: Packed): unknown {
  if (packed === null || typeof packed !== 'object') return packed;
  if (ArrayBuffer.isView(packed)) return packed;
  if (Array.isArray(packed)) return packed.map(unpack);
  switch (packed.$kind) {
    case 'tensor':
      return new Tensor(packed.data as Float32Array, packed.shape, packed.dtype as Tensor['dtype']);
    case 'source':
      return construct(packed.module, packed.exportName, packed.args.map(unpack));
    case 'function':
      return reviveFunction(packed.source, packed.name);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(packed.entries)) out[k] = unpack(v);
      return out;
    }
  }
}

/**
 * Evaluates a function's source text. Arrow functions and `function` expressions are
 * expressions already; a method (`collate(samples) { … }`) is read back as an object literal's
 * member.
 */
function reviveFunction(source: string, name: string): unknown {
  try {
    return new Function('require', `return (${source});`)(require);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return new Function('require', `return ({ ${source} })[${JSON.stringify(name)}];`)(require);
  }
}
