import { describe, expect, it } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

/*
 * Expected values from PyTorch 2.15:
 *   x = torch.tensor([[1., 2., 3.], [1., 0., -1.], [0.5, 0.5, -2.]], requires_grad=True)
 *   t = torch.tensor([2, 0, 1]); w = torch.tensor([1., 2., 0.5])
 *   l = Loss(...)(x, t); (l.sum() if l.dim() else l).backward(); print(l.tolist(), x.grad.flatten().tolist())
 */
function logits(): Tensor {
  return new Tensor(Float32Array.from([1, 2, 3, 1, 0, -1, 0.5, 0.5, -2]), [3, 3]).requiresGrad_();
}
const targets = (): Tensor => new Tensor(Int32Array.from([2, 0, 1]), [3], 'int32');
const weight = (): Tensor => new Tensor(Float32Array.from([1, 2, 0.5]), [3]);

function check(loss: Tensor, x: Tensor, expectedLoss: number[], expectedGrad: number[]): void {
  expect(Array.from(loss.data)).toHaveLength(expectedLoss.length);
  loss.data.forEach((v, i) => expect(v).toBeCloseTo(expectedLoss[i], 5));
  (loss.shape.length === 0 ? loss : loss.sum()).backward();
  const grad = Array.from(x.grad?.data ?? []);
  expect(grad).toHaveLength(expectedGrad.length);
  grad.forEach((v, i) => expect(v).toBeCloseTo(expectedGrad[i], 5));
}

describe('CrossEntropyLoss', () => {
  it('defaults: class-index targets, mean reduction', () => {
    const x = logits();
    const loss = new nn.CrossEntropyLoss().forward(x, targets());
    expect(loss.shape).toEqual([]);
    check(loss, x, [0.5161938667297363], [
      0.030010193586349487, 0.08157616853713989, -0.11158633232116699, -0.11158633232116699, 0.08157616853713989,
      0.030010193586349487, 0.1600959300994873, -0.1732374131679535, 0.01314147375524044,
    ]);
  });

  it('weight, ignoreIndex and labelSmoothing', () => {
    const x = logits();
    const criterion = new nn.CrossEntropyLoss({ weight: weight(), ignoreIndex: 1, labelSmoothing: 0.1 });
    check(criterion.forward(x, targets()), x, [0.5858062505722046], [
      0.01178932748734951, 0.04800853505730629, -0.05979783833026886, -0.17133662104606628, 0.12142708152532578,
      0.04990961402654648, 0, 0, 0,
    ]);
    // The weight is a buffer, as in PyTorch's _WeightedLoss.
    expect(Object.keys(criterion.stateDict())).toEqual(['weight']);
  });

  it("reduction 'none' and 'sum'", () => {
    const grad = [
      0.09003058075904846, 0.24472849071025848, -0.334758996963501, -0.334758996963501, 0.24472849071025848,
      0.09003058075904846, 0.4802877902984619, -0.5197122097015381, 0.03942441940307617,
    ];
    const x = logits();
    const none = new nn.CrossEntropyLoss({ reduction: 'none' }).forward(x, targets());
    expect(none.shape).toEqual([3]);
    check(none, x, [0.40760594606399536, 0.40760594606399536, 0.733369767665863], grad);
    const y = logits();
    check(new nn.CrossEntropyLoss({ reduction: 'sum' }).forward(y, targets()), y, [1.548581600189209], grad);
  });

  it('class-probability targets', () => {
    const x = logits();
    const probs = new Tensor(Float32Array.from([0.1, 0.2, 0.7, 1, 0, 0, 0.3, 0.3, 0.4]), [3, 3]);
    check(new nn.CrossEntropyLoss().forward(x, probs), x, [0.9828605651855469], [
      -0.0033231405541300774, 0.01490949559956789, -0.011586327105760574, -0.11158633232116699, 0.08157616853713989,
      0.030010193586349487, 0.06009593978524208, 0.06009593978524208, -0.12019186466932297,
    ]);
  });

  it("rejects an unknown reduction with PyTorch's message", () => {
    expect(() => new nn.CrossEntropyLoss({ reduction: 'avg' as nn.Reduction })).toThrow(
      new RangeError('avg is not a valid value for reduction'),
    );
  });
});

describe('NLLLoss', () => {
  it('weighted mean of −logp[target] (after logSoftmax)', () => {
    const x = logits();
    const logp = new nn.LogSoftmax(1).forward(x);
    check(new nn.NLLLoss({ weight: weight() }).forward(logp, targets()), x, [0.5937567353248596], [
      0.012861511670053005, 0.034961216151714325, -0.04782271757721901, -0.09564543515443802, 0.06992243230342865,
      0.02572302334010601, 0.2744501829147339, -0.2969784140586853, 0.022528240457177162,
    ]);
  });
});

describe('MSELoss', () => {
  const y = (): Tensor => new Tensor(Float32Array.from([0, 1, 2, 3, -1, 0, 1, 1, 1]), [3, 3]);
  it('mean and sum', () => {
    const x = logits();
    check(new nn.MSELoss().forward(x, y()), x, [2.055555582046509], [
      0.2222222238779068, 0.2222222238779068, 0.2222222238779068, -0.4444444477558136, 0.2222222238779068,
      -0.2222222238779068, -0.1111111119389534, -0.1111111119389534, -0.6666666865348816,
    ]);
    const z = logits();
    check(new nn.MSELoss({ reduction: 'sum' }).forward(z, y()), z, [18.5], [2, 2, 2, -4, 2, -2, -1, -1, -6]);
  });
});
