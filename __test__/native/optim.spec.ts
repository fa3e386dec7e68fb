import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/ops/kernels';

/*
 * Expected 20-step trajectories from PyTorch (the same as the Rust tests in
 * crates/kindling-core/src/optim/trajectories.rs). Two parameters (5 and 37 elements) start at
 * sin(0.7·j + i); step t's gradient is cos(1.3·j + 0.5·t + i)·(1 + 0.1·t) + 0.5·param. The
 * constants are the concatenated final parameters printed by:
 *
 * # Generates the expected trajectories of __test__/native/optim.spec.ts (PyTorch 2.x, CPU, float32).
 * import math, numpy as np, torch
 * SIZES = [5, 37]
 * def init(i, n): return torch.tensor([math.sin(j * 0.7 + i) for j in range(n)], dtype=torch.float32)
 * def grad(p, i, t):
 *     n = p.numel()
 *     c = torch.tensor([math.cos(j * 1.3 + t * 0.5 + i) * (1 + 0.1 * t) for j in range(n)], dtype=torch.float32)
 *     return c + p.detach() * 0.5
 * def run(make, steps=20):
 *     ps = [init(i, n).requires_grad_() for i, n in enumerate(SIZES)]
 *     opt = make(ps)
 *     for t in range(steps):
 *         for i, p in enumerate(ps): p.grad = grad(p, i, t)
 *         opt.step()
 *     return torch.cat([p.detach() for p in ps]).tolist()
 * def emit(name, xs): print(f"const {name} = [{', '.join(str(np.float32(x)) for x in xs)}];")
 * A = torch.optim
 * emit("ADAM_DEFAULT", run(lambda ps: A.Adam(ps, lr=0.05)))
 * emit("ADAM_WD_AMSGRAD", run(lambda ps: A.Adam(ps, lr=0.05, weight_decay=0.1, amsgrad=True)))
 * emit("ADAMW_MAXIMIZE", run(lambda ps: A.AdamW(ps, lr=0.05, weight_decay=0.01, maximize=True)))
 * emit("ADAM_SMALL_BETA1", run(lambda ps: A.Adam(ps, lr=0.02, betas=(0.3, 0.99), eps=1e-6)))
 * emit("SGD_NESTEROV", run(lambda ps: A.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)))
 * emit("SGD_DAMPENED_WD", run(lambda ps: A.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)))
 * emit("SGD_PLAIN_MAXIMIZE", run(lambda ps: A.SGD(ps, lr=0.01, maximize=True)))
 */
const ADAM_DEFAULT = [-0.1291169, 0.577377, 0.9250007, 0.5305643, -0.03564461, 0.6373028, 0.9717091, 0.48699334, -0.26710626, -0.57158566, -0.4480015, -0.4177883, -0.26525894, -0.058648128, 0.48875946, 0.8162015, 0.6720381, -0.056431815, -0.7232144, -0.7230497, -0.3603083, -0.0879304, 0.081700124, 0.3890963, 0.6533419, 0.67935073, 0.1296006, -0.57923186, -0.91957796, -0.5253382, 0.02817638, 0.313671, 0.35353643, 0.5286413, 0.50741357, 0.25378165, -0.4056672, -0.8776608, -0.7440622, -0.054390237, 0.49116236, 0.5632036];
const ADAM_WD_AMSGRAD = [-0.121681295, 0.5314818, 0.8635778, 0.47686484, -0.039932426, 0.5848458, 0.90530103, 0.44487926, -0.2576113, -0.53133786, -0.4186198, -0.3893468, -0.24563798, -0.06171035, 0.4522305, 0.74420434, 0.62840986, -0.05824971, -0.6795497, -0.6630838, -0.33652124, -0.07778072, 0.064038776, 0.362388, 0.6032267, 0.633013, 0.12189102, -0.5333042, -0.85841537, -0.47216702, 0.03286638, 0.2888522, 0.32980895, 0.49343, 0.46715608, 0.24329573, -0.37346265, -0.7978475, -0.69075066, -0.04005172, 0.4626255, 0.5087635];
const ADAMW_MAXIMIZE = [0.22040246, 0.7341079, 0.9734247, 1.2326024, 0.8371925, 1.1181915, 0.9277014, 0.85446453, 0.47960153, -0.58958936, -1.6216893, -1.4699935, -0.5472375, 0.8136758, 1.3241193, 1.2077097, 0.57227296, 0.09701936, -0.42154607, -1.2362942, -1.5122216, -0.7425844, 0.6199544, 1.4512337, 1.4228078, 0.5718347, -0.20295437, -0.7160976, -0.9773613, -1.2494007, -0.84454525, 0.320404, 1.5029596, 1.5557971, 0.82324415, -0.39693454, -0.9921238, -1.0989417, -0.92488384, -0.66240466, 0.11997898, 1.216327];
const ADAM_SMALL_BETA1 = [0.009590013, 0.66163975, 0.9081678, 0.6602359, 0.18965848, 0.8145098, 0.95067483, 0.5254764, -0.09838633, -0.52875733, -0.7171888, -0.7220054, -0.39527485, 0.1611554, 0.7607195, 0.9542158, 0.61116725, -0.07216247, -0.6426964, -0.80129504, -0.64559746, -0.3001826, 0.17165864, 0.69051385, 0.9127518, 0.6633112, -0.0054525863, -0.65738934, -0.9037815, -0.66129327, -0.19871928, 0.26074332, 0.631846, 0.840961, 0.6418632, 0.07461653, -0.6149831, -0.9543477, -0.74275357, -0.16647989, 0.37225783, 0.6788468];
const SGD_NESTEROV = [-0.13958012, 0.5432538, 0.26324797, -0.6578306, -0.83891684, 0.35894525, 0.41383612, -0.39456818, -0.7999995, -0.044206377, 0.93493336, 0.7977552, -0.27915817, -0.85020065, -0.25644413, 0.4925832, 0.2635481, -0.5234173, -0.5499964, 0.39117956, 1.0135207, 0.37795594, -0.7184675, -0.8472107, 0.042529654, 0.6142076, 0.11752509, -0.5533959, -0.2482027, 0.67566305, 0.8344467, -0.14047018, -0.99858004, -0.61864847, 0.41259068, 0.674173, -0.04961571, -0.5319974, 0.020791916, 0.7656852, 0.47350654, -0.60542274];
const SGD_DAMPENED_WD = [-0.30313015, 0.19960774, 0.20372282, -0.40603274, -0.6972397, -0.008390774, 0.26052895, -0.16963226, -0.56747955, -0.14727679, 0.6845261, 0.82637835, 0.040354747, -0.6851207, -0.50660855, 0.1418842, 0.26584888, -0.2118544, -0.38712057, 0.2048145, 0.8106672, 0.5090998, -0.42364043, -0.8405624, -0.30105326, 0.3636599, 0.28747064, -0.21241263, -0.19686988, 0.42206088, 0.7002399, 0.062184777, -0.7768571, -0.7555114, 0.057737656, 0.58237904, 0.25666663, -0.23670726, -0.06741905, 0.4754876, 0.4263509, -0.3623159];
const SGD_PLAIN_MAXIMIZE = [-0.02098287, 0.63202375, 1.0671254, 1.0219195, 0.42828777, 0.8536399, 1.052276, 0.7991898, 0.11763937, -0.6905547, -1.1595315, -1.004122, -0.34860995, 0.40671664, 0.90859413, 1.0140301, 0.7212391, 0.10045075, -0.6402692, -1.1299617, -1.0423309, -0.3898268, 0.44007155, 0.9851667, 1.0312306, 0.6510263, 0.031749517, -0.6252887, -1.0675722, -1.027372, -0.43514597, 0.41817537, 1.0361804, 1.0897412, 0.62816656, -0.053130247, -0.6663189, -1.0187725, -0.963367, -0.44036674, 0.36879146, 1.0322835];

const SIZES = [5, 37];

const initialParams = () =>
  SIZES.map((n, i) => Float32Array.from({ length: n }, (_, j) => Math.sin(j * 0.7 + i)));

function gradient(param: Float32Array, i: number, t: number): Float32Array {
  return param.map((p, j) => Math.fround(Math.cos(j * 1.3 + t * 0.5 + i) * (1 + 0.1 * t)) + p * 0.5);
}

function expectCloseToTorch(got: Float32Array[], want: number[]): void {
  const flat = got.flatMap((p) => [...p]);
  expect(flat.length).toBe(want.length);
  const worst = Math.max(...flat.map((g, k) => Math.abs(g - want[k]) / Math.max(Math.abs(want[k]), 0.1)));
  expect(worst).toBeLessThan(2e-6);
}

interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  decoupled?: boolean;
}

function runAdam(c: AdamConfig): Float32Array[] {
  const params = initialParams();
  const zeros = () => SIZES.map((n) => new Float32Array(n));
  const [m, v] = [zeros(), zeros()];
  const vmax = c.amsgrad ? zeros() : [];
  const steps = new Float64Array(SIZES.length);
  for (let t = 0; t < 20; t++) {
    const grads = params.map((p, i) => gradient(p, i, t));
    steps.fill(t + 1);
    kernels.adamStep(params, grads, m, v, vmax, steps, {
      lr: c.lr,
      beta1: c.beta1 ?? 0.9,
      beta2: c.beta2 ?? 0.999,
      eps: c.eps ?? 1e-8,
      weightDecay: c.weightDecay ?? 0,
      amsgrad: c.amsgrad ?? false,
      maximize: c.maximize ?? false,
      decoupledWeightDecay: c.decoupled ?? false,
    });
  }
  return params;
}

interface SgdConfig {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  maximize?: boolean;
}

function runSgd(c: SgdConfig): Float32Array[] {
  const params = initialParams();
  const momentum = c.momentum ?? 0;
  const buffers = momentum === 0 ? [] : SIZES.map((n) => new Float32Array(n));
  const initialized = new Uint8Array(momentum === 0 ? 0 : SIZES.length);
  for (let t = 0; t < 20; t++) {
    const grads = params.map((p, i) => gradient(p, i, t));
    kernels.sgdStep(params, grads, buffers, initialized, {
      lr: c.lr,
      momentum,
      dampening: c.dampening ?? 0,
      nesterov: c.nesterov ?? false,
      weightDecay: c.weightDecay ?? 0,
      maximize: c.maximize ?? false,
    });
  }
  return params;
}

const adamDefaults = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false };
const sgdDefaults = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };

/** The caught error, for asserting class, message and code together. */
function thrown(f: () => unknown): RangeError & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as RangeError & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('adamStep', () => {
  it('follows torch.optim.Adam for 20 steps', () => {
    expectCloseToTorch(runAdam({ lr: 0.05 }), ADAM_DEFAULT);
    expectCloseToTorch(runAdam({ lr: 0.02, beta1: 0.3, beta2: 0.99, eps: 1e-6 }), ADAM_SMALL_BETA1);
  });

  it('follows torch.optim.Adam with coupled weight decay and amsgrad', () => {
    expectCloseToTorch(runAdam({ lr: 0.05, weightDecay: 0.1, amsgrad: true }), ADAM_WD_AMSGRAD);
  });

  it('follows torch.optim.AdamW (decoupled weight decay) with maximize', () => {
    const got = runAdam({ lr: 0.05, weightDecay: 0.01, maximize: true, decoupled: true });
    expectCloseToTorch(got, ADAMW_MAXIMIZE);
  });

  it('rejects mismatched lists, lengths and NaN hyper-parameters', () => {
    const p = [new Float32Array(3)];
    const ok = () => [new Float32Array(3)];
    const steps = new Float64Array([1]);
    let e = thrown(() => kernels.adamStep(p, ok(), ok(), [], [], steps, adamDefaults));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('adam_step: exp_avg_sqs has 0 buffers, expected 1 (one per parameter)');
    expect(e.code).toBe('ERR_KINDLING_LENGTH');
    e = thrown(() => kernels.adamStep(p, [new Float32Array(2)], ok(), ok(), [], steps, adamDefaults));
    expect(e.message).toBe('adam_step: grads[0] has 2 elements, expected 3 (the length of params[0])');
    e = thrown(() => kernels.adamStep(p, ok(), ok(), ok(), [], steps, { ...adamDefaults, beta1: NaN }));
    expect(e.message).toBe('adam_step: beta1 must be finite, got NaN');
    expect(e.code).toBe('ERR_KINDLING_VALUE');
    expect(p[0]).toEqual(new Float32Array(3));
    const wrong = [new Float64Array(3) as unknown as Float32Array];
    e = thrown(() => kernels.adamStep(wrong, ok(), ok(), ok(), [], steps, adamDefaults));
    expect(e.code).toBe('InvalidArg');
  });
});

describe('sgdStep', () => {
  it('follows torch.optim.SGD with Nesterov momentum', () => {
    expectCloseToTorch(runSgd({ lr: 0.05, momentum: 0.9, nesterov: true }), SGD_NESTEROV);
  });

  it('follows torch.optim.SGD with dampening and weight decay', () => {
    const got = runSgd({ lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 });
    expectCloseToTorch(got, SGD_DAMPENED_WD);
  });

  it('follows torch.optim.SGD without momentum, maximizing', () => {
    expectCloseToTorch(runSgd({ lr: 0.01, maximize: true }), SGD_PLAIN_MAXIMIZE);
  });

  it('copies the gradient into a fresh momentum buffer and marks it initialised', () => {
    const p = [new Float32Array([1, 2])];
    const buf = [new Float32Array([9, 9])];
    const flags = new Uint8Array([0]);
    kernels.sgdStep(p, [new Float32Array([1, -2])], buf, flags, { ...sgdDefaults, lr: 0.5, momentum: 0.9, dampening: 0.5 });
    expect(buf[0]).toEqual(new Float32Array([1, -2]));
    expect(flags).toEqual(new Uint8Array([1]));
    expect(p[0]).toEqual(new Float32Array([0.5, 3]));
  });

  it('rejects missing momentum buffers', () => {
    const e = thrown(() =>
      kernels.sgdStep([new Float32Array(2)], [new Float32Array(2)], [], new Uint8Array(1), { ...sgdDefaults, lr: 0.1, momentum: 0.9 }),
    );
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('sgd_step: momentum_buffers has 0 buffers, expected 1 (one per parameter)');
  });
});

describe('adadeltaStep, rmspropStep, adagradStep at the binding', () => {
  const adadelta = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false };
  const rmsprop = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
  const adagrad = { lr: 0.01, lrDecay: 0, weightDecay: 0, eps: 1e-10, maximize: false };

  it('update in place with the packed options (one step by hand)', () => {
    // Adadelta's first step from zero state: square_avg = 0.1·g², delta = sqrt(eps)/sqrt(0.1·g² + eps)·g.
    const p = [new Float32Array([1])];
    const sq = [new Float32Array(1)];
    const acc = [new Float32Array(1)];
    kernels.adadeltaStep(p, [new Float32Array([2])], sq, acc, adadelta);
    const delta = Math.fround(Math.fround(Math.sqrt(Math.fround(1e-6))) / Math.fround(Math.sqrt(Math.fround(0.4 + 1e-6)))) * 2;
    expect(sq[0][0]).toBe(Math.fround(0.4));
    expect(p[0][0]).toBeCloseTo(1 - delta, 7);
    // Adagrad with lrDecay at step 3: clr = lr / (1 + 2·lrDecay); sum = 1 + g².
    const q = [new Float32Array([0])];
    const sum = [new Float32Array([1])];
    kernels.adagradStep(q, [new Float32Array([1])], sum, new Float64Array([3]), { ...adagrad, lr: 0.3, lrDecay: 0.5 });
    expect(sum[0][0]).toBe(2);
    expect(q[0][0]).toBeCloseTo(-(0.3 / 2) / Math.SQRT2, 7);
    // RMSprop, momentum: buf = g / (sqrt(0.01·g²) + eps), param −= lr·buf.
    const r = [new Float32Array([0])];
    const buf = [new Float32Array(1)];
    kernels.rmspropStep(r, [new Float32Array([3])], [new Float32Array(1)], [], buf, { ...rmsprop, momentum: 0.9 });
    expect(buf[0][0]).toBeCloseTo(10, 5);
    expect(r[0][0]).toBeCloseTo(-0.1, 6);
  });

  it('turn mismatched lists, unused buffers, bad steps and NaN options into typed errors', () => {
    const p = () => [new Float32Array(3)];
    let e = thrown(() => kernels.adadeltaStep(p(), p(), p(), [], adadelta));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('adadelta_step: acc_deltas has 0 buffers, expected 1 (one per parameter)');
    e = thrown(() => kernels.adadeltaStep(p(), p(), p(), p(), { ...adadelta, eps: NaN }));
    expect(e.message).toBe('adadelta_step: eps must be finite, got NaN');
    e = thrown(() => kernels.rmspropStep(p(), p(), p(), p(), [], rmsprop));
    expect(e.message).toBe('rmsprop_step: grad_avgs has 1 buffers, expected 0 (centered is off)');
    e = thrown(() => kernels.rmspropStep(p(), p(), p(), [], [], { ...rmsprop, centered: true }));
    expect(e.message).toBe('rmsprop_step: grad_avgs has 0 buffers, expected 1 (one per parameter)');
    e = thrown(() => kernels.adagradStep(p(), p(), [new Float32Array(2)], new Float64Array([1]), adagrad));
    expect(e.message).toBe('adagrad_step: state_sums[0] has 2 elements, expected 3 (the length of params[0])');
    e = thrown(() => kernels.adagradStep(p(), p(), p(), new Float64Array([0.5]), adagrad));
    expect(e.message).toBe('adagrad_step: steps[0] must be a count >= 1, got 0.5');
    expect(e.code).toBe('ERR_KINDLING_VALUE');
  });
});
