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

describe('LeakyReLU, ELU, SiLU, GELU, Hardtanh, Softplus modules', () => {
  const t = (): Tensor => new Tensor(Float32Array.from([-2, -0.5, 0, 0.5, 3]), [5]);

  it('forward the functional op with their settings (values from torch.nn)', () => {
    // torch.nn.LeakyReLU(0.2)(x), ELU(alpha=0.5), SiLU(), GELU(), GELU('tanh'), Hardtanh(-1, 1), Softplus(beta=2, threshold=1)
    expectValues(new nn.LeakyReLU(0.2).forward(t()), [-0.4000000059604645, -0.10000000149011612, 0, 0.5, 3]);
    expectValues(new nn.LeakyReLU().forward(t()), [-0.019999999552965164, -0.004999999888241291, 0, 0.5, 3]);
    expectValues(new nn.ELU({ alpha: 0.5 }).forward(t()), [-0.4323323667049408, -0.19673466682434082, 0, 0.5, 3]);
    expectValues(new nn.SiLU().forward(t()), [-0.23840583860874176, -0.1887703388929367, 0, 0.3112296760082245, 2.857722520828247]);
    expectValues(new nn.GELU().forward(t()), [-0.04550027847290039, -0.1542687714099884, 0, 0.3457312285900116, 2.9959497451782227]);
    expectValues(new nn.GELU({ approximate: 'tanh' }).forward(t()), [-0.04540228843688965, -0.1542859971523285, 0, 0.3457140028476715, 2.9963626861572266]);
    expectValues(new nn.Hardtanh().forward(t()), [-1, -0.5, 0, 0.5, 1]);
    expectValues(new nn.Softplus({ beta: 2, threshold: 1 }).forward(t()), [0.009074964560568333, 0.15663084387779236, 0.3465735912322998, 0.65663081407547, 3]);
  });

  it("print like PyTorch's repr", () => {
    expect(new nn.LeakyReLU().toString()).toBe('LeakyReLU(negative_slope=0.01)');
    expect(new nn.LeakyReLU(1e-5).toString()).toBe('LeakyReLU(negative_slope=1e-05)');
    expect(new nn.ELU().toString()).toBe('ELU(alpha=1.0)');
    expect(new nn.ELU({ alpha: 0.5 }).toString()).toBe('ELU(alpha=0.5)');
    expect(new nn.SiLU().toString()).toBe('SiLU()');
    expect(new nn.GELU().toString()).toBe("GELU(approximate='none')");
    expect(new nn.GELU({ approximate: 'tanh' }).toString()).toBe("GELU(approximate='tanh')");
    expect(new nn.Hardtanh().toString()).toBe('Hardtanh(min_val=-1.0, max_val=1.0)');
    expect(new nn.Hardtanh(-2, 2).toString()).toBe('Hardtanh(min_val=-2.0, max_val=2.0)');
    expect(new nn.Softplus().toString()).toBe('Softplus(beta=1.0, threshold=20.0)');
    expect(new nn.Softplus({ beta: 2, threshold: 10 }).toString()).toBe('Softplus(beta=2.0, threshold=10.0)');
    expect(new nn.Sequential(new nn.Linear(2, 2), new nn.GELU(), new nn.SiLU()).toString()).toBe(
      "Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n  (1): GELU(approximate='none')\n  (2): SiLU()\n)",
    );
  });

  it('have no parameters or buffers', () => {
    for (const m of [new nn.LeakyReLU(), new nn.ELU(), new nn.SiLU(), new nn.GELU(), new nn.Hardtanh(), new nn.Softplus()]) {
      expect(Object.keys(m.stateDict())).toEqual([]);
    }
  });

  it('refuse inplace, unknown options, swapped argument styles and bad values', () => {
    expect(() => new nn.LeakyReLU(0.1, { inplace: true })).toThrow(TypeError);
    expect(() => new nn.LeakyReLU(0.1, { inplace: true })).toThrow(/no in-place LeakyReLU module; drop the option/);
    expect(() => new nn.LeakyReLU(0.1, { inplace: false })).not.toThrow();
    expect(() => new nn.ELU({ inplace: true })).toThrow(/no in-place ELU module/);
    expect(() => new nn.SiLU({ inplace: true })).toThrow(/no in-place SiLU module/);
    expect(() => new nn.Hardtanh(-1, 1, { inplace: true })).toThrow(/no in-place Hardtanh module/);
    expect(() => new nn.LeakyReLU({ negativeSlope: 0.2 } as never)).toThrow(
      new TypeError('LeakyReLU: the first argument is negativeSlope; use new nn.LeakyReLU(0.2)'),
    );
    expect(() => new nn.LeakyReLU('0.2' as never)).toThrow(new TypeError("LeakyReLU: negativeSlope must be a number, got string '0.2'"));
    expect(() => new nn.LeakyReLU(0.2, true as never)).toThrow(
      new TypeError('LeakyReLU: the second argument is an options object; use new nn.LeakyReLU(0.2, { inplace: true })'),
    );
    expect(() => new nn.ELU(0.5 as never)).toThrow(new TypeError('ELU: the first argument is an options object; use new nn.ELU({ alpha: 0.5 })'));
    expect(() => new nn.GELU('tanh' as never)).toThrow(
      new TypeError("GELU: the first argument is an options object; use new nn.GELU({ approximate: 'tanh' })"),
    );
    expect(() => new nn.GELU({ approximate: 'erf' as never })).toThrow(
      new RangeError("GELU: approximate argument must be either none or tanh, got string 'erf'"),
    );
    expect(() => new nn.Softplus(2 as never)).toThrow(new TypeError('Softplus: the first argument is an options object; use new nn.Softplus({ beta: 2 })'));
    expect(() => new nn.Softplus({ betta: 2 } as never)).toThrow(TypeError);
    expect(() => new nn.ELU({ alpha: '1' as never })).toThrow(TypeError);
    // torch.nn.Hardtanh(1, 1): AssertionError: max_val (1) must be greater than min_val (1)
    expect(() => new nn.Hardtanh(1, 1)).toThrow(new RangeError('Hardtanh: max_val (1.0) must be greater than min_val (1.0)'));
    expect(() => new nn.Hardtanh(2, -2)).toThrow(new RangeError('Hardtanh: max_val (-2.0) must be greater than min_val (2.0)'));
    expect(() => new nn.Hardtanh(0, '1' as never)).toThrow(new TypeError("Hardtanh: maxVal must be a number, got string '1'"));
  });

  it('backpropagate through the module (GeluBackward0 from GELU)', () => {
    const x = new Tensor(Float32Array.from([-1, 1]), [2]).requiresGrad_();
    const y = new nn.GELU().forward(x);
    expect(y.gradFn?.name).toBe('GeluBackward0');
    y.sum().backward();
    // torch.autograd.grad(F.gelu(x).sum(), x)
    expectValues(x.grad!, [-0.08331543207168579, 1.083315372467041]);
  });
});
