/**
 * `torch.nn.parallel.DistributedDataParallel`: wraps a module so that data-parallel ranks keep
 * identical parameters. At construction it broadcasts rank 0's parameters and buffers; during
 * each backward, as soon as every gradient of a bucket has been accumulated (post-accumulate-grad
 * hooks), it averages that bucket across ranks with one all-reduce, while backward goes on for
 * earlier layers. After `backward()` every rank holds the mean gradient, so each rank's optimizer
 * takes the same step.
 *
 * Collectives are synchronous in this version (docs/DISTRIBUTED.md): a bucket's all-reduce runs
 * inside backward but does not yet overlap with it.
 */
import type { RemovableHandle } from '../../autograd/hooks';
import { noGrad } from '../../autograd/grad_mode';
import { allReduce, broadcast } from '../../distributed/collectives';
import { DistributedError } from '../../distributed/errors';
import { defaultGroup } from '../../distributed/process-group';
import { ReduceOp } from '../../distributed/reduce-op';
import { checkOptions } from '../../options';
import { bumpVersion } from '../../storage';
import { Tensor } from '../../tensor';
import { Module } from '../module';
import type { Parameter } from '../parameter';

export interface DistributedDataParallelOptions {
  /** Bucket size in MiB (default 25, as PyTorch); the first bucket holds at most 1 MiB. */
  bucketCapMb?: number;
  /** Broadcast rank 0's buffers (BatchNorm statistics, …) before each forward (default `true`). */
  broadcastBuffers?: boolean;
  /** Must be false for now: every parameter must receive a gradient in each backward. */
  findUnusedParameters?: boolean;
}

const OPTIONS = {
  bucketCapMb: (v: unknown) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? null : 'a positive number of MiB'),
  broadcastBuffers: 'boolean',
  findUnusedParameters: { notImplemented: 'every parameter must receive a gradient in each backward', unless: [false] },
  deviceIds: { notImplemented: 'kindling runs on the CPU' },
  outputDevice: { notImplemented: 'kindling runs on the CPU' },
  processGroup: { notImplemented: 'only the default (world) group exists' },
  gradientAsBucketView: { notImplemented: 'gradients are copied into buckets' },
  staticGraph: { notImplemented: 'not needed: buckets are filled as gradients arrive' },
} as const;

/** PyTorch's `_DEFAULT_FIRST_BUCKET_BYTES`: a small first bucket starts communication early. */
const FIRST_BUCKET_BYTES = 1024 * 1024;

/** Parameters whose gradients are averaged together, and how many have arrived this backward. */
interface Bucket {
  params: Parameter[];
  numel: number;
  ready: number;
}

/**
 * Splits `params` (in reverse registration order, an approximation of the order backward
 * produces their gradients, as PyTorch's reducer does at first) into buckets of at most
 * `capBytes` (the first at most 1 MiB); a parameter larger than the cap gets its own bucket.
 */
function makeBuckets(params: Parameter[], capBytes: number): Bucket[] {
  const buckets: Bucket[] = [];
  let current: Bucket = { params: [], numel: 0, ready: 0 };
  for (const p of [...params].reverse()) {
    const limit = buckets.length === 0 ? Math.min(FIRST_BUCKET_BYTES, capBytes) : capBytes;
    if (current.params.length > 0 && (current.numel + p.numel()) * 4 > limit) {
      buckets.push(current);
      current = { params: [], numel: 0, ready: 0 };
    }
    current.params.push(p);
    current.numel += p.numel();
  }
  if (current.params.length > 0) buckets.push(current);
  return buckets;
}

export class DistributedDataParallel<Args extends unknown[] = Tensor[], Out = Tensor> extends Module<Args, Out> {
  /** The wrapped module; `stateDict()` keys are its own with PyTorch's `module.` prefix. */
  readonly module: Module<Args, Out>;
  readonly broadcastBuffers: boolean;
  readonly bucketCapMb: number;
  #buckets: Bucket[];
  #bucketOf = new Map<Parameter, Bucket>();
  #handles: RemovableHandle[] = [];
  /** False inside `noSync`: gradients accumulate locally, as PyTorch's `no_sync()`. */
  #requireSync = true;
  /** The bucket to reduce next in this backward: buckets are reduced strictly in index order. */
  #nextBucket = 0;

  constructor(module: Module<Args, Out>, options: DistributedDataParallelOptions = {}) {
    super();
    checkOptions('DistributedDataParallel', options, OPTIONS);
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel: module must be an nn.Module');
    defaultGroup(); // PyTorch's error when initProcessGroup was not called
    this.module = module;
    this.broadcastBuffers = options.broadcastBuffers ?? true;
    this.bucketCapMb = options.bucketCapMb ?? 25;
    const params = module.parameters().filter((p) => p.requiresGrad);
    for (const p of params) {
      if (p.dtype !== 'float32') throw new TypeError(`DistributedDataParallel: parameters must be float32, got ${p.dtype}`);
    }
    // Every rank starts from rank 0's state (PyTorch's _sync_module_states).
    noGrad(() => {
      for (const p of module.parameters()) broadcast(p, 0);
      for (const b of module.buffers()) broadcast(b, 0);
    });
    this.#buckets = makeBuckets(params, this.bucketCapMb * 1024 * 1024);
    for (const bucket of this.#buckets) for (const p of bucket.params) this.#bucketOf.set(p, bucket);
    for (const p of params) this.#handles.push(p.registerPostAccumulateGradHook((t) => this.#gradReady(t as Parameter)));
  }

  /** The parameter counts of the buckets, in the order they are reduced (for tests and tuning). */
  get bucketSizes(): number[] {
    return this.#buckets.map((b) => b.numel);
  }

  forward(...inputs: Args): Out {
    if (this.#buckets.some((b) => b.ready > 0)) {
      const missing = this.#buckets.flatMap((b) => (b.ready > 0 ? b.params.filter((p) => p._peekGrad() === null) : []));
      throw new DistributedError(
        'Expected to have finished reduction in the prior iteration before starting a new one. This error indicates that your ' +
          `module has parameters that were not used in producing loss (${missing.length} without a gradient). ` +
          'findUnusedParameters is not supported yet: make sure every parameter takes part in computing the loss.',
      );
    }
    if (this.broadcastBuffers) {
      const buffers = this.module.buffers();
      if (buffers.length > 0) noGrad(() => buffers.forEach((b) => broadcast(b, 0)));
    }
    return this.module.forward(...inputs);
  }

  /**
   * Runs `fn` without gradient synchronisation (PyTorch's `with ddp.no_sync():`): backward passes
   * inside it accumulate gradients locally; the first backward after it averages the sum.
   */
  noSync<T>(fn: () => T): T {
    const previous = this.#requireSync;
    this.#requireSync = false;
    try {
      return fn();
    } finally {
      this.#requireSync = previous;
    }
  }

  /**
   * Post-accumulate-grad hook. Buckets are reduced strictly in index order, as PyTorch's reducer
   * launches them: a bucket that completes early waits for the ones before it. Every rank then
   * issues the same all-reduces in the same order even if the order in which gradients arrive
   * differs between them.
   */
  #gradReady(p: Parameter): void {
    if (!this.#requireSync) return;
    (this.#bucketOf.get(p) as Bucket).ready++;
    const buckets = this.#buckets;
    while (this.#nextBucket < buckets.length) {
      const bucket = buckets[this.#nextBucket];
      if (bucket.ready < bucket.params.length) return;
      this.#reduce(bucket);
      bucket.ready = 0;
      this.#nextBucket++;
    }
    this.#nextBucket = 0; // all reduced: the next backward starts again at bucket 0
  }

  /** Averages the bucket's gradients across ranks: one flat copy, one all-reduce, copies back. */
  #reduce(bucket: Bucket): void {
    const flat = new Float32Array(bucket.numel);
    let offset = 0;
    for (const q of bucket.params) {
      const g = (q._peekGrad() as Tensor).data as Float32Array;
      flat.set(g, offset);
      offset += g.length;
    }
    allReduce(Tensor._make(flat, [bucket.numel], 'float32'), ReduceOp.AVG);
    offset = 0;
    for (const q of bucket.params) {
      const grad = q._peekGrad() as Tensor;
      const n = grad.numel();
      if (grad.isContiguous()) {
        (grad.data as Float32Array).set(flat.subarray(offset, offset + n));
        bumpVersion(grad);
      } else {
        grad.copy_(Tensor._make(flat.slice(offset, offset + n), grad.shape, 'float32'));
      }
      offset += n;
    }
  }

  /** Unregisters the gradient hooks (the wrapped module then trains locally again). */
  _removeHooks(): void {
    for (const h of this.#handles) h.remove();
    this.#handles = [];
  }
}
