import type { Tensor } from '../tensor';
import { typeName } from '../errors';
import { type AnyModule, Module, moduleFields } from './module';

/** What `new ModuleDict(…)` and `update(…)` take: an object, a Map, [key, module] pairs or another ModuleDict. */
export type ModuleDictInit = Readonly<Record<string, AnyModule>> | ReadonlyMap<string, AnyModule> | Iterable<readonly [string, AnyModule]> | ModuleDict;

/**
 * Modules by name, registered as children (so `parameters()` finds them and `stateDict()` keys
 * read `<key>.weight`, as PyTorch's `nn.ModuleDict`). Keys keep their insertion order, and
 * setting an existing key keeps its place — except that, as for every kindling module (NOTE
 * [ Registration by walking fields ] in module.ts), integer-like keys ("0", "1") are listed
 * first. Iterating yields the keys, like iterating a Python dict. It has no `forward`.
 *
 * PyTorch's `d[key]`, `d[key] = m`, `key in d`, `del d[key]` and `len(d)` are `get`, `set`,
 * `has`, `delete` and `length` (alias `size`). A key that names a Module attribute or method
 * (`training`, `forward`, `keys`, …) is refused, as PyTorch refuses it.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.ModuleDict.html
 *
 * @example
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(64, 10), box: new nn.Linear(64, 4) });
 * for (const [name, head] of heads.items()) outputs[name] = head.forward(x);
 */
export class ModuleDict extends Module implements Iterable<string> {
  constructor(modules?: ModuleDictInit) {
    super();
    if (modules !== undefined && modules !== null) this.update(modules);
  }

  /** A ModuleDict is not a layer; PyTorch raises the same error when one is called. */
  forward(..._inputs: Tensor[]): Tensor {
    throw new TypeError(`Module [ModuleDict] is missing the required "forward" function`);
  }

  /** The module under `key` (PyTorch's `d[key]`); a missing key throws, as Python's KeyError. */
  get(key: string): Module {
    const found = moduleFields(this).find(([name]) => name === key);
    if (found === undefined) {
      throw new RangeError(`ModuleDict.get: no module named '${String(key)}' (keys: ${this.keys().map((k) => `'${k}'`).join(', ') || 'none'})`);
    }
    return found[1];
  }

  /** Adds or replaces the module under `key` (PyTorch's `d[key] = module`). */
  set(key: string, module: AnyModule): this {
    if (typeof key !== 'string') throw new TypeError(`ModuleDict.set: key must be a string, got ${typeName(key)}`);
    this.addModule(key, module);
    return this;
  }

  /** Whether `key` names a module here (PyTorch's `key in d`). */
  has(key: string): boolean {
    return moduleFields(this).some(([name]) => name === key);
  }

  /** Removes `key` (PyTorch's `del d[key]`); a missing key throws. */
  delete(key: string): this {
    this.pop(key);
    return this;
  }

  /** Removes `key` and returns its module (PyTorch's `d.pop(key)`); a missing key throws. */
  pop(key: string): Module {
    const module = this.get(key);
    delete (this as unknown as Record<string, unknown>)[key];
    return module;
  }

  /** Removes every module. */
  clear(): void {
    for (const key of this.keys()) delete (this as unknown as Record<string, unknown>)[key];
  }

  keys(): string[] {
    return moduleFields(this).map(([name]) => name);
  }

  values(): Module[] {
    return moduleFields(this).map(([, module]) => module);
  }

  items(): [string, Module][] {
    return moduleFields(this);
  }

  /**
   * Adds or replaces modules from an object, a Map, another ModuleDict or [key, module] pairs
   * (each pair must have length 2, as PyTorch checks).
   */
  update(modules: ModuleDictInit): this {
    if (modules instanceof ModuleDict || modules instanceof Map) {
      for (const [key, module] of modules instanceof Map ? modules.entries() : modules.items()) this.set(key, module as AnyModule);
      return this;
    }
    if (typeof modules !== 'object' || modules === null) {
      throw new TypeError(`ModuleDict.update should be called with an iterable of key/value pairs, but got ${typeName(modules)}`);
    }
    if (!(Symbol.iterator in modules)) {
      for (const [key, module] of Object.entries(modules as Record<string, AnyModule>)) this.set(key, module);
      return this;
    }
    let index = 0;
    for (const pair of modules as Iterable<readonly [string, AnyModule]>) {
      if (!Array.isArray(pair)) {
        throw new TypeError(`ModuleDict update sequence element #${index} should be Iterable; is ${typeName(pair)}`);
      }
      if (pair.length !== 2) throw new RangeError(`ModuleDict update sequence element #${index} has length ${pair.length}; 2 is required`);
      this.set(pair[0], pair[1]);
      index++;
    }
    return this;
  }

  get length(): number {
    return moduleFields(this).length;
  }

  /** Alias of `length` (a Map's spelling). */
  get size(): number {
    return this.length;
  }

  /** Iterates the keys, as iterating a Python dict (use `items()` for pairs). */
  *[Symbol.iterator](): Iterator<string> {
    yield* this.keys();
  }
}
