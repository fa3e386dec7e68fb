import { sameShape } from '../ops/broadcast';
import { castArray } from '../dtype';
import { Tensor } from '../tensor';
import { checkZeroGradOptions, zeroGradOf } from '../autograd/accumulate';
import { bumpVersion } from '../storage';
import { typeName } from '../errors';
import { addIndent, formatShape } from './format';
import { Parameter } from './parameter';
import { checkOptions, describeValue, positionalOptionError } from '../options';

const NAMED_MEMBERS_OPTIONS = { prefix: 'string', recurse: 'boolean', removeDuplicate: 'boolean' } as const;
const NAMED_MODULES_OPTIONS = { prefix: 'string', removeDuplicate: 'boolean' } as const;
const STATE_DICT_OPTIONS = { prefix: 'string', keepVars: 'boolean' } as const;
const LOAD_STATE_DICT_OPTIONS = {
  strict: 'boolean',
  assign: { notImplemented: 'parameters are always copied into; drop the option', unless: [false] },
} as const;
const BUFFER_OPTIONS = { persistent: 'boolean' } as const;

/** `parameters({ recurse: false })` would otherwise be truthy and recurse. */
function checkFlag(op: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${describeValue(value)}`);
}

/** PyTorch's positional `named_parameters(prefix)` / `named_modules(memo, prefix)` habits. */
function checkNamedOptions(op: string, options: unknown, spec: typeof NAMED_MEMBERS_OPTIONS | typeof NAMED_MODULES_OPTIONS): void {
  if (typeof options === 'string') throw positionalOptionError(op, 'first', `module.${op}({ prefix: '${options}' })`);
  if (typeof options === 'boolean' && 'recurse' in spec) throw positionalOptionError(op, 'first', `module.${op}({ recurse: ${options} })`);
  checkOptions(op, options, spec);
}

/**
 * Any module, whatever its `forward` signature: the type of what a container only holds
 * (`addModule`, `ModuleList`). What the walks return (`children()`, …) is typed `Module`.
 */
export type AnyModule = Module<never[], unknown>;

/** Parameter and persistent-buffer tensors by dotted name (`layers.1.weight`), in PyTorch's order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict(sd, { strict: false })` could not match (PyTorch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Shared by every `named*` walk: `prefix` is prepended to each name; `recurse` includes descendants. */
export interface NamedMembersOptions {
  prefix?: string;
  recurse?: boolean;
  removeDuplicate?: boolean;
}

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * Base class of every layer and model.
 *
 * NOTE [ Registration by walking fields ]
 * PyTorch intercepts `setattr` to file submodules, Parameters and buffers into ordered dicts.
 * TypeScript class fields cannot be intercepted without a Proxy (which would slow every property
 * read in `forward` and break private fields), so a Module finds its members by walking its own
 * enumerable fields, in definition order, whenever it is asked (`parameters()`, `stateDict()`, …):
 * a field holding a `Module` is a child, one holding a `Parameter` is a parameter, and a field
 * named by `registerBuffer` is a buffer. Reassigning a field keeps its place, as in PyTorch.
 * Plain arrays of modules are not registered (use `ModuleList`), nor are plain tensors (use a
 * `Parameter` or `registerBuffer`) — also as in PyTorch. One difference: JavaScript lists
 * integer-like field names ("0", "1", …) before other names, so a module mixing both kinds of
 * names orders the integer-named members first; containers, which use only integer names, match.
 *
 * TypeScript classes cannot be called, so run a module with `module.forward(x)` (or its alias
 * `module.call(x)`), where PyTorch writes `module(x)`.
 *
 * The type parameters are `forward`'s signature: `Args` its parameter list, `Out` its result.
 * The defaults (`Tensor[]` → `Tensor`) fit any layer of tensors to a tensor, so
 * `class MLP extends nn.Module { forward(x: Tensor): Tensor }` needs none; a model with other
 * inputs or outputs names them: `class Heads extends nn.Module<[Tensor, number], [Tensor, Tensor]>`
 * with `forward(x: Tensor, scale: number): [Tensor, Tensor]`. Containers that call their children
 * (`Sequential`) take `Module<[Tensor], Tensor>`; those that only hold them take any `AnyModule`.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.Module.html
 *
 * @example
 * class MLP extends nn.Module {
 *   layers = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
 *   forward(x: Tensor): Tensor { return this.layers.forward(x); }
 * }
 */
export abstract class Module<Args extends unknown[] = Tensor[], Out = Tensor> {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;

  readonly #bufferNames = new Set<string>();
  readonly #nonPersistentBuffers = new Set<string>();

  /** The computation of this module; subclasses define it. */
  abstract forward(...inputs: Args): Out;

  /** Alias of `forward`, for code that reads better with a verb (PyTorch's `module(x)`). */
  call(...inputs: Args): Out {
    return this.forward(...inputs);
  }

  // ---- registration -------------------------------------------------------------------------

  /**
   * Adds a buffer: state that is not a parameter (e.g. running statistics). Persistent buffers
   * are part of `stateDict()`. The tensor is also readable as `module[name]`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    if (typeof options === 'boolean') {
      throw positionalOptionError('registerBuffer', 'third', `module.registerBuffer('${String(name)}', tensor, { persistent: ${options} })`);
    }
    checkOptions('registerBuffer', options, BUFFER_OPTIONS);
    const { persistent = true } = options;
    checkMemberName('buffer', name);
    if (name in this && !this.#bufferNames.has(name) && !isEmptySlot(this, name)) {
      throw new RangeError(`attribute '${name}' already exists`);
    }
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(
        `cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`,
      );
    }
    this.#bufferNames.add(name);
    if (persistent) this.#nonPersistentBuffers.delete(name);
    else this.#nonPersistentBuffers.add(name);
    this.#setField(name, tensor);
  }

  /** Adds a parameter under `name` (the same as assigning a `Parameter` to that field). */
  registerParameter(name: string, param: Parameter | null): void {
    checkMemberName('parameter', name);
    if (name in this && !(this.#field(name) instanceof Parameter) && !isEmptySlot(this, name)) {
      throw new RangeError(`attribute '${name}' already exists`);
    }
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(
        `cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`,
      );
    }
    if (param !== null && !param.isLeaf) {
      throw new RangeError(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
          `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    this.#setField(name, param);
  }

  /** Adds a child module under `name` (the same as assigning it to that field). */
  addModule(name: string, module: AnyModule | null): void {
    if (module !== null && !(module instanceof Module)) {
      throw new TypeError(`${typeName(module)} is not a Module subclass`);
    }
    if (typeof name !== 'string') {
      throw new TypeError(`module name should be a string. Got ${typeName(name)}`);
    }
    if (name in this && !(this.#field(name) instanceof Module) && !isEmptySlot(this, name)) {
      throw new RangeError(`attribute '${name}' already exists`);
    }
    if (name.includes('.')) throw new RangeError(`module name can't contain ".", got: ${name}`);
    if (name === '') throw new RangeError(`module name can't be empty string ""`);
    this.#setField(name, module);
  }

  /** Alias of `addModule` (PyTorch's `register_module`). */
  registerModule(name: string, module: AnyModule | null): void {
    this.addModule(name, module);
  }

  // ---- walking ------------------------------------------------------------------------------

  /** Direct children with their field names, in definition order (each distinct module once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, child] of this.#ownChildren()) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push([name, child]);
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, child]) => child);
  }

  /** This module and all its descendants, depth first, each named by its dotted path ('' for this). */
  namedModules(options: { prefix?: string; removeDuplicate?: boolean } = {}): [string, Module][] {
    checkNamedOptions('namedModules', options, NAMED_MODULES_OPTIONS);
    const { prefix = '', removeDuplicate = true } = options;
    const out: [string, Module][] = [];
    this.#collectModules(removeDuplicate ? new Set() : null, prefix, out);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with their dotted names (`layers.1.weight`); a shared parameter is listed once. */
  namedParameters(options: NamedMembersOptions = {}): [string, Parameter][] {
    checkNamedOptions('namedParameters', options, NAMED_MEMBERS_OPTIONS);
    return this.#namedMembers(options, (m) => m.#ownParameters());
  }

  /** Every parameter of this module (and, with `recurse`, of its descendants), each once. */
  parameters(recurse = true): Parameter[] {
    checkFlag('parameters', 'recurse', recurse);
    const out: Parameter[] = [];
    this.#collectParameters(recurse ? new Set() : null, new Set(), out);
    return out;
  }

  namedBuffers(options: NamedMembersOptions = {}): [string, Tensor][] {
    checkNamedOptions('namedBuffers', options, NAMED_MEMBERS_OPTIONS);
    return this.#namedMembers(options, (m) => m.#ownBuffers(false));
  }

  buffers(recurse = true): Tensor[] {
    checkFlag('buffers', 'recurse', recurse);
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /** Calls `fn` on every descendant (children first) and then on this module; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this.#self());
    return this;
  }

  // ---- modes and gradients ------------------------------------------------------------------

  /** Sets training mode (`true`) or evaluation mode on this module and all descendants. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Evaluation mode: `Dropout` becomes the identity. Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Resets the gradients of all parameters: to `null` (default) or, with `setToNone: false`, to zeros. */
  zeroGrad(options?: { setToNone?: boolean }): void {
    checkZeroGradOptions('module', options);
    const setToNone = options?.setToNone ?? true;
    for (const p of this.parameters()) zeroGradOf(p, setToNone);
  }

  /** Sets `requiresGrad` on every parameter (e.g. to freeze a module); returns this. */
  requiresGrad_(requiresGrad = true): this {
    checkFlag('requiresGrad_', 'requiresGrad', requiresGrad);
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  // ---- state dict ---------------------------------------------------------------------------

  /**
   * Every parameter and persistent buffer by dotted name, keys equal to PyTorch's for the same
   * architecture. Values are detached tensors sharing storage with the module (not copies), unless
   * `keepVars` returns the Parameters themselves.
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    checkOptions('stateDict', options, STATE_DICT_OPTIONS);
    const { prefix = '', keepVars = false } = options;
    const destination: StateDict = {};
    this.#saveToStateDict(destination, prefix, keepVars);
    return destination;
  }

  /**
   * Copies parameters and buffers from `stateDict` into this module and its descendants.
   * With `strict` (default) every key must match; otherwise the unmatched keys are returned.
   * A shape mismatch is an error either way. Errors have PyTorch's text, with shapes written
   * `[64, 784]` (PyTorch: `torch.Size([64, 784])`).
   */
  loadStateDict(
    stateDict: StateDict | ReadonlyMap<string, Tensor>,
    options: { strict?: boolean } = {},
  ): IncompatibleKeys {
    if (typeof options === 'boolean') throw positionalOptionError('loadStateDict', 'second', `model.loadStateDict(stateDict, { strict: ${options} })`);
    checkOptions('loadStateDict', options, LOAD_STATE_DICT_OPTIONS);
    const { strict = true } = options;
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeName(stateDict)}.`);
    }
    const entries: [string, unknown][] =
      stateDict instanceof Map ? [...stateDict.entries()] : Object.entries(stateDict);
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    this.#loadFromStateDict(entries, '', missingKeys, unexpectedKeys, errors);
    if (strict) {
      if (unexpectedKeys.length > 0) {
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      }
      if (missingKeys.length > 0) {
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
      }
    }
    if (errors.length > 0) {
      throw new RangeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -----------------------------------------------------------------------------

  /** The module's own settings for `toString()`, e.g. `in_features=784, out_features=64, bias=True`. */
  extraRepr(): string {
    return '';
  }

  /** The module tree, printed exactly like PyTorch's `repr(module)`. */
  toString(): string {
    const extraRepr = this.extraRepr();
    const extraLines = extraRepr ? extraRepr.split('\n') : [];
    const childLines = this.#ownChildren().map(([name, child]) => `(${name}): ${addIndent(child.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let text = `${this.constructor.name}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) text += extraLines[0];
      else text += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${text})`;
  }

  /** `console.log(model)` prints the same tree as `toString()`. */
  [inspectCustom](): string {
    return this.toString();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** This module under the walks' element type (its `forward` signature does not matter there). */
  #self(): Module {
    return this as unknown as Module;
  }

  #field(name: string): unknown {
    return (this as unknown as Record<string, unknown>)[name];
  }

  #setField(name: string, value: unknown): void {
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  /** All own fields holding modules, in definition order, duplicates included (for stateDict). */
  #ownChildren(): [string, Module][] {
    return moduleFields(this);
  }

  #ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const name of Object.keys(this)) {
      const value = this.#field(name);
      if (value instanceof Parameter && !this.#bufferNames.has(name)) out.push([name, value]);
    }
    return out;
  }

  #ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const name of Object.keys(this)) {
      if (!this.#bufferNames.has(name)) continue;
      if (persistentOnly && this.#nonPersistentBuffers.has(name)) continue;
      const value = this.#field(name);
      if (value instanceof Tensor) out.push([name, value]);
    }
    return out;
  }

  /** `parameters()` without building names: `module.zeroGrad()` may run it every step. */
  #collectParameters(memo: Set<Module> | null, seen: Set<Parameter>, out: Parameter[]): void {
    const fields = this as unknown as Record<string, unknown>;
    const children: Module[] = [];
    for (const name of Object.keys(this)) {
      const value = fields[name];
      if (value instanceof Parameter) {
        if (!seen.has(value) && !this.#bufferNames.has(name)) {
          seen.add(value);
          out.push(value);
        }
      } else if (memo !== null && value instanceof Module && !memo.has(value)) {
        children.push(value);
      }
    }
    memo?.add(this.#self());
    for (const child of children) {
      if (!memo?.has(child)) child.#collectParameters(memo, seen, out);
    }
  }

  #collectModules(memo: Set<Module> | null, prefix: string, out: [string, Module][]): void {
    const self = this.#self();
    if (memo !== null) {
      if (memo.has(self)) return;
      memo.add(self);
    }
    out.push([prefix, self]);
    for (const [name, child] of this.#ownChildren()) {
      child.#collectModules(memo, prefix ? `${prefix}.${name}` : name, out);
    }
  }

  #namedMembers<T>(
    { prefix = '', recurse = true, removeDuplicate = true }: NamedMembersOptions,
    membersOf: (module: Module) => [string, T][],
  ): [string, T][] {
    const modules: [string, Module][] = recurse ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this.#self()]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [modulePrefix, module] of modules) {
      for (const [name, member] of membersOf(module)) {
        if (removeDuplicate) {
          if (seen.has(member)) continue;
          seen.add(member);
        }
        out.push([modulePrefix ? `${modulePrefix}.${name}` : name, member]);
      }
    }
    return out;
  }

  #saveToStateDict(destination: StateDict, prefix: string, keepVars: boolean): void {
    for (const [name, param] of this.#ownParameters()) {
      destination[prefix + name] = keepVars ? param : param.detach();
    }
    for (const [name, buffer] of this.#ownBuffers(true)) {
      destination[prefix + name] = keepVars ? buffer : buffer.detach();
    }
    for (const [name, child] of this.#ownChildren()) {
      child.#saveToStateDict(destination, `${prefix}${name}.`, keepVars);
    }
  }

  /**
   * PyTorch's `_load_from_state_dict` plus the recursion of `load_state_dict`, step for step.
   * Missing and unexpected keys are always collected; only `strict` turns them into an error.
   */
  #loadFromStateDict(
    entries: [string, unknown][],
    prefix: string,
    missingKeys: string[],
    unexpectedKeys: string[],
    errors: string[],
  ): void {
    const local = new Map<string, Tensor>([...this.#ownParameters(), ...this.#ownBuffers(true)]);
    const given = new Map(entries);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!given.has(key)) {
        missingKeys.push(key);
        continue;
      }
      const input = given.get(key);
      if (!(input instanceof Tensor)) {
        errors.push(
          `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeName(input)}`,
        );
        continue;
      }
      // PyTorch keeps loading 1-element checkpoints into 0-dim parameters (a 0.3 → 0.4 migration).
      const inputShape = param.shape.length === 0 && input.shape.length === 1 && input.shape[0] === 1 ? [] : input.shape;
      if (!sameShape(inputShape, param.shape)) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(input.shape)} from checkpoint, ` +
            `the shape in current model is ${formatShape(param.shape)}.`,
        );
        continue;
      }
      // Writing the storage directly is `param.copy_(input)` under no_grad: no graph is recorded.
      (param.data as Float32Array).set((input.dtype === param.dtype ? input.data : castArray(input.data, param.dtype, 'loadStateDict')) as Float32Array);
      bumpVersion(param);
    }
    const childNames = new Set(this.#ownChildren().map(([name]) => name));
    for (const [key] of entries) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf('.');
      if (dot >= 0 ? !childNames.has(rest.slice(0, dot)) : !local.has(rest)) unexpectedKeys.push(key);
    }
    for (const [name, child] of this.#ownChildren()) {
      const childPrefix = `${prefix}${name}.`;
      const childEntries = entries.filter(([key]) => key.startsWith(childPrefix));
      child.#loadFromStateDict(childEntries, childPrefix, missingKeys, unexpectedKeys, errors);
    }
  }
}

function checkMemberName(kind: 'buffer' | 'parameter', name: string): void {
  if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${typeName(name)}`);
  if (name.includes('.')) throw new RangeError(`${kind} name can't contain "."`);
  if (name === '') throw new RangeError(`${kind} name can't be empty string ""`);
}

/** A declared-but-unset or nulled field (`bias: Parameter | null = null`) may take any member kind. */
function isEmptySlot(module: object, name: string): boolean {
  const value = (module as unknown as Record<string, unknown>)[name];
  return value === undefined || value === null;
}

/**
 * Every field of `module` holding a Module, in order, repeats included (a container may hold the
 * same module twice: `new Sequential(relu, fc, relu)` has length 3). For the containers.
 */
export function moduleFields(module: AnyModule): [string, Module][] {
  const fields = module as unknown as Record<string, unknown>;
  const out: [string, Module][] = [];
  for (const name of Object.keys(module)) {
    const value = fields[name];
    if (value instanceof Module) out.push([name, value]);
  }
  return out;
}
