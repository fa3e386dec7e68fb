import { describe, expect, it } from 'vitest';
import * as torch from '../../../src';

// Found by the property suite: a 0-d tensor divided by a tensor went through the reversed scalar
// kernel (`reciprocal(x)·s`, PyTorch's `s / tensor` for a Python number), so 0 / -1.4e-45 gave
// NaN (0·-inf) where PyTorch's tensor / tensor gives -0.
//   torch.tensor(0.) / torch.tensor([0., -1.4013e-45, 0.])  ->  tensor([nan, -0., nan])
describe('0-d tensor / tensor', () => {
  it('is plain division, as PyTorch', () => {
    const out = torch.tensor(0).float().div(torch.tensor([0, -1.4013e-45, 0]));
    const v = Array.from(out.data as Float32Array);
    expect(Number.isNaN(v[0])).toBe(true);
    expect(Object.is(v[1], -0)).toBe(true);
    expect(Number.isNaN(v[2])).toBe(true);
  });

});
