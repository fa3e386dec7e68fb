import type { Tensor } from '../tensor';
import { addIndent } from './format';
import { type AnyModule, Module, moduleFields } from './module';

/**
 * A list of modules that are registered as children (`0`, `1`, …), unlike a plain array, so their
 * parameters are found by `parameters()` and saved by `stateDict()`. It has no `forward`: iterate
 * it in the owner's `forward`.
 *
 * https://pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
 *
 * @example
 * class Deep extends nn.Module {
 *   blocks = new nn.ModuleList(Array.from({ length: 4 }, () => new nn.Linear(32, 32)));
 *   forward(x: Tensor): Tensor {
 *     for (const block of this.blocks) x = block.forward(x);
 *     return x;
 *   }
 * }
 */
export class ModuleList extends Module implements Iterable<Module> {
  [index: number]: Module;

  constructor(modules: Iterable<AnyModule> = []) {
    super();
    this.extend(modules);
  }

  /** A ModuleList is not a layer; PyTorch raises the same error when one is called. */
  forward(..._inputs: Tensor[]): Tensor {
    throw new TypeError(`Module [ModuleList] is missing the required "forward" function`);
  }

  get length(): number {
    return moduleFields(this).length;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const [, module] of moduleFields(this)) yield module;
  }

  /** The module at `index`; negative indices count from the end. */
  at(index: number): Module | undefined {
    const modules = [...this];
    return modules[index < 0 ? modules.length + index : index];
  }

  append(module: AnyModule): this {
    this.addModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<AnyModule>): this {
    for (const module of modules) this.append(module);
    return this;
  }

  /** Inserts `module` before position `index`, renumbering the rest. */
  insert(index: number, module: AnyModule): this {
    const modules: AnyModule[] = [...this];
    const n = modules.length;
    const at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    modules.splice(at, 0, module);
    for (const [name] of moduleFields(this)) delete (this as unknown as Record<string, unknown>)[name];
    modules.forEach((m, i) => this.addModule(String(i), m));
    return this;
  }

  /** PyTorch's ModuleList repr folds runs of identical children: `(0-2): 3 x Linear(…)`. */
  override toString(): string {
    const reprs = [...this].map((m) => m.toString());
    if (reprs.length === 0) return `${this.constructor.name}()`;
    const blocks: { start: number; end: number; repr: string }[] = [];
    reprs.forEach((repr, i) => {
      const last = blocks[blocks.length - 1];
      if (last && last.repr === repr) last.end = i;
      else blocks.push({ start: i, end: i, repr });
    });
    const lines = blocks.map(({ start, end, repr }) =>
      addIndent(start === end ? `(${start}): ${repr}` : `(${start}-${end}): ${end - start + 1} x ${repr}`, 2),
    );
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }
}
