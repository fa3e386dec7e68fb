/**
 * `torch.nn.parallel.DistributedDataParallel`: wraps a module so that data-parallel ranks keep
 * identical parameters. At construction it broadcasts rank 0's parameters and buffers; during
 * each backward, as soon as every gradient of a bucket has been accumulated (post-accumulate-grad
 * hooks), it averages that bucket across ranks with one all-reduce, while backward goes on for
 * earlier layers. After `backward()` every rank holds the mean gradient, so each rank's optimizer
 * takes the same step.
 *
 * Every bucket but the last is reduced asynchronously, off Node's main thread, while backward
 * computes the earlier layers; the last one synchronously, after which all are done (collectives
 * run in issue order), so `backward()` returns with averaged gradients (docs/DISTRIBUTED.md).
 */
import type { RemovableHandle } from '../../autograd/hooks';
import { noGrad } from '../../autograd/grad_mode';
import { _startAllReduce, allReduce, broadcast } from '../../distributed/collectives';
import { DistributedError } from '../../distributed/errors';
import { defaultGroup } from '../../distributed/process-group';
import { ReduceOp } from '../../distributed/reduce-op';
import { checkOptions } from '../../options';
import { bumpVersion } from '../../storage';
import { isGradEnabled } from '../../autograd/grad_mode';
import { AccumulateGrad, type Node } from '../../autograd/node';
import { Tensor } from '../../tensor';
import { Module } from '../module';
import type { Parameter } from '../parameter';

export interface DistributedDataParallelOptions {
  /** Bucket size in MiB (default 25, as PyTorch); the first bucket holds at most 1 MiB. */
  bucketCapMb?: number;
  /** Broadcast rank 0's buffers (BatchNorm statistics, …) before each forward (default `true`). */
  broadcastBuffers?: boolean;
  /**
   * Walk the autograd graph after each forward and treat the parameters it does not reach as
   * ready (zero gradient on this rank), for models whose forward skips parameters on some ranks or
   * iterations (default `false`: every parameter must receive a gradient in each backward).
   */
  findUnusedParameters?: boolean;
}

const OPTIONS = {
  bucketCapMb: (v: unknown) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? null : 'a positive number of MiB'),
  broadcastBuffers: 'boolean',
  findUnusedParameters: 'boolean',
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

/** The leaves (parameters) that the autograd graph of `output`'s tensors reaches. */
function reachableLeaves(output: unknown): Set<Tensor> {
  const leaves = new Set<Tensor>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  const values: unknown[] = [output];
  // Tensors inside arrays and plain objects count too (a forward may return several).
  while (values.length > 0) {
    const v = values.pop();
    if (v instanceof Tensor) {
      if (v.gradFn !== null) stack.push(v.gradFn);
      else if (v.requiresGrad) leaves.add(v);
    } else if (Array.isArray(v)) values.push(...v);
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) values.push(...Object.values(v));
  }
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof AccumulateGrad) leaves.add(node.variable);
    for (const next of node.next) if (next !== null) stack.push(next);
  }
  return leaves;
}

export class DistributedDataParallel<Args extends unknown[] = Tensor[], Out = Tensor> extends Module<Args, Out> {
  /** The wrapped module; `stateDict()` keys are its own with PyTorch's `module.` prefix. */
  readonly module: Module<Args, Out>;
  readonly broadcastBuffers: boolean;
  readonly bucketCapMb: number;
  readonly findUnusedParameters: boolean;
  #buckets: Bucket[];
  #bucketOf = new Map<Parameter, Bucket>();
  #handles: RemovableHandle[] = [];
  /** False inside `noSync`: gradients accumulate locally, as PyTorch's `no_sync()`. */
  #requireSync = true;
  /** The bucket to reduce next in this backward: buckets are reduced strictly in index order. */
  #nextBucket = 0;
  /** Buckets whose all-reduce is in flight this backward, with their flat buffers. */
  #inFlight: { bucket: Bucket; flat: Float32Array; settle: () => void }[] = [];
  /** findUnusedParameters: parameters the last forward's graph does not reach, marked ready when backward starts. */
  #unused: Parameter[] | null = null;

  constructor(module: Module<Args, Out>, options: DistributedDataParallelOptions = {}) {
    super();
    checkOptions('DistributedDataParallel', options, OPTIONS);
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel: module must be an nn.Module');
    defaultGroup(); // PyTorch's error when initProcessGroup was not called
    this.module = module;
    this.broadcastBuffers = options.broadcastBuffers ?? true;
    this.bucketCapMb = options.bucketCapMb ?? 25;
    this.findUnusedParameters = options.findUnusedParameters ?? false;
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
    if (this.#nextBucket !== 0 || this.#inFlight.length > 0 || this.#buckets.some((b) => b.ready > 0)) {
      const missing = this.#buckets.flatMap((b) => (b.ready > 0 ? b.params.filter((p) => p._peekGrad() === null) : []));
      // Report it once: the next iteration starts from a clean state.
      for (const b of this.#buckets) b.ready = 0;
      this.#nextBucket = 0;
      this.#inFlight = [];
      throw new DistributedError(
        'Expected to have finished reduction in the prior iteration before starting a new one. This error indicates that your ' +
          `module has parameters that were not used in producing loss (${missing.length} without a gradient). ` +
          (this.findUnusedParameters
            ? 'Make sure that backward() ran on the output of every forward.'
            : 'You can enable unused parameter detection by passing { findUnusedParameters: true } to DistributedDataParallel, ' +
              'and by making sure all forward function outputs participate in calculating loss.'),
      );
    }
    if (this.broadcastBuffers) {
      const buffers = this.module.buffers();
      if (buffers.length > 0) noGrad(() => buffers.forEach((b) => broadcast(b, 0)));
    }
    const output = this.module.forward(...inputs);
    this.#unused = null;
    if (this.findUnusedParameters && this.#requireSync && isGradEnabled()) {
      const reached = reachableLeaves(output);
      this.#unused = [...this.#bucketOf.keys()].filter((p) => !reached.has(p));
    }
    return output;
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
    // Backward has started: now the unused parameters count as ready. (Marking them in forward
    // could reduce buckets on a rank whose forward is never followed by a backward.)
    const unused = this.#unused;
    this.#unused = null;
    if (unused !== null) for (const u of unused) (this.#bucketOf.get(u) as Bucket).ready++;
    (this.#bucketOf.get(p) as Bucket).ready++;
    const buckets = this.#buckets;
    while (this.#nextBucket < buckets.length) {
      const bucket = buckets[this.#nextBucket];
      if (bucket.ready < bucket.params.length) return;
      bucket.ready = 0;
      this.#nextBucket++;
      this.#reduce(bucket, this.#nextBucket === buckets.length);
    }
    this.#nextBucket = 0; // all reduced: the next backward starts again at bucket 0
  }

  /**
   * Averages the bucket's gradients across ranks: one flat copy, one all-reduce, copies back.
   * Every bucket but the last is launched asynchronously and copied back when the last one, reduced
   * synchronously, returns (by then all are done: collectives run in issue order). With `findUnusedParameters`, a parameter without a gradient on this rank contributes zeros,
   * and one flag per parameter (1 where this rank has a gradient) rides along in the same
   * all-reduce: a parameter no rank used keeps `.grad` null, as in PyTorch; one that some rank
   * used gets the averaged gradient here too.
   */
  #reduce(bucket: Bucket, last: boolean): void {
    const flags = this.findUnusedParameters ? bucket.params.length : 0;
    const flat = new Float32Array(bucket.numel + flags);
    let offset = 0;
    bucket.params.forEach((q, i) => {
      const grad = q._peekGrad();
      if (grad !== null) flat.set(grad.data as Float32Array, offset);
      if (flags > 0 && grad !== null) flat[bucket.numel + i] = 1;
      offset += q.numel();
    });
    const tensor = Tensor._make(flat, [flat.length], 'float32');
    if (!last) {
      // Off the main thread while backward computes the earlier layers' gradients.
      this.#inFlight.push({ bucket, flat, settle: _startAllReduce(tensor, ReduceOp.AVG) });
      return;
    }
    // The last bucket synchronously: collectives run in issue order, so when it returns every
    // bucket launched before it has been reduced too, and backward can end with averaged gradients.
    const inFlight = this.#inFlight;
    this.#inFlight = [];
    allReduce(tensor, ReduceOp.AVG);
    for (const f of inFlight) {
      f.settle();
      this.#copyBack(f.bucket, f.flat);
    }
    this.#copyBack(bucket, flat);
  }

  /** Writes a reduced bucket back into its parameters' gradients. */
  #copyBack(bucket: Bucket, flat: Float32Array): void {
    const flags = this.findUnusedParameters ? bucket.params.length : 0;
    let offset = 0;
    bucket.params.forEach((q, i) => {
      const n = q.numel();
      const averaged = flat.subarray(offset, offset + n);
      offset += n;
      const grad = q._peekGrad();
      if (grad === null) {
        if (flags > 0 && flat[bucket.numel + i] > 0) q._setOwnGrad(Tensor._make(averaged.slice(), q.shape, 'float32'));
      } else if (grad.isContiguous()) {
        (grad.data as Float32Array).set(averaged);
        bumpVersion(grad);
      } else {
        grad.copy_(Tensor._make(averaged.slice(), grad.shape, 'float32'));
      }
    });
  }

  /** Unregisters the gradient hooks (the wrapped module then trains locally again). */
  _removeHooks(): void {
    for (const h of this.#handles) h.remove();
    this.#handles = [];
  }
}
