/**
 * Which runs of modules `nn.Sequential` executes as one fused block (ops/linear-block.ts): a
 * built-in `Linear` followed by a built-in `Dropout`, a built-in `ReLU`, or both in that order —
 * the hidden layers of the seed MLP. The results are bit for bit the unfused ones (NOTE [ Fused
 * blocks give the unfused results ] in ops/linear-block.ts); only the autograd graph is shorter.
 *
 * A module is fused only when it is exactly the built-in class with its own `forward` (a subclass
 * or an instance whose `forward` was replaced runs as written), and never in anomaly mode, whose
 * per-node NaN checks must see every op, nor while `onnx.export` traces, which records each op.
 * `KINDLING_FUSION=0` (or `fusion.enabled = false`) turns fusion off, e.g. to compare.
 */
import { anomalyMode } from '../autograd/anomaly';
import { isTracing } from '../autograd/trace';
import { ReLU } from './activation';
import { Dropout } from './dropout';
import { Linear } from './linear';
import type { Module } from './module';

export const fusion = { enabled: process.env.KINDLING_FUSION !== '0' };

export interface FusedBlock {
  linear: Linear;
  /** The dropout probability in effect (0 without a Dropout or in eval mode). */
  p: number;
  relu: boolean;
  /** How many modules the block spans (2 or 3). */
  length: number;
}

function isPlain<T extends Module>(module: Module | undefined, cls: abstract new (...args: never[]) => T): module is T {
  return module !== undefined && Object.getPrototypeOf(module) === cls.prototype && module.forward === cls.prototype.forward;
}

/** The fusable block starting at `modules[i]`, or null when that module runs on its own. */
export function fusedBlockAt(modules: readonly Module[], i: number): FusedBlock | null {
  const linear = modules[i];
  if (!fusion.enabled || anomalyMode.enabled || isTracing() || !isPlain(linear, Linear)) return null;
  let next = i + 1;
  let p = 0;
  const dropout = modules[next];
  const hasDropout = isPlain(dropout, Dropout);
  if (hasDropout) {
    p = dropout.training ? dropout.p : 0;
    next++;
  }
  const relu = isPlain(modules[next], ReLU);
  if (relu) next++;
  if (!hasDropout && !relu) return null;
  return { linear, p, relu, length: next - i };
}
