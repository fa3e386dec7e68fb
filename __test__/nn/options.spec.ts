/**
 * Issue #11.4 for `nn`: unknown or misspelled options throw, positional PyTorch habits get the
 * call that works, and options kindling does not implement throw instead of being ignored.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

const logits = new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], 'float32');
const targets = new Tensor(new Int32Array([0, 2]), [2], 'int32');

describe('nn layers refuse options they do not know', () => {
  it('new nn.Linear(3, 2, false) no longer keeps its bias: it shows the options call', () => {
    expect(() => new nn.Linear(3, 2, false as never)).toThrow(
      new TypeError('Linear: the third argument is an options object; use new nn.Linear(3, 2, { bias: false })'),
    );
    expect(() => new nn.Linear(3, 2, { biass: false } as never)).toThrow(new TypeError("Linear got an unexpected option 'biass' (did you mean 'bias'?)"));
    expect(() => new nn.Linear(3, 2, { bias: 0 } as never)).toThrow(new TypeError("Linear: option 'bias' must be a boolean, got number 0"));
    expect(new nn.Linear(3, 2, { bias: false }).bias).toBeNull();
  });

  it('Dropout: inplace is refused, a positional flag and a keyword-style p get the call that works', () => {
    expect(() => new nn.Dropout(0.5, true as never)).toThrow(
      new TypeError('Dropout: the second argument is an options object; use new nn.Dropout(0.5, { inplace: true })'),
    );
    expect(() => new nn.Dropout(0.5, { inplace: true })).toThrow(
      new TypeError("Dropout: option 'inplace' is not supported by kindling yet (no in-place dropout; drop the option)"),
    );
    expect(new nn.Dropout(0.5, { inplace: false }).p).toBe(0.5);
    expect(() => new nn.Dropout({ p: 0.2 } as never)).toThrow(new TypeError('Dropout: the first argument is the probability p; use new nn.Dropout(0.2)'));
  });

  it('ReLU(true) (PyTorch inplace) is not silently ignored', () => {
    expect(() => new nn.ReLU(true as never)).toThrow(new TypeError('ReLU: the first argument is an options object; use new nn.ReLU({ inplace: true })'));
    expect(() => new nn.ReLU({ inplace: true })).toThrow(
      new TypeError("ReLU: option 'inplace' is not supported by kindling yet (no in-place ReLU module; drop the option)"),
    );
    expect(() => new nn.ReLU({ inplace: false })).not.toThrow();
  });

  it('Softmax / LogSoftmax / Flatten check their positional dims', () => {
    expect(() => new nn.Softmax({ dim: 1 } as never)).toThrow(new TypeError('Softmax: the first argument is dim; use new nn.Softmax(1)'));
    expect(() => new nn.LogSoftmax('1' as never)).toThrow(new TypeError("LogSoftmax: dim must be an integer or null, got string '1'"));
    expect(() => new nn.Flatten({ startDim: 2 } as never)).toThrow(
      new TypeError('Flatten: startDim must be an integer, got object; use new nn.Flatten(startDim, endDim), e.g. new nn.Flatten(1, -1)'),
    );
    expect(() => new nn.Flatten(1, '2' as never)).toThrow(new TypeError("Flatten: endDim must be an integer, got string '2'"));
  });
});

describe('losses refuse options they do not know', () => {
  it('CrossEntropyLoss: snake_case keys, wrong types and PyTorch positional weight', () => {
    expect(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never)).toThrow(
      new TypeError("CrossEntropyLoss got an unexpected option 'label_smoothing' (did you mean 'labelSmoothing'?)"),
    );
    // Values keep the ops' PyTorch wording, now at construction.
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: '3' } as never)).toThrow(
      new TypeError("cross_entropy(): argument 'ignore_index' must be int (a 32-bit integer), not str 3"),
    );
    expect(() => new nn.NLLLoss({ ignoreIndex: 0.5 })).toThrow(
      new TypeError("nll_loss(): argument 'ignore_index' must be int (a 32-bit integer), not float 0.5"),
    );
    expect(() => new nn.CrossEntropyLoss({ weight: [1, 2, 3] } as never)).toThrow(
      new TypeError("CrossEntropyLoss: option 'weight' must be a Tensor or null, got array"),
    );
    const weight = new Tensor(new Float32Array([1, 1, 1]), [3], 'float32');
    expect(() => new nn.CrossEntropyLoss(weight as never)).toThrow(
      new TypeError('CrossEntropyLoss: the first argument is an options object; use new nn.CrossEntropyLoss({ weight })'),
    );
    expect(new nn.CrossEntropyLoss({ weight }).forward(logits, targets).item()).toBeCloseTo(1.4076, 3);
  });

  it('NLLLoss and MSELoss: a reduction string in the options slot, unknown keys', () => {
    expect(() => new nn.MSELoss('sum' as never)).toThrow(new TypeError("MSELoss: the first argument is an options object; use new nn.MSELoss({ reduction: 'sum' })"));
    expect(() => new nn.NLLLoss({ labelSmoothing: 0.1 } as never)).toThrow(new TypeError("NLLLoss got an unexpected option 'labelSmoothing'"));
    expect(() => new nn.MSELoss({ size_average: true } as never)).toThrow(new TypeError("MSELoss got an unexpected option 'size_average'"));
  });

  it('nn.functional losses check their options too', () => {
    const F = nn.functional;
    expect(() => F.crossEntropy(logits, targets, { reduce: 'sum' } as never)).toThrow(new TypeError("crossEntropy got an unexpected option 'reduce'"));
    expect(() => F.crossEntropy(logits, targets, { reductoin: 'sum' } as never)).toThrow(
      new TypeError("crossEntropy got an unexpected option 'reductoin' (did you mean 'reduction'?)"),
    );
    expect(() => F.nllLoss(logits, targets, { ignore_index: 1 } as never)).toThrow(
      new TypeError("nllLoss got an unexpected option 'ignore_index' (did you mean 'ignoreIndex'?)"),
    );
    expect(() => F.mseLoss(logits, logits, 'sum' as never)).toThrow(new TypeError("mseLoss: options must be an object, got string 'sum'"));
    expect(F.crossEntropy(logits, targets, { reduction: 'sum' }).item()).toBeCloseTo(2 * 1.4076, 3);
  });
});

describe('Module methods refuse options they do not know', () => {
  class Net extends nn.Module {
    fc = new nn.Linear(3, 2);
    forward(x: Tensor): Tensor {
      return this.fc.forward(x);
    }
  }

  it('loadStateDict(sd, false) (PyTorch positional strict) shows the options call', () => {
    const net = new Net();
    expect(() => net.loadStateDict({}, false as never)).toThrow(
      new TypeError('loadStateDict: the second argument is an options object; use model.loadStateDict(stateDict, { strict: false })'),
    );
    expect(() => net.loadStateDict({}, { Strict: false } as never)).toThrow(new TypeError("loadStateDict got an unexpected option 'Strict' (did you mean 'strict'?)"));
    expect(() => net.loadStateDict(net.stateDict(), { assign: true } as never)).toThrow(
      new TypeError("loadStateDict: option 'assign' is not supported by kindling yet (parameters are always copied into; drop the option)"),
    );
    expect(net.loadStateDict({}, { strict: false }).missingKeys).toEqual(['fc.weight', 'fc.bias']);
  });

  it('zeroGrad(false), stateDict typos, registerBuffer positional persistent', () => {
    const net = new Net();
    expect(() => net.zeroGrad(false as never)).toThrow(new TypeError('zeroGrad: the first argument is an options object; use model.zeroGrad({ setToNone: false })'));
    expect(() => net.zeroGrad({ set_to_none: false } as never)).toThrow(new TypeError("zeroGrad got an unexpected option 'set_to_none' (did you mean 'setToNone'?)"));
    expect(() => net.stateDict({ keep_vars: true } as never)).toThrow(new TypeError("stateDict got an unexpected option 'keep_vars' (did you mean 'keepVars'?)"));
    expect(() => net.registerBuffer('stat', null, false as never)).toThrow(
      new TypeError("registerBuffer: the third argument is an options object; use module.registerBuffer('stat', tensor, { persistent: false })"),
    );
  });

  it('named* walks and parameters(recurse) check their arguments', () => {
    const net = new Net();
    expect(() => net.namedParameters('net' as never)).toThrow(
      new TypeError("namedParameters: the first argument is an options object; use module.namedParameters({ prefix: 'net' })"),
    );
    expect(() => net.namedBuffers(false as never)).toThrow(
      new TypeError('namedBuffers: the first argument is an options object; use module.namedBuffers({ recurse: false })'),
    );
    expect(() => net.namedModules({ memo: null } as never)).toThrow(new TypeError("namedModules got an unexpected option 'memo'"));
    expect(() => net.parameters({ recurse: false } as never)).toThrow(new TypeError('parameters: recurse must be a boolean, got object'));
    expect(() => net.requiresGrad_(0 as never)).toThrow(new TypeError('requiresGrad_: requiresGrad must be a boolean, got number 0'));
    expect(net.namedParameters({ prefix: 'net' }).map(([n]) => n)).toEqual(['net.fc.weight', 'net.fc.bias']);
  });
});

describe('nn.init and nn.utils options', () => {
  const weight = () => new Tensor(new Float32Array(6), [2, 3], 'float32');

  it('kaimingUniform_(w, Math.sqrt(5)) (positional a) shows the options call; typos are refused', () => {
    expect(() => nn.init.kaimingUniform_(weight(), 0.5 as never)).toThrow(
      new TypeError('kaimingUniform_: the second argument is an options object; use nn.init.kaimingUniform_(tensor, { a: 0.5 })'),
    );
    expect(() => nn.init.kaimingNormal_(weight(), { nonLinearity: 'relu' } as never)).toThrow(
      new TypeError("kaimingNormal_ got an unexpected option 'nonLinearity' (did you mean 'nonlinearity'?)"),
    );
    expect(() => nn.init.kaimingNormal_(weight(), { generator: 42 } as never)).toThrow(
      new TypeError("kaimingNormal_: option 'generator' must be a torch.Generator, got number 42"),
    );
  });

  it('an options object where init takes a number no longer fills NaN', () => {
    expect(() => nn.init.xavierUniform_(weight(), { gain: 2 } as never)).toThrow(new TypeError('xavierUniform_: gain must be a number, got object'));
    expect(() => nn.init.normal_(weight(), 0, { std: 2 } as never)).toThrow(new TypeError('normal_: std must be a number, got object'));
    expect(() => nn.init.constant_(weight(), '1' as never)).toThrow(new TypeError("constant_: value must be a number, got string '1'"));
  });

  it('clipGradNorm_ takes its options positionally (as PyTorch) or as an object, and checks both', () => {
    const p = new Tensor(new Float32Array([3, 4]), [2], 'float32');
    p.requiresGrad = true;
    p.grad = new Tensor(new Float32Array([3, 4]), [2], 'float32');
    expect(() => nn.utils.clipGradNorm_([p], 1, 2, 'yes' as never)).toThrow(new TypeError("clipGradNorm_: errorIfNonfinite must be a boolean, got string 'yes'"));
    expect(() => nn.utils.clipGradNorm_([p], 1, { error_if_nonfinite: true } as never)).toThrow(
      new TypeError("clipGradNorm_ got an unexpected option 'error_if_nonfinite' (did you mean 'errorIfNonfinite'?)"),
    );
    expect(() => nn.utils.clipGradNorm_([p], 1, { foreach: true } as never)).toThrow(
      new TypeError("clipGradNorm_: option 'foreach' is not supported by kindling yet (the gradients are scaled in one loop)"),
    );
    expect(() => nn.utils.clipGradNorm_([p], 1, { normType: 2 }, true)).toThrow(
      new TypeError('clipGradNorm_: give errorIfNonfinite in the options object, not as a fourth argument'),
    );
    expect(nn.utils.clipGradNorm_([p], 1, { normType: 'inf', errorIfNonfinite: true }).item()).toBe(4);
    const [g0, g1] = Array.from(p.grad?.data ?? []);
    expect(g0).toBeCloseTo(0.75, 5); // scaled by maxNorm / ‖g‖∞ = 1/4
    expect(g1).toBeCloseTo(1, 5);
  });
});
