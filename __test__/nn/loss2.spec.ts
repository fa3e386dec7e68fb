/**
 * The loss modules of src/nn/loss2.ts: PyTorch's reprs and state_dict keys (`losses2.json`),
 * defaults and options as attributes, buffers for weight / pos_weight, option checks at
 * construction, and a module forward equal to its functional (the per-case comparison of
 * values and gradients lives in the ops specs, which run each module too).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { fixture } from '../helpers/losses2';

const { nn } = torch;

/** kindling's construction of each `torch` snippet in `fixture.reprs`. */
const BUILD: Record<string, () => torch.nn.Module> = {
  'nn.BCELoss()': () => new nn.BCELoss(),
  'nn.BCELoss(weight=torch.ones(3))': () => new nn.BCELoss({ weight: torch.ones(3) }),
  'nn.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3))': () => new nn.BCEWithLogitsLoss({ weight: torch.ones(3), posWeight: torch.ones(3) }),
  'nn.BCEWithLogitsLoss()': () => new nn.BCEWithLogitsLoss(),
  "nn.L1Loss(reduction='sum')": () => new nn.L1Loss({ reduction: 'sum' }),
  'nn.SmoothL1Loss(beta=0.5)': () => new nn.SmoothL1Loss({ beta: 0.5 }),
  'nn.HuberLoss(delta=2.0)': () => new nn.HuberLoss({ delta: 2.0 }),
  "nn.KLDivLoss(reduction='batchmean', log_target=True)": () => new nn.KLDivLoss({ reduction: 'batchmean', logTarget: true }),
  'nn.CosineEmbeddingLoss(margin=0.5)': () => new nn.CosineEmbeddingLoss({ margin: 0.5 }),
  'nn.MarginRankingLoss(margin=1.0)': () => new nn.MarginRankingLoss({ margin: 1.0 }),
  'nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True)': () => new nn.TripletMarginLoss({ margin: 2.0, p: 1.0, swap: true }),
  'nn.PoissonNLLLoss(log_input=False, full=True)': () => new nn.PoissonNLLLoss({ logInput: false, full: true }),
  'nn.GaussianNLLLoss(full=True, eps=0.01)': () => new nn.GaussianNLLLoss({ full: true, eps: 0.01 }),
};

describe('loss modules (PyTorch reprs, state_dict keys, attributes)', () => {
  for (const r of fixture.reprs) {
    it(r.torch, () => {
      const build = BUILD[r.torch];
      expect(build, `no kindling construction for ${r.torch}`).toBeDefined();
      const m = build();
      expect(m.toString()).toBe(r.repr);
      expect(Object.keys(m.stateDict())).toEqual(r.stateDict);
      for (const [k, v] of Object.entries(r.attrs)) expect((m as unknown as Record<string, unknown>)[k], k).toBe(v);
    });
  }

  it('BCEWithLogitsLoss keeps posWeight as the buffer pos_weight (loads PyTorch state dicts)', () => {
    const m = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([2, 3]) });
    expect(m.posWeight).toBe(m.pos_weight);
    m.loadStateDict({ pos_weight: torch.tensor([5, 7]) });
    expect(Array.from(m.posWeight!.data as Float32Array)).toEqual([5, 7]);
    const loss = m.forward(torch.zeros(2), torch.ones(2));
    expect(loss.item()).toBeCloseTo(6 * Math.log(2), 6);
  });

  it('defaults are PyTorch\'s', () => {
    expect(new nn.SmoothL1Loss().beta).toBe(1);
    expect(new nn.HuberLoss().delta).toBe(1);
    expect(new nn.KLDivLoss().reduction).toBe('mean');
    expect(new nn.KLDivLoss().logTarget).toBe(false);
    expect(new nn.CosineEmbeddingLoss().margin).toBe(0);
    expect(new nn.MarginRankingLoss().margin).toBe(0);
    const t = new nn.TripletMarginLoss();
    expect([t.margin, t.p, t.eps, t.swap]).toEqual([1, 2, 1e-6, false]);
    const p = new nn.PoissonNLLLoss();
    expect([p.logInput, p.full, p.eps]).toEqual([true, false, 1e-8]);
    const g = new nn.GaussianNLLLoss();
    expect([g.full, g.eps]).toEqual([false, 1e-6]);
  });

  it('checks options at construction, naming the module', () => {
    expect(() => new nn.L1Loss({ reduction: 'avg' as 'mean' })).toThrow(new RangeError("L1Loss: avg is not a valid value for reduction (expected one of 'none', 'mean', 'sum')"));
    expect(() => new nn.KLDivLoss({ reduction: 'batchmean' })).not.toThrow();
    expect(() => new nn.MSELoss({ reduction: 'batchmean' as 'mean' })).toThrow(RangeError);
    expect(() => new nn.SmoothL1Loss({ beta: '1' as never })).toThrow(new TypeError("SmoothL1Loss(): argument 'beta' must be float, not string"));
    expect(() => new nn.TripletMarginLoss({ swap: 1 as never })).toThrow(TypeError);
    expect(() => new nn.HuberLoss({ delt: 2 } as never)).toThrow(/HuberLoss got an unexpected option 'delt' \(did you mean 'delta'\?\)/);
    expect(() => new nn.MarginRankingLoss(0.5 as never)).toThrow(/new nn.MarginRankingLoss\(\{ margin: 0.5 \}\)/);
    expect(() => new nn.BCELoss(torch.ones(3) as never)).toThrow(/new nn.BCELoss\(\{ weight \}\)/);
  });

  it('forward equals the functional form', () => {
    const x = torch.tensor([[0.2, -1.3], [2.0, 0.4]]);
    const y = torch.tensor([[0.0, 1.0], [1.0, 0.5]]);
    const F = nn.functional;
    const same = (a: torch.Tensor, b: torch.Tensor): void => expect(Array.from(a.data as Float32Array)).toEqual(Array.from(b.data as Float32Array));
    same(new nn.BCEWithLogitsLoss({ reduction: 'sum' }).forward(x, y), F.binaryCrossEntropyWithLogits(x, y, { reduction: 'sum' }));
    same(new nn.HuberLoss({ delta: 0.5 }).forward(x, y), F.huberLoss(x, y, { delta: 0.5 }));
    same(new nn.GaussianNLLLoss().forward(x, y, 0.5), F.gaussianNllLoss(x, y, 0.5));
    same(new nn.TripletMarginLoss({ swap: true }).forward(x, y, x.neg()), F.tripletMarginLoss(x, y, x.neg(), { swap: true }));
  });
});
