import { describe, expect, it, vi } from 'vitest';
import * as nn from '../../src/nn';
import { Tensor } from '../../src/tensor';

const x = (): Tensor => new Tensor(Float32Array.from([1, 2, 3, 1, 0, -1, 0.5, 0.5, -2]), [3, 3]);

function expectValues(t: Tensor, expected: number[]): void {
  expect(t.data).toHaveLength(expected.length);
  t.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
}

describe('activations', () => {
  it('ReLU, Sigmoid, Tanh act elementwise', () => {
    expectValues(new nn.ReLU().forward(x()), [1, 2, 3, 1, 0, 0, 0.5, 0.5, 0]);
    expectValues(new nn.Sigmoid().forward(x()), [1, 2, 3, 1, 0, -1, 0.5, 0.5, -2].map((v) => 1 / (1 + Math.exp(-v))));
    expectValues(new nn.Tanh().forward(x()), [1, 2, 3, 1, 0, -1, 0.5, 0.5, -2].map(Math.tanh));
  });

  it('Softmax and LogSoftmax along dim (values from torch.softmax(x, 1), torch.log_softmax(x, 0))', () => {
    expectValues(new nn.Softmax(1).forward(x()), [
      0.09003057330846786, 0.2447284758090973, 0.6652409434318542, 0.6652409434318542, 0.2447284758090973,
      0.09003057330846786, 0.4802878201007843, 0.4802878201007843, 0.03942442312836647,
    ]);
    expectValues(new nn.LogSoftmax(0).forward(x()), [
      -0.9580200910568237, -0.30635571479797363, -0.024744924157857895, -0.9580200910568237, -2.3063557147979736,
      -4.024744987487793, -1.4580200910568237, -1.8063557147979736, -5.024744987487793,
    ]);
  });

  it("picks PyTorch's implicit dim (1 for 2-d) with a deprecation warning when dim is omitted", () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const implicit = new nn.Softmax().forward(x());
    expectValues(implicit, Array.from(new nn.Softmax(1).forward(x()).data));
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.',
    ]);
    warn.mockRestore();
  });
  it('Flatten keeps the batch dim by default and shares storage', () => {
    const t = new Tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]);
    const flat = new nn.Flatten().forward(t);
    expect(flat.shape).toEqual([2, 12]);
    expect(flat.data).toBe(t.data);
    expect(new nn.Flatten(0, 1).forward(t).shape).toEqual([6, 4]);
    expect(nn.functional.flatten(t).shape).toEqual([24]);
  });

  it('Identity returns its input', () => {
    const t = x();
    expect(new nn.Identity().forward(t)).toBe(t);
  });
});
