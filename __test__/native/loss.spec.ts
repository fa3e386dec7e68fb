import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/ops/kernels';
import { Reduction } from '../../src/native/codes';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

function expectClose(actual: Float32Array, expected: number[], tol = 2e-6) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) =>
    expect(Math.abs(actual[i] - e), `element ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e))),
  );
}

// z = torch.tensor([[1., 2., 3., .5], [-1., 0., 4., 2.], [.3, .2, .1, 0.]], requires_grad=True)
// t = torch.tensor([2, 0, 3]); w = torch.tensor([1., 2., .5, 3.])
// l = F.cross_entropy(z, t, reduction=…, **kw); l.sum().backward(); z.grad
const z = new Float32Array([1, 2, 3, 0.5, -1, 0, 4, 2, 0.3, 0.2, 0.1, 0]);
const t = new Int32Array([2, 0, 3]);
const w = new Float32Array([1, 2, 0.5, 3]);
/** `z` as 3 rows of 4 classes, no label smoothing. */
const threeByFour = { n: 3, c: 4, labelSmoothing: 0 };

function ce(options: { weight?: Float32Array; ignoreIndex?: number; labelSmoothing?: number; reduction: number }) {
  const loss = new Float32Array(options.reduction === Reduction.None ? 3 : 1);
  const grad = new Float32Array(12);
  kernels.crossEntropy(z, t, options.weight ?? null, loss, grad, {
    n: 3,
    c: 4,
    ignoreIndex: options.ignoreIndex ?? -100,
    labelSmoothing: options.labelSmoothing ?? 0,
    reduction: options.reduction,
  });
  return { loss, grad };
}

describe('crossEntropy', () => {
  it('mean reduction, no weight (the MNIST case)', () => {
    const { loss, grad } = ce({ reduction: Reduction.Mean });
    expectClose(loss, [2.384021520614624]);
    expectClose(grad, [0.028456298634409904, 0.07735224068164825, -0.12306815385818481, 0.017259618267416954, -0.33139780163764954, 0.005261351820081472, 0.2872599959373474, 0.03887641429901123, 0.09621714055538177, 0.08706086874008179, 0.07877592742443085, -0.2620539367198944]);
  });

  it('class weights: mean divides by the summed target weights', () => {
    const { loss, grad } = ce({ weight: w, reduction: Reduction.Mean });
    expectClose(loss, [2.223721742630005]);
    expectClose(grad, [0.009485432878136635, 0.0257840808480978, -0.04102271795272827, 0.005753206089138985, -0.22093185782432556, 0.0035075678024441004, 0.19150666892528534, 0.02591760829091072, 0.19243428111076355, 0.17412173748016357, 0.1575518548488617, -0.5241078734397888]);
    const none = ce({ weight: w, reduction: Reduction.None });
    expectClose(none.loss, [0.23038674890995026, 5.148755073547363, 4.627606391906738]);
  });

  it('weights + label smoothing + ignoreIndex', () => {
    const opts = { weight: w, labelSmoothing: 0.1, ignoreIndex: 0 };
    const mean = ce({ ...opts, reduction: Reduction.Mean });
    expectClose(mean.loss, [1.418994665145874]);
    expectClose(mean.grad, [0.007796699181199074, 0.026324210688471794, -0.021753638982772827, -0.01236727274954319, 0, 0, 0, 0, 0.22893273830413818, 0.1993243247270584, 0.18971092998981476, -0.6179680228233337]);
    const sum = ce({ ...opts, reduction: Reduction.Sum });
    expectClose(sum.loss, [4.966481685638428]);
    const none = ce({ ...opts, reduction: Reduction.None });
    expectClose(none.loss, [0.5697237849235535, 0.0, 4.39675760269165]);
    expectClose(none.grad, [0.027288442477583885, 0.09213472902774811, -0.0761377364397049, -0.04328545928001404, 0, 0, 0, 0, 0.8012646436691284, 0.6976351737976074, 0.6639882922172546, -2.1628880500793457]);
  });

  it('label smoothing without weights', () => {
    const { loss, grad } = ce({ labelSmoothing: 0.2, reduction: Reduction.Mean });
    expectClose(loss, [2.315688133239746]);
    expectClose(grad, [0.011789633892476559, 0.06068558245897293, -0.07306815683841705, 0.0005929521867074072, -0.28139781951904297, -0.011405314318835735, 0.2705933749675751, 0.02220975235104561, 0.07955048233270645, 0.07039421051740646, 0.062109269201755524, -0.21205393970012665]);
  });

  it('all rows ignored with mean gives NaN and zero gradient, as PyTorch', () => {
    const loss = new Float32Array(1);
    const grad = new Float32Array(12).fill(7);
    kernels.crossEntropy(z, new Int32Array([-100, -100, -100]), undefined, loss, grad, { ...threeByFour, ignoreIndex: -100, reduction: Reduction.Mean });
    expect(loss[0]).toBeNaN();
    expect([...grad]).toEqual(new Array(12).fill(0));
  });

  it('rejects an out-of-range target with PyTorch wording', () => {
    const run = (target: number) => () =>
      kernels.crossEntropy(z, new Int32Array([target, 0, 0]), null, new Float32Array(1), new Float32Array(12), { ...threeByFour, ignoreIndex: -100, reduction: Reduction.Mean });
    const err = thrown(run(10));
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ message: 'crossEntropy: Target 10 is out of bounds.', code: 'ERR_KINDLING_VALUE' });
    expect(run(-3)).toThrow('Target -3 is out of bounds.');
  });

  it('rejects a weight of the wrong length', () => {
    expect(() =>
      kernels.crossEntropy(z, t, new Float32Array(3), new Float32Array(1), new Float32Array(12), { ...threeByFour, ignoreIndex: -100, reduction: Reduction.Mean }),
    ).toThrow('crossEntropy: weight has 3 elements, expected 4 (n=3, c=4)');
  });
});

describe('crossEntropyProbs', () => {
  it('matches F.cross_entropy(z, probs, weight=w, label_smoothing=0.1)', () => {
    // p = torch.tensor([[.1, .2, .3, .4], [1., 0, 0, 0], [.25, .25, .25, .25]])
    const p = new Float32Array([0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25]);
    const loss = new Float32Array(1);
    const grad = new Float32Array(12);
    kernels.crossEntropyProbs(z, p, w, loss, grad, { n: 3, c: 4, labelSmoothing: 0.1, reduction: Reduction.Mean });
    expectClose(loss, [3.9405784606933594]);
    expectClose(grad, [0.013670551590621471, 0.004694553092122078, 0.3350929617881775, -0.353458046913147, -0.3062768280506134, -0.011076481081545353, 0.30104708671569824, 0.016306189820170403, 0.07301949709653854, -0.02519277110695839, 0.08634420484304428, -0.13417097926139832]);
  });
});

describe('nllLoss', () => {
  it('matches F.nll_loss(log_softmax(z), t, weight=w)', () => {
    const logp = new Float32Array(12);
    kernels.softmax(z, 3, 4, 1, logp, true);
    const loss = new Float32Array(1);
    const grad = new Float32Array(12);
    kernels.nllLoss(logp, t, w, loss, grad, { n: 3, c: 4, ignoreIndex: -100, reduction: Reduction.Mean });
    expectClose(loss, [2.223721742630005]);
    expectClose(grad, [0, 0, -0.1111111119389534, 0, -0.2222222238779068, 0, 0, 0, 0, 0, 0, -0.6666666865348816]);
  });

  it('all rows ignored with mean gives NaN', () => {
    const loss = new Float32Array(1);
    kernels.nllLoss(new Float32Array(12), new Int32Array([-1, -1, -1]), null, loss, new Float32Array(12), { n: 3, c: 4, ignoreIndex: -1, reduction: Reduction.Mean });
    expect(loss[0]).toBeNaN();
  });
});
