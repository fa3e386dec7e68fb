import { describe, expect, it } from 'vitest';
import { native } from '../../src/native';

function expectClose(actual: Float32Array, expected: number[], tol = 1e-6) {
  expected.forEach((e, i) => expect(Math.abs(actual[i] - e), `element ${i}`).toBeLessThanOrEqual(tol));
}

// x = torch.tensor([[1., 2., 3.], [1., 5., 0.]]); g = torch.tensor([[1., 0., -1.], [0.5, 0.5, 2.]])
const x = new Float32Array([1, 2, 3, 1, 5, 0]);
const g = new Float32Array([1, 0, -1, 0.5, 0.5, 2]);

describe('softmax', () => {
  it('matches torch.softmax(x, 1) and torch.log_softmax(x, 0)', () => {
    const y = new Float32Array(6);
    native.softmax(x, 2, 3, 1, y, false);
    expectClose(y, [0.09003057330846786, 0.2447284758090973, 0.6652409434318542, 0.017867980524897575, 0.9755586981773376, 0.006573262624442577]);
    native.softmax(x, 1, 2, 3, y, true);
    expectClose(y, [-0.6931471824645996, -3.0485873222351074, -0.04858732968568802, -0.6931471824645996, -0.04858732968568802, -3.0485873222351074]);
  });

  it('is stable for large logits', () => {
    const y = new Float32Array(2);
    native.softmax(new Float32Array([1000, 1000]), 1, 2, 1, y, false);
    expect([...y]).toEqual([0.5, 0.5]);
  });

  it('backward matches autograd', () => {
    const y = new Float32Array(6);
    const gi = new Float32Array(6);
    native.softmax(x, 2, 3, 1, y, false);
    native.softmaxBackward(g, y, 2, 3, 1, gi, false);
    expectClose(gi, [0.1418170928955078, 0.14077036082744598, -0.2825874388217926, -0.0001761757885105908, -0.009618871845304966, 0.009795082733035088]);
    native.softmax(x, 1, 2, 3, y, true);
    native.softmaxBackward(g, y, 1, 2, 3, gi, true);
    expectClose(gi, [0.25, -0.02371293678879738, -1.9525741338729858, -0.25, 0.02371293306350708, 1.9525741338729858]);
  });

  it('rejects a mismatched output', () => {
    expect(() => native.softmax(x, 2, 3, 1, new Float32Array(5), false)).toThrow(
      'softmax: out has 5 elements, expected 6 (outer=2, dim=3, inner=1)',
    );
  });
});
