/**
 * DistributedSampler against PyTorch's (scripts/fixtures/make_distributed_sampler_fixtures.py →
 * __test__/fixtures/distributed_sampler.json): lengths and index lists of every rank, for
 * datasets around multiples of the replica count, padded and dropped, shuffled and not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataLoader, DistributedSampler, TensorDataset } from '../../src/data';
import { distributedIndices } from '../../src/data/distributed-sampler';
import { DistributedError } from '../../src/distributed';
import * as torch from '../../src';

interface Case {
  n: number;
  numReplicas: number;
  dropLast: boolean;
  shuffle: boolean;
  seed: number;
  epoch: number;
  permutation?: number[];
  ranks: { rank: number; length: number; indices: number[] }[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/distributed_sampler.json'), 'utf8')) as {
  cases: Case[];
  errors: Record<string, string>;
};

const sized = (n: number) => ({ length: n });

describe('DistributedSampler', () => {
  it(`unshuffled: every rank's indices and length equal PyTorch's (${fixture.cases.filter((c) => !c.shuffle).length} cases)`, () => {
    for (const c of fixture.cases.filter((c) => !c.shuffle)) {
      for (const r of c.ranks) {
        const s = new DistributedSampler(sized(c.n), { numReplicas: c.numReplicas, rank: r.rank, shuffle: false, dropLast: c.dropLast });
        const where = `n=${c.n} R=${c.numReplicas} rank=${r.rank} dropLast=${c.dropLast}`;
        expect(s.length, where).toBe(r.length);
        expect([...s], where).toEqual(r.indices);
      }
    }
  });

  it('shuffled: PyTorch\'s padding and striding of its own permutation', () => {
    // kindling's generator draws other permutations than PyTorch's; the rule applied to them is the same.
    const shuffled = fixture.cases.filter((c) => c.shuffle);
    expect(shuffled.length).toBeGreaterThan(200);
    for (const c of shuffled) {
      for (const r of c.ranks) {
        expect(distributedIndices(c.permutation as number[], c.numReplicas, r.rank, c.dropLast)).toEqual(r.indices);
      }
    }
  });

  it('shuffled: one epoch covers every sample once across ranks, the same on every rank, new each epoch', () => {
    const n = 103;
    const R = 4;
    const epochOrder = (epoch: number, seed = 0) =>
      Array.from({ length: R }, (_, rank) => {
        const s = new DistributedSampler(sized(n), { numReplicas: R, rank, seed });
        s.setEpoch(epoch);
        return [...s];
      });
    const e0 = epochOrder(0);
    expect(e0.map((l) => l.length)).toEqual([26, 26, 26, 26]);
    const all = e0.flat();
    expect(new Set(all).size).toBe(n); // 104 slots: every index once, one padded repeat
    expect(all.length).toBe(104);
    expect(epochOrder(0)).toEqual(e0); // deterministic from seed + epoch
    const e1 = epochOrder(1);
    expect(new Set(e1.flat()).size).toBe(n);
    expect(e1).not.toEqual(e0);
    expect(epochOrder(0, 7)).not.toEqual(e0);
    // Without setEpoch, the order repeats (PyTorch's documented pitfall).
    const s = new DistributedSampler(sized(n), { numReplicas: R, rank: 0 });
    expect([...s]).toEqual([...s]);
    // dropLast: 100 distinct indices, none repeated.
    const dropped = Array.from({ length: R }, (_, rank) => [...new DistributedSampler(sized(n), { numReplicas: R, rank, dropLast: true })]).flat();
    expect(dropped.length).toBe(100);
    expect(new Set(dropped).size).toBe(100);
  });

  it('drives a DataLoader', () => {
    const ds = new TensorDataset(torch.arange(10));
    const sampler = new DistributedSampler(ds, { numReplicas: 3, rank: 2, shuffle: false });
    const batches = [...new DataLoader(ds, { batchSize: 2, sampler })].map((b) => ((b as torch.Tensor[])[0]).tolist());
    expect(batches).toEqual([[2, 5], [8, 1]]);
  });

  it('bad arguments: PyTorch\'s messages, typed', () => {
    expect(() => new DistributedSampler(sized(4), { numReplicas: 2, rank: 2 })).toThrow(new RangeError(fixture.errors.rank2of2));
    expect(() => new DistributedSampler(sized(4), { numReplicas: 2, rank: -1 })).toThrow(new RangeError(fixture.errors.rankMinus1));
    expect(() => new DistributedSampler(sized(4), { numReplicas: 0, rank: 0 })).toThrow('DistributedSampler: numReplicas should be an integer >= 1, but got number 0');
    expect(() => new DistributedSampler(sized(4), { numReplicas: 2, rank: 0, seed: -1 })).toThrow(RangeError);
    expect(() => new DistributedSampler(sized(4), { numReplicas: 2, rank: 0.5 })).toThrow(TypeError);
    expect(() => new DistributedSampler(sized(4), { num_replicas: 2 } as never)).toThrow(/did you mean 'numReplicas'/);
    expect(() => new DistributedSampler(5 as never, { numReplicas: 2, rank: 0 })).toThrow(TypeError);
    expect(() => new DistributedSampler(sized(4), { numReplicas: 2, rank: 0 }).setEpoch(1.5)).toThrow(RangeError);
    // numReplicas / rank default to the process group's, which needs initProcessGroup first.
    expect(() => new DistributedSampler(sized(4))).toThrow(DistributedError);
    expect(() => new DistributedSampler(sized(4), { numReplicas: 2 })).toThrow('Default process group has not been initialized');
  });
});
