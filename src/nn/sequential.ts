import { linearDropoutRelu } from '../ops/linear-block';
import type { Tensor } from '../tensor';
import { fusedBlockAt } from './fusion';
import { Module, moduleFields } from './module';

/** What a Sequential chains: modules from one tensor to one tensor. */
export type TensorModule = Module<[Tensor], Tensor>;

/**
 * A chain of modules: `forward(x)` runs each in order on the previous one's output.
 * Children are named `0`, `1`, … (so `stateDict()` keys read `layers.1.weight` as in PyTorch),
 * or by the keys of a `Map`/object given instead of a list. Indexable (`seq[1]`; `seq.at(-1)` for
 * negative indices), iterable, with `length`, `append`, `extend`, `insert`, `pop` and `slice`.
 *
 * Shape: whatever the first module takes → whatever the last one returns.
 * https://pytorch.org/docs/stable/generated/torch.nn.Sequential.html
 *
 * @example
 * const model = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
 * const logits = model.forward(torch.randn([8, 784])); // [8, 10]
 */
export class Sequential extends Module<[Tensor], Tensor> implements Iterable<TensorModule> {
  [index: number]: TensorModule;

  constructor(...modules: TensorModule[]);
  constructor(namedModules: ReadonlyMap<string, TensorModule> | Readonly<Record<string, TensorModule>>);
  constructor(...args: (TensorModule | ReadonlyMap<string, TensorModule> | Readonly<Record<string, TensorModule>>)[]) {
    super();
    const [first] = args;
    if (args.length === 1 && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first as Record<string, TensorModule>);
      for (const [name, module] of entries) this.addModule(name, module);
    } else {
      args.forEach((module, i) => this.addModule(String(i), module as TensorModule));
    }
  }

  forward(input: Tensor): Tensor {
    // A plain loop over the fields (no generator): this runs once per step in every training loop.
    const fields = this as unknown as Record<string, unknown>;
    const modules: TensorModule[] = [];
    for (const key of Object.keys(this)) {
      const module = fields[key];
      if (module instanceof Module) modules.push(module as TensorModule);
    }
    let x = input;
    for (let i = 0; i < modules.length; i++) {
      // Linear → Dropout → ReLU runs as one block with the same results (nn/fusion.ts).
      const block = fusedBlockAt(modules, i);
      if (block === null) {
        x = modules[i].forward(x);
      } else {
        x = linearDropoutRelu(x, block.linear.weight, block.linear.bias, block.p, block.relu);
        i += block.length - 1;
      }
    }
    return x;
  }

  get length(): number {
    return moduleFields(this).length;
  }

  *[Symbol.iterator](): Iterator<TensorModule> {
    for (const [, module] of moduleFields(this)) yield module as TensorModule;
  }

  /** The module at `index`; negative indices count from the end, like `seq[-1]` in PyTorch. */
  at(index: number): TensorModule | undefined {
    const modules = [...this];
    return modules[index < 0 ? modules.length + index : index];
  }

  /** A new Sequential of modules `start` … `end - 1` (PyTorch's `seq[start:end]`), keeping their names. */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map(moduleFields(this).slice(start, end)));
  }

  append(module: TensorModule): this {
    this.addModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<TensorModule>): this {
    for (const module of modules) this.append(module);
    return this;
  }

  /** Inserts `module` before position `index` (negative counts from the end), renumbering the rest. */
  insert(index: number, module: TensorModule): this {
    if (!(module instanceof Module)) throw new TypeError(`module should be of type: Module`);
    const modules = [...this];
    const n = modules.length;
    if (!(-n <= index && index <= n)) throw new RangeError(`Index out of range: ${index}`);
    modules.splice(index < 0 ? index + n : index, 0, module);
    this.#renumber(modules);
    return this;
  }

  /** Removes and returns the module at `index` (default the last), renumbering the rest. */
  pop(index = -1): TensorModule {
    const modules = [...this];
    const n = modules.length;
    if (!(-n <= index && index < n)) throw new RangeError(`index ${index} is out of range`);
    const [removed] = modules.splice(index < 0 ? index + n : index, 1);
    this.#renumber(modules);
    return removed;
  }

  #renumber(modules: TensorModule[]): void {
    for (const [name] of moduleFields(this)) delete (this as unknown as Record<string, unknown>)[name];
    modules.forEach((module, i) => this.addModule(String(i), module));
  }
}
