import { Tensor } from '../tensor';
import { typeName } from '../nn/format';
import { zeroGradOf } from '../nn/module';

/** Every optimizer's per-group options include a learning rate; schedulers also add `initialLr`. */
export interface BaseGroupOptions {
  lr: number;
  /** The learning rate a scheduler started from (PyTorch's `initial_lr`), set by the first scheduler. */
  initialLr?: number;
}

/** One parameter group: its tensors and the options that apply to them (PyTorch's group dicts). */
export type ParamGroup<O extends BaseGroupOptions> = O & { params: Tensor[] };

/** What a constructor or `addParamGroup` accepts: tensors, plus any options overriding the defaults. */
export type ParamGroupInput<O extends BaseGroupOptions> = Partial<O> & { params: Iterable<Tensor> | Tensor };

/** An iterable of tensors (e.g. `model.parameters()`), or of groups with per-group options. */
export type Params<O extends BaseGroupOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * The serialisable state, with PyTorch's structure so checkpoints map one to one: parameters are
 * numbered across groups in order; `state` holds, per parameter number, the optimizer's buffers
 * under PyTorch's names (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `momentum_buffer`);
 * `param_groups` holds each group's options under kindling's camelCase names (`lr`, `betas`,
 * `weightDecay`, …) and its parameter numbers. `step` is a number (PyTorch: a 0-dim tensor).
 */
export interface OptimizerStateDict<O extends BaseGroupOptions, S extends object> {
  state: Record<number, S>;
  param_groups: (O & { params: number[] })[];
}

/**
 * Base class of all optimizers: parameter groups with per-group options, lazily created
 * per-parameter state, `zeroGrad`, and `stateDict`/`loadStateDict` in PyTorch's format.
 * Subclasses define `step()`.
 *
 * https://pytorch.org/docs/stable/optim.html
 */
export abstract class Optimizer<O extends BaseGroupOptions, S extends object = object> {
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on the parameter's first step. */
  readonly state = new Map<Tensor, S>();

  constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    if (params instanceof Tensor || params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`,
      );
    }
    const items = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (items.length === 0) throw new RangeError('optimizer got an empty parameter list');
    const groups: ParamGroupInput<O>[] = items[0] instanceof Tensor ? [{ params: items as Tensor[] } as unknown as ParamGroupInput<O>] : (items as ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Updates the parameters from their gradients; `closure` re-evaluates the loss if given. */
  abstract step(closure?: () => Tensor | number): Tensor | number | undefined;

  /** Resets the gradients of every parameter: to `null` (default) or, with `setToNone: false`, to zeros. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) zeroGradOf(p, setToNone);
    }
  }

  /** Adds a group of parameters with its own options (the rest taken from `defaults`). */
  addParamGroup(paramGroup: ParamGroupInput<O>): void {
    if (paramGroup === null || typeof paramGroup !== 'object' || paramGroup instanceof Tensor) {
      throw new TypeError(`param_group must be a dict, but got ${typeName(paramGroup)}`);
    }
    const given = paramGroup.params;
    if (given instanceof Set) {
      throw new TypeError(
        'optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets ' +
          'will change between runs. Please use a list instead.',
      );
    }
    const params = given instanceof Tensor ? [given] : [...given];
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      }
      if (!p.isLeaf) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    if (new Set(params).size !== params.length) {
      process.emitWarning(
        'optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; ' +
          'see github.com/pytorch/pytorch/issues/40967 for more information',
      );
    }
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p))) {
      throw new RangeError('some parameters appear in more than one parameter group');
    }
    const group = { ...this.defaults, ...paramGroup, params } as ParamGroup<O>;
    // Defaults may hold arrays (betas): give each group its own copy, as PyTorch's setdefault
    // of a tuple effectively does.
    for (const key of Object.keys(group) as (keyof ParamGroup<O>)[]) {
      const value = group[key];
      if (Array.isArray(value) && key !== 'params') group[key] = [...value] as ParamGroup<O>[typeof key];
    }
    this.paramGroups.push(group);
  }

  /** The optimizer's state in PyTorch's layout (see `OptimizerStateDict`); tensors are shared, not copied. */
  stateDict(): OptimizerStateDict<O, S> {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed = { ...group } as unknown as Record<string, unknown>;
      for (const p of group.params) if (!index.has(p)) index.set(p, next++);
      packed.params = group.params.map((p) => index.get(p) as number);
      return packed as unknown as O & { params: number[] };
    });
    const state: Record<number, S> = {};
    for (const [p, s] of this.state) state[index.get(p) as number] = s;
    return { state, param_groups: paramGroups };
  }

  /**
   * Restores state saved by `stateDict()` (of an optimizer over same-shaped parameters). Group
   * options are taken from the saved groups; state tensors are copied.
   */
  loadStateDict(stateDict: OptimizerStateDict<O, S>): void {
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError('loaded state dict has a different number of parameter groups');
    }
    if (saved.some((g, i) => g.params.length !== this.paramGroups[i].params.length)) {
      throw new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idToParam = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => idToParam.set(id, this.paramGroups[i].params[j])));
    const state = new Map<Tensor, S>();
    for (const [id, value] of Object.entries(stateDict.state)) {
      const param = idToParam.get(Number(id));
      if (param === undefined) continue; // PyTorch keeps such entries unused; they can never be stepped.
      state.set(param, this.#copyState(param, Number(id), value));
    }
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
    saved.forEach((g, i) => {
      const { params: _ids, ...options } = structuredClone({ ...g, params: [] });
      this.paramGroups[i] = { ...(options as unknown as O), params: this.paramGroups[i].params };
    });
  }

  #copyState(param: Tensor, id: number, value: S): S {
    const copy = {} as Record<string, unknown>;
    for (const [key, v] of Object.entries(value)) {
      if (key === 'step' && v instanceof Tensor) {
        copy[key] = v.data[0]; // a checkpoint converted from PyTorch, whose step is a 0-dim tensor
      } else if (v instanceof Tensor) {
        if (v.data.length !== param.data.length) {
          throw new RangeError(
            `loaded state dict has ${key} of shape [${v.shape.join(', ')}] for parameter ${id}, ` +
              `whose shape is [${param.shape.join(', ')}]`,
          );
        }
        const data = new Float32Array(v.data.length);
        data.set(v.data as Float32Array);
        copy[key] = new Tensor(data, v.shape.slice(), 'float32');
      } else {
        copy[key] = v;
      }
    }
    return copy as S;
  }
}
