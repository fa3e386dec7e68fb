/**
 * Nested state (an optimizer's `stateDict()`: `{ state: { 0: { step, exp_avg, … } }, param_groups:
 * [{ lr, betas, … }] }`) ↔ flat safetensors tensors plus one JSON "structure".
 *
 * NOTE [ How nested state is stored ]
 * Every tensor becomes a safetensors tensor named by its dotted path (`state.0.exp_avg`), so any
 * safetensors reader sees them. Everything else (step counts, group options) stays in a JSON copy
 * of the object in which each tensor is replaced by `{"__tensor__": "state.0.exp_avg"}`; it goes
 * into the header's `__metadata__` under the key `kindling` (the format only allows string values
 * there). Numbers JSON cannot hold are `{"__float__": "NaN" | "Infinity" | "-Infinity" | "-0"}`,
 * and a user object that happens to look like one of these tags is wrapped as
 * `{"__object__": {...}}`, so the round trip is exact. `undefined` properties are dropped, as
 * `JSON.stringify` does.
 */
import { typeName } from '../errors';
import { Tensor } from '../tensor';

const TAGS = new Set(['__tensor__', '__float__', '__object__']);

/** Deepest nesting `flattenState` stores and `unflattenState` rebuilds (state dicts are a few levels deep). */
const MAX_DEPTH = 1000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Splits `root` into its tensors (by dotted path) and a JSON structure that refers to them.
 * Throws a `TypeError` naming the path of a value that cannot be stored, and a `RangeError` when
 * two tensors end up with the same dotted name (`{ 'a.b': x, a: { b: y } }`).
 */
export function flattenState(root: object): { tensors: Map<string, Tensor>; structure: Json } {
  const tensors = new Map<string, Tensor>();
  // The objects and arrays being encoded, outermost first, with their paths: a value already on
  // this chain is a cycle (a value met twice elsewhere is only shared, and is stored twice).
  const ancestors = new Map<object, string[]>();
  const enter = (value: object, path: string[], where: string): void => {
    const first = ancestors.get(value);
    if (first !== undefined) {
      const target = first.length === 0 ? 'the top level' : `'${first.join('.')}'`;
      throw new TypeError(`save: the object to save contains a cycle at ${where} (it refers back to ${target})`);
    }
    if (ancestors.size >= MAX_DEPTH) throw new RangeError(`save: the object to save is nested deeper than ${MAX_DEPTH} levels at ${where}`);
    ancestors.set(value, path);
  };
  const encode = (value: unknown, path: string[]): Json => {
    const where = path.length === 0 ? 'the top level' : `'${path.join('.')}'`;
    if (value instanceof Tensor) {
      const name = path.join('.');
      if (tensors.has(name)) throw new RangeError(`save: two tensors would both be stored as '${name}'`);
      tensors.set(name, value);
      return { __tensor__: name };
    }
    if (typeof value === 'number') {
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { __float__: Object.is(value, -0) ? '-0' : String(value) };
    }
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) {
      enter(value, path, where);
      const items = value.map((item, i) => {
        if (item === undefined) throw new TypeError(`save: cannot store undefined at ${where}[${i}]`);
        return encode(item, [...path, String(i)]);
      });
      ancestors.delete(value);
      return items;
    }
    if (typeof value === 'object' && isPlainObject(value)) {
      enter(value, path, where);
      const out: { [key: string]: Json } = {};
      for (const [key, item] of Object.entries(value)) {
        // defineProperty, not `out[key] =`: a "__proto__" key must stay a plain field.
        if (item !== undefined) Object.defineProperty(out, key, { value: encode(item, [...path, key]), enumerable: true, writable: true, configurable: true });
      }
      ancestors.delete(value);
      const keys = Object.keys(out);
      return keys.length === 1 && TAGS.has(keys[0]) ? { __object__: out } : out;
    }
    throw new TypeError(
      `save: cannot store ${typeName(value)} at ${where}: a checkpoint holds tensors, numbers, strings, ` +
        `booleans, null, arrays and plain objects`,
    );
  };
  const structure = encode(root, []);
  return { tensors, structure };
}

/**
 * Rebuilds the object `flattenState` split, taking tensors from `tensors`. `fail` reports a
 * structure that refers to a missing tensor or leaves a tensor unused (a corrupt file).
 */
export function unflattenState(structure: unknown, tensors: ReadonlyMap<string, Tensor>, fail: (what: string) => never): unknown {
  const used = new Set<string>();
  // What `save` writes is an object at the top; anything else is a damaged structure, not a result.
  if (structure === null || typeof structure !== 'object' || Array.isArray(structure)) {
    fail(`the kindling structure must be an object at the top level, got ${structure === null ? 'null' : Array.isArray(structure) ? 'an array' : typeof structure}`);
  }
  const decode = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object') return value;
    // A bound instead of the engine's "Maximum call stack size exceeded" on a hostile file.
    if (depth > MAX_DEPTH) fail(`the kindling structure is nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) return value.map((item) => decode(item, depth + 1));
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1) {
      const [key] = keys;
      const inner = record[key];
      if (key === '__tensor__') {
        const t = typeof inner === 'string' ? tensors.get(inner) : undefined;
        if (t === undefined) fail(`the kindling structure refers to tensor ${JSON.stringify(inner)}, which the file does not have`);
        used.add(inner as string);
        return t;
      }
      if (key === '__float__') {
        const x = inner === '-0' ? -0 : Number(inner);
        if (typeof inner !== 'string' || (Number.isNaN(x) && inner !== 'NaN')) fail(`the kindling structure has a bad number ${JSON.stringify(inner)}`);
        return x;
      }
      if (key === '__object__') {
        if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) fail(`the kindling structure has a bad __object__ ${JSON.stringify(inner)}`);
        return decodeFields(inner, depth);
      }
    }
    return decodeFields(record, depth);
  };
  const decodeFields = (record: unknown, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record as Record<string, unknown>)) {
      // defineProperty, not `out[k] =`: a file's "__proto__" key must stay a plain field.
      Object.defineProperty(out, k, { value: decode(v, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const result = decode(structure, 0);
  for (const name of tensors.keys()) {
    if (!used.has(name)) fail(`tensor '${name}' is in the file but not in its kindling structure`);
  }
  return result;
}
