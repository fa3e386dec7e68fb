/**
 * `nn.ModuleDict` against PyTorch (`misc-ops.json`, scripts/fixtures/make_misc_ops_fixtures.py):
 * reprs, keys and `stateDict()` / `namedParameters()` names (also nested in a model); the dict
 * operations (get/set/has/delete/pop/clear/update/keys/values/items/length/iteration) and their
 * errors.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { loadFixture } from '../helpers/fixtures';

const { nn } = torch;

interface DictFixture {
  repr: string;
  keys: string[];
  stateDictKeys: string[];
  nestedRepr: string;
  nestedStateDictKeys: string[];
  namedParameters: string[];
  emptyRepr: string;
  popped: [string, string[]];
  updateLength: string;
  missing: string;
}
const fx = loadFixture<{ moduleDict: DictFixture }>('misc-ops').moduleDict;

function pytorchLike(): torch.nn.ModuleDict {
  const d = new nn.ModuleDict({ fc: new nn.Linear(2, 3), act: new nn.ReLU() });
  d.set('out', new nn.Linear(3, 1));
  return d;
}

class Heads extends nn.Module {
  heads = new nn.ModuleDict([
    ['q', new nn.Linear(4, 4, { bias: false })],
    ['v', new nn.Linear(4, 2)],
  ]);
  forward(x: torch.Tensor): torch.Tensor {
    return this.heads.get('v').forward(this.heads.get('q').forward(x));
  }
}

describe('nn.ModuleDict', () => {
  it("prints, lists keys and names state as PyTorch's", () => {
    const d = pytorchLike();
    expect(d.toString()).toBe(fx.repr);
    expect(d.keys()).toEqual(fx.keys);
    expect(Object.keys(d.stateDict())).toEqual(fx.stateDictKeys);
    expect(new nn.ModuleDict().toString()).toBe(fx.emptyRepr);
  });

  it('registers its modules as children of the model that holds it', () => {
    const model = new Heads();
    expect(model.toString()).toBe(fx.nestedRepr.replace(/^Module\(/, 'Heads('));
    expect(Object.keys(model.stateDict())).toEqual(fx.nestedStateDictKeys);
    expect(model.namedParameters().map(([name]) => name)).toEqual(fx.namedParameters);
    expect(model.parameters().length).toBe(3);
    // Gradients reach the registered modules' parameters.
    model.forward(torch.randn([2, 4])).sum().backward();
    expect(model.heads.get('q').parameters()[0].grad).not.toBeNull();
    // A loaded state dict lands in the dict's modules.
    const other = new Heads();
    other.loadStateDict(model.stateDict());
    expect(other.heads.get('v').stateDict().bias.tolist()).toEqual(model.heads.get('v').stateDict().bias.tolist());
  });

  it('get / set / has / pop / delete / clear, keeping insertion order', () => {
    const d = pytorchLike();
    const act = d.get('act');
    expect(d.pop('act')).toBe(act);
    expect(act.toString()).toBe(fx.popped[0]);
    expect(d.keys()).toEqual(fx.popped[1]);
    expect(d.has('act')).toBe(false);
    expect(d.has('fc')).toBe(true);
    // Replacing a key keeps its place, as assigning to a dict key does.
    const fc2 = new nn.Linear(2, 3);
    d.set('fc', fc2).set('tail', new nn.Identity());
    expect(d.keys()).toEqual(['fc', 'out', 'tail']);
    expect(d.get('fc')).toBe(fc2);
    expect(d.delete('out')).toBe(d);
    expect([...d]).toEqual(['fc', 'tail']);
    expect(d.length).toBe(2);
    expect(d.size).toBe(2);
    expect(d.values()).toEqual([fc2, d.get('tail')]);
    expect(d.items().map(([k]) => k)).toEqual(['fc', 'tail']);
    d.clear();
    expect(d.length).toBe(0);
    expect(d.parameters()).toEqual([]);
  });

  it('update takes objects, Maps, pairs and other ModuleDicts', () => {
    const d = new nn.ModuleDict();
    d.update({ a: new nn.ReLU() });
    d.update(new Map([['b', new nn.Tanh()]]));
    d.update([['c', new nn.Sigmoid()]]);
    d.update(new nn.ModuleDict({ d: new nn.Identity() }));
    expect(d.keys()).toEqual(['a', 'b', 'c', 'd']);
    expect(new nn.ModuleDict(d).keys()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('throws typed errors naming ModuleDict', () => {
    const d = pytorchLike();
    expect(() => d.get('nope')).toThrow(RangeError);
    expect(() => d.get('nope')).toThrow(`ModuleDict.get: no module named ${fx.missing}`);
    expect(() => d.pop('nope')).toThrow(RangeError);
    expect(() => d.delete('nope')).toThrow(RangeError);
    expect(() => new nn.ModuleDict([['a', new nn.ReLU(), 1]] as never)).toThrow(new RangeError(fx.updateLength));
    expect(() => d.update(3 as never)).toThrow(new TypeError('ModuleDict.update should be called with an iterable of key/value pairs, but got number'));
    expect(() => d.update(['ab'] as never)).toThrow(TypeError);
    expect(() => d.set('x', torch.zeros(1) as never)).toThrow(TypeError);
    expect(() => d.set('a.b', new nn.ReLU())).toThrow(RangeError);
    // Keys that name a Module attribute or method are refused, as PyTorch refuses them.
    expect(() => d.set('training', new nn.ReLU())).toThrow(new RangeError("attribute 'training' already exists"));
    expect(() => d.set('keys', new nn.ReLU())).toThrow(RangeError);
    expect(() => d.forward(torch.zeros(1))).toThrow('Module [ModuleDict] is missing the required "forward" function');
  });
});
