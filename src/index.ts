/**
 * kindling: PyTorch for Node.js. `import * as torch from 'kindling'`.
 *
 * @example
 * import * as torch from 'kindling';
 * torch.manualSeed(0);
 * const x = torch.randn(3, 4, { requiresGrad: true });
 * x.relu().sum().backward();
 */
// Tensor and dtypes
export { Tensor } from './tensor';
export type { SizeArgs, NestedList, TensorOrScalar, ValuesIndices } from './tensor';
export { float32, float, int32, int, int64, long, uint8, bool } from './dtype';
export type { DType, TypedArray } from './dtype';

// Creation
export {
  tensor,
  zeros,
  ones,
  empty,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  eye,
  linspace,
  rand,
  randn,
  randLike,
  randnLike,
  randint,
  randperm,
} from './creation';
export type { TensorOptions, RandomOptions, NestedArray } from './creation';

// Maths and shape functions (torch.add, torch.matmul, …)
export * from './functional';

// Autograd
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad_mode';
export { Node } from './autograd/node';
export { RemovableHandle } from './autograd/hooks';
export type { BackwardOptions } from './autograd/engine';

// Randomness
export { Generator, manualSeed, initialSeed, seed, getRngState, setRngState, defaultGenerator } from './random/generator';
export type { GeneratorState, GeneratorOptions } from './random/generator';

// Errors
export { ShapeError, AutogradError } from './errors';

// Threads (a bad KINDLING_NUM_THREADS throws here, at import: see NOTE [ The thread cap ])
import { checkThreadsEnvironment } from './threads';
checkThreadsEnvironment();
export { setNumThreads, getNumThreads, MAX_THREADS } from './threads';

// SIMD path (torch.backends.cpu.getCpuCapability, and kindling's simdPath)
export { simdPath, type SimdPath } from './backends';
export * as backends from './backends';

// Submodules (nn, optim) are added below by their branches.
export * as nn from './nn';
export * as optim from './optim';
export * as linalg from './linalg';
// torch.distributed (its MPI binding is the optional kindling-mpi package, loaded on first use)
export * as distributed from './distributed';

// Checkpoints (safetensors) and anomaly detection
export { save, load, saveAsync, loadAsync, CheckpointError } from './serialization';
export type { LoadOptions } from './serialization';
export { setDetectAnomaly, isAnomalyEnabled, detectAnomaly, AnomalyError, autograd } from './autograd/anomaly';

// torch.onnx.export (docs/ONNX.md)
export * as onnx from './onnx';
