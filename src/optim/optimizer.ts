import { Tensor } from '../tensor';
import { typeName } from '../errors';
import { zeroGradOf } from '../autograd/accumulate';
import { checkZeroGradOptions } from '../autograd/accumulate';
import { type OptionKind, type OptionSpec, checkOptions, describeValue, positionalOptionError } from '../options';

/**
 * PyTorch's implementation switches (`foreach`, `fused`, …): kindling always updates a group in
 * one native call on the CPU, so only the values that ask for nothing else are accepted.
 */
export const IMPLEMENTATION_OPTIONS = {
  foreach: { notImplemented: 'kindling always updates each group in one native call', unless: [null, false] },
  fused: { notImplemented: 'kindling always updates each group in one native call', unless: [null, false] },
  capturable: { notImplemented: 'no CUDA graphs on the CPU', unless: [false] },
  differentiable: { notImplemented: 'the step records no graph', unless: [false] },
} as const;

/** `[number, number]`-like checks for tuple options such as `betas`. */
export function tupleOfNumbers(length: number): (value: unknown) => string | null {
  return (value) =>
    Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number') ? null : `an array of ${length} numbers`;
}

/**
 * The check of an optimizer's constructor options: `new optim.SGD(params, 0.1)` (PyTorch's
 * positional `lr`) gets the call that works, then `checkOptions`.
 */
export function checkOptimizerOptions(owner: string, options: unknown, spec: OptionSpec): void {
  if (typeof options === 'number') throw positionalOptionError(owner, 'second', `new optim.${owner}(params, { lr: ${options} })`);
  checkOptions(owner, options, spec);
}

/** The kind of an option, as its default shows it: a group may change an option's value, not its type. */
function kindOfDefault(value: unknown): OptionKind {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return tupleOfNumbers(value.length);
  return 'any';
}

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
  /** What a parameter group may hold: the defaults' options with their types, `params`, `initialLr`. */
  readonly #groupSpec: OptionSpec;

  constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    const spec: Record<string, OptionKind> = { params: 'any', initialLr: 'number' };
    for (const [key, value] of Object.entries(defaults)) spec[key] = kindOfDefault(value);
    this.#groupSpec = spec;
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
  zeroGrad(options?: { setToNone?: boolean }): void {
    checkZeroGradOptions('optimizer', options);
    const setToNone = options?.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) zeroGradOf(p, setToNone);
    }
  }

  /** Adds a group of parameters with its own options (the rest taken from `defaults`). */
  addParamGroup(paramGroup: ParamGroupInput<O>): void {
    if (paramGroup === null || typeof paramGroup !== 'object' || paramGroup instanceof Tensor) {
      throw new TypeError(`param_group must be a dict, but got ${typeName(paramGroup)}`);
    }
    // A misspelled per-group option (`weight_decay`) would otherwise be kept and ignored, and a
    // mistyped one (`lr: '0.1'`) would fail inside the native step.
    checkOptions(`${this.constructor.name} param group`, paramGroup, this.#groupSpec, ['params']);
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
      // The steps write each parameter's elements as one contiguous buffer (kindling's difference).
      if (!p.isContiguous()) {
        throw new RangeError('optimizer: kindling can only optimize contiguous tensors; pass p.contiguous() (a copy) instead of a strided view');
      }
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
    this.#checkStateDict(stateDict);
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
      // An option the checkpoint predates takes its default (PyTorch's `__setstate__` setdefault).
      this.paramGroups[i] = { ...this.defaults, ...(options as unknown as O), params: this.paramGroups[i].params };
    });
  }

  /**
   * The structure `stateDict()` returns, checked before anything is read: `loadStateDict({})`
   * names what is missing instead of failing on `undefined`, and a group option of another
   * name or type (a PyTorch checkpoint's `weight_decay`) is refused as in `addParamGroup`.
   */
  #checkStateDict(stateDict: unknown): void {
    const owner = `${this.constructor.name}.loadStateDict`;
    const expected = 'an object { state, param_groups } from optimizer.stateDict()';
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict) || stateDict instanceof Tensor) {
      throw new TypeError(`${owner}: expected ${expected}, got ${describeValue(stateDict)}`);
    }
    const { state, param_groups: groups } = stateDict as Record<string, unknown>;
    for (const key of Object.keys(stateDict)) {
      if (key !== 'state' && key !== 'param_groups') throw new TypeError(`${owner}: unexpected key '${key}' in the state dict (expected ${expected})`);
    }
    if (groups === undefined) throw new TypeError(`${owner}: the state dict has no 'param_groups' (expected ${expected})`);
    if (state === undefined) throw new TypeError(`${owner}: the state dict has no 'state' (expected ${expected})`);
    if (state === null || typeof state !== 'object' || Array.isArray(state)) {
      throw new TypeError(`${owner}: 'state' must be an object of per-parameter states, got ${describeValue(state)}`);
    }
    for (const [id, value] of Object.entries(state)) {
      if (!/^(0|[1-9]\d*)$/.test(id)) throw new TypeError(`${owner}: 'state' keys are parameter numbers, got '${id}'`);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new TypeError(`${owner}: state[${id}] must be an object, got ${describeValue(value)}`);
      }
    }
    if (!Array.isArray(groups)) throw new TypeError(`${owner}: 'param_groups' must be an array, got ${describeValue(groups)}`);
    groups.forEach((group: unknown, i) => {
      if (group === null || typeof group !== 'object' || Array.isArray(group)) {
        throw new TypeError(`${owner}: param_groups[${i}] must be an object, got ${describeValue(group)}`);
      }
      checkOptions(`${owner}: param_groups[${i}]`, group, this.#groupSpec, ['params']);
      const ids = (group as { params: unknown }).params;
      if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id >= 0)) {
        throw new TypeError(`${owner}: param_groups[${i}].params must be an array of parameter numbers, got ${describeValue(ids)}`);
      }
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
