import { describe, expect, it } from 'vitest';
import { SGD } from '../../src/optim';
import { runToy, toyParams } from './trajectory';

function expectTrajectory(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
}

describe('SGD', () => {
  it('matches torch.optim.SGD(lr=0.1) and keeps no state without momentum', () => {
    const [p, q] = toyParams();
    const optimizer = new SGD([p, q], { lr: 0.1 });
    expectTrajectory(runToy(optimizer, p, q), [
      0.7289999723434448, -1.4579999446868896, 2.187000036239624, 0.3644999861717224, 0.09151649475097656,
      0.1679559201002121, -0.3977600038051605, 0.28509363532066345,
    ]);
    expect(optimizer.state.size).toBe(0);
  });

  it('matches SGD(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)', () => {
    const [p, q] = toyParams();
    const optimizer = new SGD([p, q], { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 });
    expectTrajectory(runToy(optimizer, p, q), [
      0.5049957036972046, -1.0099914073944092, 1.5149871110916138, 0.2524978518486023, 0.08427419513463974,
      0.14083191752433777, -0.4650460481643677, 0.18424780666828156,
    ]);
    expect(Object.keys(optimizer.stateDict().state[0])).toEqual(['momentum_buffer']);
  });

  it('matches SGD(lr=0.1, momentum=0.9, nesterov=True, maximize=True)', () => {
    const [p, q] = toyParams();
    const optimizer = new SGD([p, q], { lr: 0.1, momentum: 0.9, nesterov: true, maximize: true });
    expectTrajectory(runToy(optimizer, p, q), [
      1.9508391618728638, -3.9016783237457275, 5.852517127990723, 0.9754195809364319, 0.12687286734580994,
      0.32039907574653625, -0.13594213128089905, 1.0152798891067505,
    ]);
  });

  it("validates options with PyTorch's messages", () => {
    const [p] = toyParams();
    expect(() => new SGD([p], { lr: -1 })).toThrow(new RangeError('Invalid learning rate: -1'));
    expect(() => new SGD([p], { momentum: -1 })).toThrow(new RangeError('Invalid momentum value: -1'));
    expect(() => new SGD([p], { weightDecay: -1 })).toThrow(new RangeError('Invalid weight_decay value: -1'));
    expect(() => new SGD([p], { nesterov: true })).toThrow(
      new RangeError('Nesterov momentum requires a momentum and zero dampening'),
    );
    expect(() => new SGD([p], { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(
      new RangeError('Nesterov momentum requires a momentum and zero dampening'),
    );
  });
});
