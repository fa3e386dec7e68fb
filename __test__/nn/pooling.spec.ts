import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { nn } from '../../src';

const F = nn.functional;

describe('pooling modules', () => {
  it("print as PyTorch's repr", () => {
    // Each string is PyTorch 2.x's repr of the same constructor call.
    expect(String(new nn.MaxPool2d(2))).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(String(new nn.MaxPool2d([2, 3], { padding: 1, returnIndices: true }))).toBe(
      'MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=1, dilation=1, ceil_mode=False)',
    );
    expect(String(new nn.MaxPool2d(2, { stride: null, padding: 1, dilation: [1, 2] }))).toBe(
      'MaxPool2d(kernel_size=2, stride=2, padding=1, dilation=(1, 2), ceil_mode=False)',
    );
    expect(String(new nn.MaxPool1d(3, { stride: 1, padding: 1, ceilMode: true }))).toBe(
      'MaxPool1d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=True)',
    );
    expect(String(new nn.MaxPool1d([3]))).toBe('MaxPool1d(kernel_size=(3,), stride=(3,), padding=0, dilation=1, ceil_mode=False)');
    expect(String(new nn.AvgPool1d(3, { ceilMode: true, countIncludePad: false }))).toBe('AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))');
    expect(String(new nn.AvgPool2d(2))).toBe('AvgPool2d(kernel_size=2, stride=2, padding=0)');
    expect(String(new nn.AvgPool2d([2, 3], { padding: [1, 0] }))).toBe('AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=(1, 0))');
    expect(String(new nn.AvgPool2d(2, { stride: 1, ceilMode: true }))).toBe('AvgPool2d(kernel_size=2, stride=1, padding=0)');
    expect(String(new nn.AdaptiveAvgPool2d([2, 3]))).toBe('AdaptiveAvgPool2d(output_size=(2, 3))');
    expect(String(new nn.AdaptiveAvgPool1d(2))).toBe('AdaptiveAvgPool1d(output_size=2)');
    expect(String(new nn.AdaptiveMaxPool2d(2))).toBe('AdaptiveMaxPool2d(output_size=2)');
    expect(String(new nn.AdaptiveMaxPool2d([null, 3]))).toBe('AdaptiveMaxPool2d(output_size=(None, 3))');
    expect(String(new nn.Sequential(new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d([2, 1])))).toBe(
      'Sequential(\n  (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  (1): AdaptiveAvgPool2d(output_size=(2, 1))\n)',
    );
  });

  it("keep PyTorch's defaults and hold no parameters or state", () => {
    const m = new nn.MaxPool2d(3);
    expect([m.stride, m.padding, m.dilation, m.returnIndices, m.ceilMode]).toEqual([3, 0, 1, false, false]);
    const a = new nn.AvgPool2d(2);
    expect([a.stride, a.padding, a.ceilMode, a.countIncludePad, a.divisorOverride]).toEqual([2, 0, false, true, null]);
    const seq = new nn.Sequential(new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d([2, 1]));
    expect(Object.keys(seq.stateDict())).toEqual([]);
    expect([...seq.parameters()]).toEqual([]);
  });

  it('forward is the functional op (PyTorch: Sequential(MaxPool2d(2), AdaptiveAvgPool2d((2, 1))) on arange(32))', () => {
    const x = torch.arange(32).reshape([2, 1, 4, 4]);
    const seq = new nn.Sequential(new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d([2, 1]));
    expect(Array.from(seq.forward(x).data as Float32Array)).toEqual([6, 14, 22, 30]);
    const y = torch.randn([2, 3, 9]);
    expect(new nn.AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(y).tolist()).toEqual(
      F.avgPool1d(y, 3, { stride: 2, padding: 1, countIncludePad: false }).tolist(),
    );
    expect(new nn.AdaptiveAvgPool1d(4).forward(y).tolist()).toEqual(F.adaptiveAvgPool1d(y, 4).tolist());
    expect(new nn.MaxPool1d(2, { dilation: 2 }).forward(y).tolist()).toEqual(F.maxPool1d(y, 2, { dilation: 2 }).tolist());
    const z = torch.randn([3, 5, 5]);
    expect(new nn.AvgPool2d(2, { divisorOverride: 3 }).forward(z).tolist()).toEqual(F.avgPool2d(z, 2, { divisorOverride: 3 }).tolist());
  });

  it('returnIndices gives [values, indices] as PyTorch', () => {
    const x = torch.tensor([[[1, 5, 2, 0], [3, 4, 9, 8]]]);
    const [values, indices] = new nn.MaxPool2d(2, { returnIndices: true }).forward(x);
    expect(values.tolist()).toEqual([[[5, 9]]]);
    expect(indices.dtype).toBe('int64');
    expect(indices.tolist()).toEqual([[[1, 6]]]);
    const [v2, i2] = new nn.AdaptiveMaxPool2d([1, 1], { returnIndices: true }).forward(x);
    expect([v2.tolist(), i2.tolist()]).toEqual([[[[9]]], [[[6]]]]);
    expect(new nn.AdaptiveMaxPool2d(1).forward(x).tolist()).toEqual([[[9]]]);
  });

  it('check their options when constructed', () => {
    expect(() => new nn.MaxPool2d(2, { stide: 1 } as never)).toThrow(new TypeError("MaxPool2d got an unexpected option 'stide' (did you mean 'stride'?)"));
    expect(() => new nn.MaxPool2d(2, 1 as never)).toThrow(
      new TypeError('MaxPool2d: the second argument is an options object; use new nn.MaxPool2d(2, { stride: 1 })'),
    );
    expect(() => new nn.AvgPool1d(2, { padding: [1, 1] } as never)).toThrow(
      new TypeError("AvgPool1d: option 'padding' must be an integer or a tuple of one integer, got array"),
    );
    expect(() => new nn.AvgPool2d(2, { divisorOverride: 1.5 })).toThrow(new TypeError("AvgPool2d: option 'divisorOverride' must be an integer or null, got number 1.5"));
    expect(() => new nn.AdaptiveMaxPool2d(2, true as never)).toThrow(
      new TypeError('AdaptiveMaxPool2d: the second argument is an options object; use new nn.AdaptiveMaxPool2d(2, { returnIndices: true })'),
    );
  });
});
