import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';
import { MLP } from '../helpers/seed-mlp';

function filled(shape: number[], value: number): Tensor {
  return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape, 'float32');
}

describe('Module registration by fields', () => {
  it("finds the seed MLP's six parameters in PyTorch's order", () => {
    const mlp = new MLP();
    const named = mlp.namedParameters();
    // MLP().named_parameters() in PyTorch
    expect(named.map(([name]) => name)).toEqual([
      'layers.1.weight',
      'layers.1.bias',
      'layers.4.weight',
      'layers.4.bias',
      'layers.7.weight',
      'layers.7.bias',
    ]);
    expect(mlp.parameters()).toHaveLength(6);
    expect(mlp.parameters()).toEqual(named.map(([, p]) => p));
    expect(named.map(([, p]) => p.shape)).toEqual([[64, 784], [64], [32, 64], [32], [10, 32], [10]]);
    const layers = mlp.layers;
    expect(mlp.parameters()[0]).toBe((layers[1] as nn.Linear).weight);
    for (const p of mlp.parameters()) {
      expect(p).toBeInstanceOf(nn.Parameter);
      expect(p.requiresGrad).toBe(true);
    }
  });

  it('has stateDict keys equal to PyTorch and values that are detached views of the parameters', () => {
    const mlp = new MLP();
    const sd = mlp.stateDict();
    // list(MLP().state_dict().keys())
    expect(Object.keys(sd)).toEqual([
      'layers.1.weight',
      'layers.1.bias',
      'layers.4.weight',
      'layers.4.bias',
      'layers.7.weight',
      'layers.7.bias',
    ]);
    const w = sd['layers.1.weight'];
    expect(w).not.toBeInstanceOf(nn.Parameter);
    expect(w.requiresGrad).toBe(false);
    expect(w.data).toBe((mlp.layers[1] as nn.Linear).weight.data);
    expect(mlp.stateDict({ keepVars: true })['layers.1.weight']).toBe((mlp.layers[1] as nn.Linear).weight);
  });

  it('walks modules depth first with dotted names, and children in definition order', () => {
    const mlp = new MLP();
    expect(mlp.namedModules().map(([name]) => name)).toEqual([
      '',
      'layers',
      'layers.0',
      'layers.1',
      'layers.2',
      'layers.3',
      'layers.4',
      'layers.5',
      'layers.6',
      'layers.7',
    ]);
    expect(mlp.children()).toEqual([mlp.layers]);
    expect(mlp.namedChildren()).toEqual([['layers', mlp.layers]]);
    expect(mlp.modules()[0]).toBe(mlp);
    expect(mlp.parameters(false)).toEqual([]);
    expect(mlp.layers.namedParameters({ prefix: 'x', recurse: true })[0][0]).toBe('x.1.weight');
  });

  it('lists a shared module or parameter once, but stateDict keeps every path (as PyTorch)', () => {
    class Tied extends nn.Module {
      a = new nn.Linear(2, 2);
      b = this.a;
      forward(x: Tensor): Tensor {
        return this.b.forward(this.a.forward(x));
      }
    }
    const tied = new Tied();
    expect(tied.namedModules().map(([n]) => n)).toEqual(['', 'a']);
    expect(tied.namedModules({ removeDuplicate: false }).map(([n]) => n)).toEqual(['', 'a', 'b']);
    expect(tied.parameters()).toHaveLength(2);
    expect(tied.parameters()).toEqual(tied.namedParameters().map(([, p]) => p));
    expect(Object.keys(tied.stateDict())).toEqual(['a.weight', 'a.bias', 'b.weight', 'b.bias']);
  });

  it('registers buffers (persistent ones in stateDict, after the parameters) and ignores plain tensors', () => {
    class Norm extends nn.Module {
      scale = new nn.Parameter(filled([3], 1));
      plain = filled([3], 7); // a plain tensor field is not state, as in PyTorch
      constructor() {
        super();
        this.registerBuffer('runningMean', filled([3], 0));
        this.registerBuffer('scratch', filled([3], 0), { persistent: false });
        this.registerBuffer('empty', null);
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const norm = new Norm();
    expect(norm.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'scratch']);
    expect(norm.buffers()).toHaveLength(2);
    expect(Object.keys(norm.stateDict())).toEqual(['scale', 'runningMean']);
    expect(norm.parameters()).toHaveLength(1);
    expect((norm as unknown as { runningMean: Tensor }).runningMean).toBeInstanceOf(Tensor);
  });

  it('registerParameter and addModule work like assigning a field', () => {
    class Custom extends nn.Module {
      bias: nn.Parameter | null = null;
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new Custom();
    m.registerParameter('weight', new nn.Parameter(filled([2], 1)));
    m.registerParameter('bias', new nn.Parameter(filled([2], 0)));
    m.addModule('act', new nn.ReLU());
    expect(m.namedParameters().map(([n]) => n)).toEqual(['bias', 'weight']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['act']);
  });

  it("rejects bad names and values with PyTorch's messages", () => {
    const m = new nn.Linear(2, 2);
    expect(() => m.registerBuffer('a.b', null)).toThrow(new RangeError('buffer name can\'t contain "."'));
    expect(() => m.registerBuffer('', null)).toThrow(new RangeError('buffer name can\'t be empty string ""'));
    expect(() => m.registerBuffer('inFeatures', null)).toThrow(new RangeError("attribute 'inFeatures' already exists"));
    expect(() => m.registerBuffer('x', 3 as unknown as Tensor)).toThrow(
      new TypeError("cannot assign 'number' object to buffer 'x' (torch Tensor or None required)"),
    );
    expect(() => m.registerParameter('p', filled([1], 0) as nn.Parameter)).toThrow(
      new TypeError("cannot assign 'Tensor' object to parameter 'p' (torch.nn.Parameter or None required)"),
    );
    expect(() => m.registerParameter('a.b', null)).toThrow(new RangeError('parameter name can\'t contain "."'));
    expect(() => m.addModule('a.b', new nn.ReLU())).toThrow(new RangeError('module name can\'t contain ".", got: a.b'));
    expect(() => m.addModule('', new nn.ReLU())).toThrow(new RangeError('module name can\'t be empty string ""'));
    expect(() => m.addModule('weight', new nn.ReLU())).toThrow(new RangeError("attribute 'weight' already exists"));
    expect(() => m.addModule('x', {} as nn.Module)).toThrow(new TypeError('Object is not a Module subclass'));
  });
});

describe('train / eval', () => {
  it('propagates the mode to every descendant and returns the module', () => {
    const mlp = new MLP();
    expect(mlp.training).toBe(true);
    expect(mlp.eval()).toBe(mlp);
    expect(mlp.modules().every((m) => m.training === false)).toBe(true);
    expect(mlp.train()).toBe(mlp);
    expect(mlp.modules().every((m) => m.training === true)).toBe(true);
    mlp.train(false);
    expect(mlp.layers[2].training).toBe(false);
    expect(() => mlp.train('yes' as unknown as boolean)).toThrow(new TypeError('training mode is expected to be boolean'));
  });

  it('apply visits children before the parent', () => {
    const seq = new nn.Sequential(new nn.ReLU(), new nn.Sequential(new nn.Tanh()));
    const visited: string[] = [];
    seq.apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(['ReLU', 'Tanh', 'Sequential', 'Sequential']);
  });
});

describe('requiresGrad_ and call', () => {
  it('freezes or unfreezes every parameter and returns the module', () => {
    const mlp = new MLP();
    expect(mlp.requiresGrad_(false)).toBe(mlp);
    expect(mlp.parameters().every((p) => !p.requiresGrad)).toBe(true);
    mlp.requiresGrad_();
    expect(mlp.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('call is forward', () => {
    const id = new nn.Identity();
    const x = filled([2], 1);
    expect(id.call(x)).toBe(x);
  });

  it('registerModule is addModule', () => {
    const seq = new nn.Sequential();
    seq.registerModule('head', new nn.ReLU());
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['head']);
  });
});

describe('zeroGrad', () => {
  it('sets gradients to null by default, or zeroes them in place', () => {
    const lin = new nn.Linear(2, 3);
    lin.weight.grad = filled([3, 2], 5);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    const grad = filled([3, 2], 5);
    lin.weight.grad = grad;
    lin.zeroGrad({ setToNone: false });
    expect(lin.weight.grad).toBe(grad);
    expect(Array.from(grad.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(lin.bias?.grad).toBeNull();
  });
});

describe('loadStateDict', () => {
  it('copies values into the existing parameters (storage kept)', () => {
    const src = new MLP();
    const dst = new MLP();
    const weight = (dst.layers[4] as nn.Linear).weight;
    const storage = weight.data;
    expect(dst.loadStateDict(src.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(weight.data).toBe(storage);
    expect(Array.from(weight.data)).toEqual(Array.from((src.layers[4] as nn.Linear).weight.data));
    const map = new Map(Object.entries(src.stateDict()));
    expect(dst.loadStateDict(map)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it("reports missing, unexpected and mis-shaped keys with PyTorch's text", () => {
    const mlp = new MLP();
    const sd = mlp.stateDict();
    delete sd['layers.1.weight'];
    sd.foo = filled([1], 0);
    sd['layers.4.weight'] = filled([32, 63], 0);
    // From PyTorch 2.15 (torch.Size([…]) printed as […]):
    //   sd = MLP().state_dict(); del sd['layers.1.weight']; sd['foo'] = torch.zeros(1)
    //   sd['layers.4.weight'] = torch.zeros(32, 63); MLP().load_state_dict(sd)
    const expected =
      'Error(s) in loading state_dict for MLP:\n' +
      '\tMissing key(s) in state_dict: "layers.1.weight". \n' +
      '\tUnexpected key(s) in state_dict: "foo". \n' +
      '\tsize mismatch for layers.4.weight: copying a param with shape [32, 63] from checkpoint, ' +
      'the shape in current model is [32, 64].';
    expect(() => mlp.loadStateDict(sd)).toThrow(new RangeError(expected));
    // Not strict: key mismatches are returned, but a size mismatch is still an error.
    expect(() => mlp.loadStateDict(sd, { strict: false })).toThrow(
      new RangeError(
        'Error(s) in loading state_dict for MLP:\n' +
          '\tsize mismatch for layers.4.weight: copying a param with shape [32, 63] from checkpoint, ' +
          'the shape in current model is [32, 64].',
      ),
    );
    sd['layers.4.weight'] = filled([32, 64], 0.25);
    // MLP().load_state_dict(sd, strict=False) →
    //   _IncompatibleKeys(missing_keys=['layers.1.weight'], unexpected_keys=['foo'])
    expect(mlp.loadStateDict(sd, { strict: false })).toEqual({
      missingKeys: ['layers.1.weight'],
      unexpectedKeys: ['foo'],
    });
    expect((mlp.layers[4] as nn.Linear).weight.data[0]).toBe(0.25);
  });

  it('flags a key under an unknown child as unexpected, and a non-tensor value', () => {
    const mlp = new MLP();
    const sd: Record<string, unknown> = { ...mlp.stateDict(), 'head.weight': filled([1], 0), 'layers.1.weight': 3 };
    expect(() => mlp.loadStateDict(sd as nn.StateDict)).toThrow(
      'Error(s) in loading state_dict for MLP:\n' +
        '\tUnexpected key(s) in state_dict: "head.weight". \n' +
        '\tWhile copying the parameter named "layers.1.weight", expected torch.Tensor or Tensor-like object from checkpoint but received number',
    );
    expect(() => mlp.loadStateDict(null as unknown as nn.StateDict)).toThrow(
      new TypeError('Expected state_dict to be dict-like, got null.'),
    );
  });
});

describe('toString', () => {
  it("prints the seed MLP exactly as PyTorch's repr", () => {
    // repr(MLP()) in PyTorch 2.15
    expect(new MLP().toString()).toBe(
      'MLP(\n  (layers): Sequential(\n    (0): Flatten(start_dim=1, end_dim=-1)\n' +
        '    (1): Linear(in_features=784, out_features=64, bias=True)\n    (2): Dropout(p=0.5, inplace=False)\n' +
        '    (3): ReLU()\n    (4): Linear(in_features=64, out_features=32, bias=True)\n' +
        '    (5): Dropout(p=0.5, inplace=False)\n    (6): ReLU()\n' +
        '    (7): Linear(in_features=32, out_features=10, bias=True)\n  )\n)',
    );
  });

  it('prints leaf modules and empty containers like PyTorch', () => {
    // repr(...) of the same modules in PyTorch 2.15
    expect(String(new nn.Sequential())).toBe('Sequential()');
    expect(String(new nn.Softmax(1))).toBe('Softmax(dim=1)');
    expect(String(new nn.Softmax())).toBe('Softmax(dim=None)');
    expect(String(new nn.LogSoftmax(-1))).toBe('LogSoftmax(dim=-1)');
    expect(String(new nn.Dropout(0.25))).toBe('Dropout(p=0.25, inplace=False)');
    expect(String(new nn.Linear(3, 4, { bias: false }))).toBe('Linear(in_features=3, out_features=4, bias=False)');
    expect(String(new nn.CrossEntropyLoss())).toBe('CrossEntropyLoss()');
    expect(String(new nn.Identity())).toBe('Identity()');
    expect(String(new nn.Flatten(0, 2))).toBe('Flatten(start_dim=0, end_dim=2)');
  });

  it('is what console.log shows', async () => {
    const { inspect } = await import('node:util');
    expect(inspect(new nn.ReLU())).toBe('ReLU()');
  });
});
