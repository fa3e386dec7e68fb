/**
 * Property: on a small graph, any sequence of forward ops, in-place writes (on leaves under
 * noGrad, through `detach()`, through views, on intermediate results under noGrad) and
 * `backward()` calls either gives the gradients of the same program without the in-place writes
 * or throws the version-counter error — never a third outcome (a silently different gradient, or
 * another error).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import type { Tensor } from '../../src/tensor';
import { check, printCaseCounts } from '../helpers/arbitraries';

const VERSION_ERROR = /^one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[[\d, ]*\]\](, which is output 0 of \w+,)? is at version \d+; expected version \d+ instead\. Hint: /;

/** A forward step: combines pool entries `a` and `b` into a new [2, 3] entry. */
type Step = { op: number; a: number; b: number };
/** An in-place write: `how` picks the route (direct under noGrad, detach(), a view), into entry `target`. */
type Write = { target: number; how: number; value: number };

const OPS: ReadonlyArray<(a: Tensor, b: Tensor) => Tensor> = [
  (a, b) => a.mul(b),
  (a, b) => a.add(b),
  (a, b) => a.sub(b.mul(0.5)),
  (a) => a.tanh(),
  (a) => a.sigmoid(),
  (a) => a.mul(0.3).exp(),
  (a, b) => a.t().mul(b.t()).t(), // through transposed views
  (a, b) => a.select(0, 1).mul(b).add(a), // a selected row broadcast back
  (a, b) => a.narrow(1, 0, 2).mul(b.narrow(1, 1, 2)).sum(1, true).expand(2, 3).contiguous(),
  (a, b) => a.mm(b.t()).mm(a), // (2,3)·(3,2)·(2,3), sgemm with a transposed operand
  (a) => a.relu(),
  (a, b) => a.mul(b).div(b.abs().add(1)),
];

/** Runs the forward program from the three leaves; returns the pool of every tensor made. */
function forward(leaves: Tensor[], steps: readonly Step[]): Tensor[] {
  const pool = leaves.slice();
  for (const { op, a, b } of steps) pool.push(OPS[op](pool[a % pool.length], pool[b % pool.length]));
  return pool;
}

function inPlaceWrite(pool: Tensor[], { target, how, value }: Write): void {
  const t = pool[target % pool.length];
  torch.noGrad(() => {
    if (how === 0) t.add_(value);
    else if (how === 1) t.detach().mul_(value);
    else if (how === 2) t.select(1, 2).fill_(value);
    else if (how === 3) t.t().narrow(0, 1, 1).add_(value);
    else t.detach().copy_(t.detach().mul(value));
  });
}

/** The three leaves: two that require grad and one constant input. */
function makeLeaves(values: readonly number[]): Tensor[] {
  const w1 = torch.tensor([values.slice(0, 3), values.slice(3, 6)], { dtype: torch.float32, requiresGrad: true });
  const w2 = torch.tensor([values.slice(6, 9), values.slice(9, 12)], { dtype: torch.float32, requiresGrad: true });
  const x = torch.tensor([values.slice(12, 15), values.slice(15, 18)], { dtype: torch.float32 });
  return [w1, w2, x];
}

const lossOf = (pool: Tensor[]): Tensor => pool.slice(3).reduce((acc, t) => acc.add(t.sum()), pool[0].mul(pool[1]).sum());

const stepArb = fc.record({ op: fc.integer({ min: 0, max: OPS.length - 1 }), a: fc.nat(20), b: fc.nat(20) });
const writeArb = fc.record({ target: fc.nat(20), how: fc.integer({ min: 0, max: 4 }), value: fc.constantFrom(-1, 0.5, 2) });
const valueArb = fc.array(fc.double({ min: -1, max: 1, noNaN: true }).map(Math.fround), { minLength: 18, maxLength: 18 });

describe('version counters (property)', () => {
  afterAll(() => printCaseCounts('version counters'));

  it('in-place writes after the forward give the unmodified program’s gradients or the version error', () => {
    const outcomes = { threw: 0, modifiedButSame: 0 };
    check(
      'in-place writes: same gradients or the version error',
      150,
      valueArb,
      fc.array(stepArb, { minLength: 1, maxLength: 6 }),
      fc.array(writeArb, { maxLength: 3 }),
      fc.boolean(),
      (values, steps, writes, backwardFirst) => {
        // The reference: the same program, no writes, one backward.
        const ref = makeLeaves(values);
        lossOf(forward(ref, steps)).backward();
        const expected = [ref[0].grad?.tolist(), ref[1].grad?.tolist()];

        const leaves = makeLeaves(values);
        const pool = forward(leaves, steps);
        const loss = lossOf(pool);
        let backwards = 0;
        if (backwardFirst) {
          loss.backward(undefined, { retainGraph: true });
          backwards++;
        }
        for (const w of writes) inPlaceWrite(pool, w);
        try {
          loss.backward();
          backwards++;
          if (writes.length > 0) outcomes.modifiedButSame++;
        } catch (error) {
          expect(error).toBeInstanceOf(torch.AutogradError);
          expect((error as Error).message).toMatch(VERSION_ERROR);
          outcomes.threw++;
        }
        for (let i = 0; i < 2; i++) {
          const got = leaves[i].grad;
          if (backwards === 0) {
            expect(got).toBeNull();
            continue;
          }
          const want = (expected[i] as number[][]).flat().map((v) => v * backwards);
          const have = (got?.tolist() as number[][]).flat();
          have.forEach((v, k) => {
            if (Number.isNaN(want[k])) expect(v).toBeNaN();
            else expect(Math.abs(v - want[k])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[k])));
          });
        }
      },
    );
    // Both outcomes occur: writes that backward needs, and writes it does not read.
    expect(outcomes.threw).toBeGreaterThan(10);
    expect(outcomes.modifiedButSame).toBeGreaterThan(10);
  });
});
