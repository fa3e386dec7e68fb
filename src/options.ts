/**
 * One check for every public options object (`new DataLoader(ds, { … })`, `new optim.Adam(params,
 * { … })`, `backward(g, { … })`): unknown keys, wrong types and options kindling does not
 * implement yet throw a `TypeError` naming the owner and the option, instead of being ignored.
 *
 * @example
 * checkOptions('DataLoader', options, { batchSize: 'integer|null', shuffle: 'boolean' });
 * // TypeError: DataLoader got an unexpected option 'batch_size' (did you mean 'batchSize'?)
 */

/**
 * What an option may hold. Alternatives are joined with `|` (`'integer|null'`). `undefined` is
 * always accepted (the option is absent). A function spec checks the value itself and returns an
 * error text (`'a non-negative number'`) when it does not fit.
 */
export type OptionKind =
  | 'number'
  | 'integer'
  | 'boolean'
  | 'string'
  | 'function'
  | 'object'
  | 'null'
  | 'any'
  | `${string}|${string}`
  | NotImplementedOption
  | ((value: unknown) => string | null);

/**
 * An option kindling does not implement yet: any value throws, except those in `unless` (the
 * values that ask for what kindling already does, e.g. `createGraph: false`).
 */
export interface NotImplementedOption {
  notImplemented: string;
  unless?: readonly unknown[];
}

export type OptionSpec = Readonly<Record<string, OptionKind>>;

/** Describes a value for a message: `string '0.1'`, `number NaN`, `null`, `object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return `string '${value}'`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'function':
      return 'function';
    default:
      return typeof value;
  }
}

function fitsOne(kind: string, value: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'function':
      return typeof value === 'function';
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'null':
      return value === null;
    case 'any':
      return true;
    default:
      throw new Error(`checkOptions: unknown option kind '${kind}'`);
  }
}

const ARTICLE: Readonly<Record<string, string>> = {
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  string: 'a string',
  function: 'a function',
  object: 'an object',
  null: 'null',
  any: 'anything',
};

/** Levenshtein distance, for "did you mean" (option names are short). */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** snake_case → camelCase (`batch_size` → `batchSize`), the usual slip of a PyTorch user. */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The known option closest to `name`, if any is close enough to be a likely typo. */
export function closestOption(name: string, known: readonly string[]): string | null {
  const camel = camelCase(name);
  for (const k of known) if (k === camel || k.toLowerCase() === name.toLowerCase()) return k;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(camel.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Throws a `TypeError` unless `options` is `undefined` or a plain object whose every key is in
 * `spec` with a value of the declared kind, and every key of `required` is given. `owner` names
 * the function or class in messages. Checks without allocating (it runs on per-step calls such
 * as `zeroGrad({ setToNone: false })`).
 */
export function checkOptions(owner: string, options: unknown, spec: OptionSpec, required?: readonly string[]): void {
  if (options === undefined) {
    if (required !== undefined && required.length > 0) throw missingOption(owner, required[0]);
    return;
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key in options) {
    if (!hasOwn.call(options, key)) continue;
    const kind = hasOwn.call(spec, key) ? spec[key] : undefined;
    if (kind === undefined) {
      const hint = closestOption(key, Object.keys(spec));
      throw new TypeError(`${owner} got an unexpected option '${key}'${hint === null ? '' : ` (did you mean '${hint}'?)`}`);
    }
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof kind === 'function') {
      const problem = kind(value);
      if (problem !== null) throw new TypeError(`${owner}: option '${key}' must be ${problem}, got ${describeValue(value)}`);
      continue;
    }
    if (typeof kind === 'object') {
      if (kind.unless !== undefined && kind.unless.includes(value)) continue;
      throw new TypeError(`${owner}: option '${key}' is not supported by kindling yet (${kind.notImplemented})`);
    }
    const alternatives = kind.split('|');
    if (!alternatives.some((k) => fitsOne(k, value))) {
      const expected = alternatives.map((k) => ARTICLE[k] ?? k).join(' or ');
      throw new TypeError(`${owner}: option '${key}' must be ${expected}, got ${describeValue(value)}`);
    }
  }
  if (required !== undefined) {
    for (const key of required) {
      if ((options as Record<string, unknown>)[key] === undefined) throw missingOption(owner, key);
    }
  }
}

function missingOption(owner: string, key: string): TypeError {
  return new TypeError(`${owner}: missing the required option '${key}'`);
}

/**
 * The error for a value passed where an options object belongs, the usual habit of PyTorch's
 * positional keyword arguments: `Linear: the third argument is an options object; use
 * new nn.Linear(3, 2, { bias: false })`. `fix` is the call that would have worked.
 */
export function positionalOptionError(owner: string, ordinal: string, fix: string): TypeError {
  return new TypeError(`${owner}: the ${ordinal} argument is an options object; use ${fix}`);
}
