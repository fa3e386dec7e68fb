import { castArray } from '../dtype';
import { Tensor } from '../tensor';
import { addIndent, formatShape, typeName } from './format';
import { Parameter } from './parameter';

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
 * https://pytorch.org/docs/stable/generated/torch.nn.Module.html
 *
 * @example
 * class MLP extends nn.Module {
 *   layers = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
 *   forward(x: Tensor): Tensor { return this.layers.forward(x); }
 * }
 */
export abstract class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;

  readonly #bufferNames = new Set<string>();
  readonly #nonPersistentBuffers = new Set<string>();

  /** The computation of this module; subclasses define it. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Alias of `forward`, for code that reads better with a verb (PyTorch's `module(x)`). */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  // ---- registration -------------------------------------------------------------------------

  /**
   * Adds a buffer: state that is not a parameter (e.g. running statistics). Persistent buffers
   * are part of `stateDict()`. The tensor is also readable as `module[name]`.
   */
  registerBuffer(name: string, tensor: Tensor | null, { persistent = true } = {}): void {
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
  addModule(name: string, module: Module | null): void {
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
  registerModule(name: string, module: Module | null): void {
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
  namedModules({ prefix = '', removeDuplicate = true }: { prefix?: string; removeDuplicate?: boolean } = {}): [
    string,
    Module,
  ][] {
    const out: [string, Module][] = [];
    this.#collectModules(removeDuplicate ? new Set() : null, prefix, out);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with their dotted names (`layers.1.weight`); a shared parameter is listed once. */
  namedParameters(options: NamedMembersOptions = {}): [string, Parameter][] {
    return this.#namedMembers(options, (m) => m.#ownParameters());
  }

  /** Every parameter of this module (and, with `recurse`, of its descendants), each once. */
  parameters(recurse = true): Parameter[] {
    const out: Parameter[] = [];
    this.#collectParameters(recurse ? new Set() : null, new Set(), out);
    return out;
  }

  namedBuffers(options: NamedMembersOptions = {}): [string, Tensor][] {
    return this.#namedMembers(options, (m) => m.#ownBuffers(false));
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /** Calls `fn` on every descendant (children first) and then on this module; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
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
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) zeroGradOf(p, setToNone);
  }

  /** Sets `requiresGrad` on every parameter (e.g. to freeze a module); returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  // ---- state dict ---------------------------------------------------------------------------

  /**
   * Every parameter and persistent buffer by dotted name, keys equal to PyTorch's for the same
   * architecture. Values are detached tensors sharing storage with the module (not copies), unless
   * `keepVars` returns the Parameters themselves.
   */
  stateDict({ prefix = '', keepVars = false }: { prefix?: string; keepVars?: boolean } = {}): StateDict {
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
    { strict = true }: { strict?: boolean } = {},
  ): IncompatibleKeys {
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
    memo?.add(this);
    for (const child of children) {
      if (!memo?.has(child)) child.#collectParameters(memo, seen, out);
    }
  }

  #collectModules(memo: Set<Module> | null, prefix: string, out: [string, Module][]): void {
    if (memo !== null) {
      if (memo.has(this)) return;
      memo.add(this);
    }
    out.push([prefix, this]);
    for (const [name, child] of this.#ownChildren()) {
      child.#collectModules(memo, prefix ? `${prefix}.${name}` : name, out);
    }
  }

  #namedMembers<T>(
    { prefix = '', recurse = true, removeDuplicate = true }: NamedMembersOptions,
    membersOf: (module: Module) => [string, T][],
  ): [string, T][] {
    const modules: [string, Module][] = recurse ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
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
function isEmptySlot(module: Module, name: string): boolean {
  const value = (module as unknown as Record<string, unknown>)[name];
  return value === undefined || value === null;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Every field of `module` holding a Module, in order, repeats included (a container may hold the
 * same module twice: `new Sequential(relu, fc, relu)` has length 3). For the containers.
 */
export function moduleFields(module: Module): [string, Module][] {
  const fields = module as unknown as Record<string, unknown>;
  const out: [string, Module][] = [];
  for (const name of Object.keys(module)) {
    const value = fields[name];
    if (value instanceof Module) out.push([name, value]);
  }
  return out;
}

/** `optimizer.zeroGrad()` and `module.zeroGrad()` share PyTorch's rule for one parameter. */
export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  let grad = p._peekGrad();
  if (grad === null) return;
  if (setToNone) {
    p._dropGrad(); // `.grad = null`, keeping the buffer for reuse if nobody can see it
    return;
  }
  // The gradient may itself carry a graph (create_graph): cut it loose before zeroing in place.
  if (grad.gradFn !== null) {
    grad = grad.detach();
    p.grad = grad;
  }
  grad.requiresGrad = false;
  (grad.data as Float32Array).fill(0);
}
