/**
 * The scaling model of docs/DISTRIBUTED.md ("Scaling on paper"): data-parallel training of the
 * wide MLP (784-1024-1024-10, batch 256 per node) and the seed MLP (784-64-32-10, batch 10 per
 * node) on 2 … 64 nodes linked at 10 and 100 Gb/s, from the compute per step measured here
 * (`npm run bench -- distributed`) and a ring all-reduce of each step's gradients:
 *
 *   t_allreduce(bytes) = 2(N−1)/N · bytes / bandwidth + 2(N−1) · α        (α: latency per message)
 *
 * per bucket, plus kindling's agreement exchange before each collective (an 80-byte all-reduce:
 * ⌈log2 N⌉ · α by recursive doubling). Weak scaling: each node keeps its batch, so the compute per
 * step stays T_c and the efficiency is T_c / (T_c + exposed communication).
 *
 * Overlap (DDP's buckets): a bucket's all-reduce can run while backward computes the gradients of
 * earlier layers; only what is left when backward ends is exposed. The model assumes
 * communication progresses without taking compute (a NIC that moves data, or a spare core) and
 * that backward produces gradients layer by layer in proportion to the layers' multiply-adds.
 *
 *   npx ts-node scripts/scaling-model.ts [--wide-ms 32.2] [--seed-ms 0.40] [--alpha10-us 30] [--alpha100-us 5]
 *
 * Prints the markdown tables that docs/DISTRIBUTED.md shows.
 */
import { parseArgs } from 'node:util';

/** A layer: its parameter count and multiply-adds per sample (forward; backward per `inputGrad`). */
interface Layer {
  name: string;
  inF: number;
  outF: number;
  /** Whether backward computes the gradient of its input (not for the first layer). */
  inputGrad: boolean;
}

interface Model {
  name: string;
  batch: number;
  /** Measured compute per step on one node (forward, backward, Adam), ms. */
  computeMs: number;
  layers: Layer[];
}

const linear = (name: string, inF: number, outF: number, inputGrad: boolean): Layer => ({ name, inF, outF, inputGrad });
const params = (l: Layer) => l.inF * l.outF + l.outF;
/** Backward multiply-adds per sample: the weight gradient, and the input gradient where needed. */
const backwardMacs = (l: Layer) => l.inF * l.outF * (l.inputGrad ? 2 : 1);
const forwardMacs = (l: Layer) => l.inF * l.outF;

const { values: args } = parseArgs({
  options: {
    // Defaults: the measurements in docs/DISTRIBUTED.md (1 process × 1 thread, this machine).
    'wide-ms': { type: 'string', default: '32.2' },
    'seed-ms': { type: 'string', default: '0.40' },
    // Latency per message: 10 Gb/s Ethernet through the kernel's TCP stack, and a 100 Gb/s RDMA
    // fabric (InfiniBand / RoCE); each includes MPI's software overhead per message, measured on
    // loopback here (the bare 4-byte MPI_Allreduce).
    'alpha10-us': { type: 'string', default: '30' },
    'alpha100-us': { type: 'string', default: '5' },
  },
});

const MODELS: Model[] = [
  {
    name: 'wide MLP',
    batch: 256,
    computeMs: Number(args['wide-ms']),
    layers: [linear('fc1', 784, 1024, false), linear('fc2', 1024, 1024, true), linear('fc3', 1024, 10, true)],
  },
  {
    name: 'seed MLP',
    batch: 10,
    computeMs: Number(args['seed-ms']),
    layers: [linear('fc1', 784, 64, false), linear('fc2', 64, 32, true), linear('fc3', 32, 10, true)],
  },
];

const LINKS = [
  { gbps: 10, alphaUs: Number(args['alpha10-us']) },
  { gbps: 100, alphaUs: Number(args['alpha100-us']) },
];
const NODES = [2, 4, 8, 16, 32, 64];

/** Ring all-reduce of `bytes` on `n` nodes, plus kindling's agreement exchange, in ms. */
function allReduceMs(bytes: number, n: number, gbps: number, alphaUs: number): number {
  const ring = ((2 * (n - 1)) / n) * (bytes * 8) / (gbps * 1e9) + 2 * (n - 1) * alphaUs * 1e-6;
  const agreement = Math.ceil(Math.log2(n)) * alphaUs * 1e-6;
  return (ring + agreement) * 1e3;
}

/**
 * DDP's buckets for `capMb` (reverse layer order; the first at most 1 MiB, as in PyTorch and
 * kindling), each with its bytes and the backward compute still to come once it is ready (ms).
 */
function buckets(model: Model, capMb: number): { bytes: number; hideMs: number }[] {
  const macsPerSample = model.layers.reduce((s, l) => s + forwardMacs(l) + backwardMacs(l), 0);
  const msPerMac = model.computeMs / macsPerSample; // compute split by multiply-adds (Adam's share folded in)
  let remaining = model.layers.reduce((s, l) => s + backwardMacs(l), 0);
  const out: { bytes: number; hideMs: number }[] = [];
  let current = { bytes: 0, hideMs: 0 };
  for (const layer of [...model.layers].reverse()) {
    const bytes = params(layer) * 4;
    const limit = (out.length === 0 ? Math.min(1, capMb) : capMb) * 1024 * 1024;
    if (current.bytes > 0 && current.bytes + bytes > limit) {
      out.push(current);
      current = { bytes: 0, hideMs: 0 };
    }
    remaining -= backwardMacs(layer); // this layer's gradients are ready; below it is still to come
    current.bytes += bytes;
    current.hideMs = remaining * msPerMac;
  }
  out.push(current);
  return out;
}

/**
 * Communication left when backward ends: buckets are reduced one after another, each from when it
 * is ready (hideMs before the end of backward) or when the previous one finished, whichever is later.
 */
function exposedMs(model: Model, capMb: number, n: number, gbps: number, alphaUs: number, overlap: boolean): number {
  let finish = -Infinity;
  let total = 0;
  for (const b of buckets(model, capMb)) {
    const cost = allReduceMs(b.bytes, n, gbps, alphaUs);
    total += cost;
    finish = Math.max(-b.hideMs, finish) + cost;
  }
  return overlap ? Math.max(0, finish) : total;
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
const ms = (x: number) => (x < 1 ? x.toFixed(2) : x.toFixed(1));
/** Bucket caps tried, largest first: among equal efficiencies the fewest buckets win. */
const CAPS = [1000, 25, 4, 1, 0.25];

function main(): void {
  console.log(`Inputs: ${MODELS.map((m) => `${m.name} ${m.computeMs} ms/step at batch ${m.batch} per node`).join('; ')}; ` +
    `α ${LINKS.map((l) => `${l.alphaUs} µs at ${l.gbps} Gb/s`).join(', ')}.\n`);
  for (const model of MODELS) {
    const bytes = model.layers.reduce((s, l) => s + params(l) * 4, 0);
    console.log(`${model.name}: ${model.layers.reduce((s, l) => s + params(l), 0).toLocaleString('en')} parameters (${(bytes / 2 ** 20).toFixed(2)} MiB of gradients), compute ${model.computeMs} ms per step\n`);
    const header = ['nodes', ...LINKS.flatMap((l) => [`${l.gbps} Gb/s: all-reduce ms`, 'efficiency, no overlap', 'default buckets + overlap', 'best bucket cap + overlap'])];
    const rows = NODES.map((n) => [
      String(n),
      ...LINKS.flatMap(({ gbps, alphaUs }) => {
        const one = allReduceMs(bytes, n, gbps, alphaUs);
        const eff = (exposed: number) => model.computeMs / (model.computeMs + exposed);
        const best = CAPS.map((cap) => ({ cap, e: eff(exposedMs(model, cap, n, gbps, alphaUs, true)) })).reduce((a, b) => (b.e > a.e + 1e-9 ? b : a));
        const byDefault = eff(exposedMs(model, 25, n, gbps, alphaUs, true));
        return [ms(one), pct(eff(one)), pct(byDefault), best.e > byDefault + 1e-9 ? `${pct(best.e)} (${best.cap} MiB)` : 'no gain'];
      }),
    ]);
    console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    for (const { gbps, alphaUs } of LINKS) {
      // Where communication dominates: the first node count at which one step's all-reduce takes longer than its compute.
      const n = Array.from({ length: 1023 }, (_, i) => i + 2).find((k) => allReduceMs(bytes, k, gbps, alphaUs) >= model.computeMs);
      const limit = ((2 * bytes * 8) / (gbps * 1e9)) * 1e3;
      console.log(
        `\n- ${gbps} Gb/s: communication ≥ compute from ${n === undefined ? 'beyond 1024' : n} nodes (no overlap); ` +
          `bandwidth term alone tends to ${ms(limit)} ms, latency grows by ${ms((2 * alphaUs) / 1e3)} ms per node.`,
      );
    }
    console.log('');
  }
}

main();
