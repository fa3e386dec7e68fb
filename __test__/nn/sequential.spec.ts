import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

describe('Sequential', () => {
  it('is indexable, iterable and has a length', () => {
    const relu = new nn.ReLU();
    const lin = new nn.Linear(2, 3);
    const seq = new nn.Sequential(lin, relu);
    expect(seq[0]).toBe(lin);
    expect(seq[1]).toBe(relu);
    expect(seq.length).toBe(2);
    expect([...seq]).toEqual([lin, relu]);
    expect(seq.at(-1)).toBe(relu);
    expect(seq.at(5)).toBeUndefined();
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1']);
  });

  it('may hold the same module twice, like PyTorch (length 3, forward runs it twice)', () => {
    const relu = new nn.ReLU();
    const fc = new nn.Linear(1, 1);
    const seq = new nn.Sequential(relu, fc, relu);
    expect(seq.length).toBe(3);
    expect([...seq]).toEqual([relu, fc, relu]);
    expect(seq.children()).toEqual([relu, fc]); // children() lists each module once
    seq.append(new nn.Tanh());
    expect(seq[2]).toBe(relu);
    expect(seq[3]).toBeInstanceOf(nn.Tanh);
    expect(seq.at(-2)).toBe(relu);
  });

  it('chains forward through its modules in order', () => {
    const lin = new nn.Linear(2, 2);
    lin.weight.data.set([1, -1, -2, 0.5]);
    lin.bias?.data.set([0, 1]);
    const seq = new nn.Sequential(new nn.Flatten(), lin, new nn.ReLU());
    const x = new Tensor(Float32Array.from([3, 1]), [1, 1, 2]);
    const y = seq.forward(x);
    // x·Wᵀ + b = [3 − 1, −6 + 0.5 + 1] = [2, −4.5] → relu → [2, 0]
    expect(y.shape).toEqual([1, 2]);
    expect(Array.from(y.data)).toEqual([2, 0]);
  });

  it('append / extend / insert / pop renumber children like PyTorch', () => {
    const [a, b, c, d] = [new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid(), new nn.Identity()];
    const seq = new nn.Sequential(a);
    expect(seq.append(b)).toBe(seq);
    seq.extend([c]);
    expect([...seq]).toEqual([a, b, c]);
    seq.insert(1, d);
    expect([...seq]).toEqual([a, d, b, c]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3']);
    expect(seq.pop(1)).toBe(d);
    expect(seq.pop()).toBe(c);
    expect([...seq]).toEqual([a, b]);
    expect(seq[2]).toBeUndefined();
    expect(() => seq.insert(5, d)).toThrow(new RangeError('Index out of range: 5'));
  });

  it('slices into a new Sequential keeping names (seq[1:3])', () => {
    const mods = [new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid()];
    const part = new nn.Sequential(...mods).slice(1, 3);
    expect(part.namedChildren()).toEqual([
      ['1', mods[1]],
      ['2', mods[2]],
    ]);
  });

  it('takes named modules from a Map or an object (PyTorch OrderedDict)', () => {
    const seq = new nn.Sequential(new Map<string, nn.Module>([['fc', new nn.Linear(2, 2)], ['act', new nn.ReLU()]]));
    expect(Object.keys(seq.stateDict())).toEqual(['fc.weight', 'fc.bias']);
    expect(String(seq)).toBe(
      'Sequential(\n  (fc): Linear(in_features=2, out_features=2, bias=True)\n  (act): ReLU()\n)',
    );
    const fromObject = new nn.Sequential({ hidden: new nn.Linear(1, 1) });
    expect(fromObject.namedChildren().map(([n]) => n)).toEqual(['hidden']);
  });
});

describe('ModuleList', () => {
  it('registers its modules so their parameters are found', () => {
    class Deep extends nn.Module {
      blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
      forward(x: Tensor): Tensor {
        for (const block of this.blocks) x = block.forward(x);
        return x;
      }
    }
    const deep = new Deep();
    expect(Object.keys(deep.stateDict())).toEqual(['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias']);
    expect(deep.blocks.length).toBe(2);
    deep.blocks.append(new nn.ReLU());
    expect(deep.blocks[2]).toBeInstanceOf(nn.ReLU);
    deep.blocks.insert(0, new nn.Tanh());
    expect([...deep.blocks].map((m) => m.constructor.name)).toEqual(['Tanh', 'Linear', 'Linear', 'ReLU']);
    expect(() => deep.blocks.forward()).toThrow('Module [ModuleList] is missing the required "forward" function');
  });

  it('prints runs of identical modules folded, as PyTorch', () => {
    // repr(nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()]))
    const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]);
    expect(String(list)).toBe('ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n)');
    expect(String(new nn.ModuleList())).toBe('ModuleList()');
  });
});
