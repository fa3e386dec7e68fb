/**
 * SummaryWriter without Python: CRC-32C vectors, TFRecord framing bytes, the default log dir and
 * event file names, the records in the file (decoded with the same schema), queueing/flush/close,
 * the exit flush, the histogram maths on hand-checked cases, and the argument and file errors.
 * (reader.spec.ts proves the files with TensorBoard's own reader.)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { defaultLogDir, SummaryWriter, SummaryWriterError, TENSORFLOW_BINS } from '../../../src/utils/tensorboard';
import { crc32c, maskedCrc32c } from '../../../src/utils/tensorboard/crc32c';
import { eventFileName } from '../../../src/utils/tensorboard/event-file';
import { makeHistogram } from '../../../src/utils/tensorboard/histogram';
import { Event, HParamsPluginData } from '../../../src/utils/tensorboard/proto';
import { frameRecord } from '../../../src/utils/tensorboard/record-writer';

const repo = resolve(__dirname, '../../..');
/** Absolute, so that child processes started in a temp dir find it. */
const TS_NODE = require.resolve('ts-node/register');
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-tb-unit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

/** Splits a TFRecord file into its records, checking both CRCs of each. */
function records(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const len = Number(bytes.readBigUInt64LE(at));
    expect(bytes.readUInt32LE(at + 8)).toBe(maskedCrc32c(bytes.subarray(at, at + 8)));
    const data = bytes.subarray(at + 12, at + 12 + len);
    expect(bytes.readUInt32LE(at + 12 + len)).toBe(maskedCrc32c(data));
    out.push(data);
    at += 16 + len;
  }
  expect(at).toBe(bytes.length);
  return out;
}

/** The Events of the single event file in `dir`, as plain objects. */
function events(dir: string): Record<string, any>[] {
  const files = readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'));
  expect(files).toHaveLength(1);
  return records(readFileSync(join(dir, files[0]))).map((r) => Event.toObject(Event.decode(r), { longs: Number, enums: String, bytes: Buffer }));
}

describe('crc32c', () => {
  it('matches the standard check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI) B.4 test vectors: 32 bytes of zeros, of 0xff, ascending 0..31.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it("masks as TensorFlow: rotate right 15, add 0xa282ead8 (mod 2^32)", () => {
    const crc = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
    // Masked CRC of the empty string: rotate(0) + delta.
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8);
  });
});

describe('frameRecord', () => {
  it('is uint64 length, masked CRC of the length bytes, the data, masked CRC of the data, little-endian', () => {
    const data = Buffer.from('abc');
    const framed = frameRecord(data);
    expect(framed.length).toBe(3 + 16);
    expect([...framed.subarray(0, 8)]).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    expect(framed.readUInt32LE(8)).toBe(maskedCrc32c(Buffer.from([3, 0, 0, 0, 0, 0, 0, 0])));
    expect(framed.subarray(12, 15).toString()).toBe('abc');
    expect(framed.readUInt32LE(15)).toBe(maskedCrc32c(data));
    // Hand-computed CRC-32C of "abc" is 0x364b3fb7; its masked form pinned here.
    expect(crc32c(data)).toBe(0x364b3fb7);
  });
});

describe('default log dir and event file names', () => {
  it("is runs/<Mon><DD>_<HH-MM-SS>_<hostname><comment>, PyTorch's strftime('%b%d_%H-%M-%S') in local time", () => {
    const when = new Date(2024, 4, 4, 22, 14, 5);
    expect(defaultLogDir('', when, 's-MacBook-Pro.local')).toBe(join('runs', 'May04_22-14-05_s-MacBook-Pro.local'));
    expect(defaultLogDir('LR_0.1_BATCH_16', new Date(2023, 0, 9, 3, 7, 59), 'h')).toBe(join('runs', 'Jan09_03-07-59_hLR_0.1_BATCH_16'));
    expect(defaultLogDir()).toMatch(new RegExp(`^runs/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\\d\\d_\\d\\d-\\d\\d-\\d\\d_${hostname().replace(/\./g, '\\.')}$`));
  });

  it('names files events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n><suffix>', () => {
    expect(eventFileName(1714860894.72, 'host', 123, 0, '')).toBe('events.out.tfevents.1714860894.host.123.0');
    expect(eventFileName(12.9, 'h', 1, 7, '.v2')).toBe('events.out.tfevents.0000000012.h.1.7.v2');
  });

  it('creates the default log dir under the working directory, with the comment', () => {
    const cwd = tempDir();
    const out = execFileSync(
      process.execPath,
      ['-r', TS_NODE, '-e', `const { SummaryWriter } = require(${JSON.stringify(join(repo, 'src/utils/tensorboard'))}); const w = new SummaryWriter(undefined, { comment: '_exp', filenameSuffix: '.x' }); w.close(); console.log(w.logDir, w.eventFile);`],
      { cwd, encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_PROJECT: join(repo, 'tsconfig.json') } },
    ).trim();
    const [logDir, file] = out.split(' ');
    expect(logDir).toMatch(/^runs\/[A-Z][a-z]{2}\d\d_\d\d-\d\d-\d\d_.+_exp$/);
    expect(file.startsWith(`${logDir}/events.out.tfevents.`)).toBe(true);
    expect(file.endsWith('.x')).toBe(true);
    expect(statSync(join(cwd, file)).isFile()).toBe(true);
  }, 60_000);
});

describe('event file contents', () => {
  it('starts with file_version brain.Event:2, then one Event per add with step, wall time and summary', () => {
    const d = tempDir();
    const w = new SummaryWriter(d);
    w.addScalar('a/b', 0.25, 7, 1234.5);
    w.addScalar('a/b', torch.tensor([3]), undefined, 1235);
    w.addText('t', 'x', 2, 99);
    w.close();
    const [first, scalar, noStep, text] = events(d);
    expect(first.file_version).toBe('brain.Event:2');
    expect(first.source_metadata.writer).toBe('kindling.utils.tensorboard');
    expect(scalar).toEqual({ wall_time: 1234.5, step: 7, summary: { value: [{ tag: 'a/b', simple_value: 0.25 }] } });
    expect(noStep).toEqual({ wall_time: 1235, summary: { value: [{ tag: 'a/b', simple_value: 3 }] } });
    const v = text.summary.value[0];
    expect(v.tag).toBe('t/text_summary');
    expect(v.metadata.plugin_data.plugin_name).toBe('text');
    expect(v.tensor).toMatchObject({ dtype: 'DT_STRING', tensor_shape: { dim: [{ size: 1 }] } });
    expect(v.tensor.string_val[0].toString()).toBe('x');
  });

  it('keeps events in memory until maxQueue are pending or flush() is called', () => {
    const d = tempDir();
    const w = new SummaryWriter(d, { maxQueue: 3 });
    const file = w.eventFile;
    const size = () => statSync(file).size;
    const afterHeader = size();
    expect(afterHeader).toBeGreaterThan(0);
    w.addScalar('x', 1, 1);
    w.addScalar('x', 2, 2);
    expect(size()).toBe(afterHeader);
    w.addScalar('x', 3, 3);
    const afterThree = size();
    expect(afterThree).toBeGreaterThan(afterHeader);
    w.addScalar('x', 4, 4);
    expect(size()).toBe(afterThree);
    w.flush();
    expect(size()).toBeGreaterThan(afterThree);
    w.close();
    expect(events(d).map((e) => e.step)).toEqual([undefined, 1, 2, 3, 4]);
  });

  it('writes pending events when the process exits without close()', () => {
    const d = tempDir();
    execFileSync(
      process.execPath,
      ['-r', TS_NODE, '-e', `const { SummaryWriter } = require(${JSON.stringify(join(repo, 'src/utils/tensorboard'))}); const w = new SummaryWriter(${JSON.stringify(d)}); w.addScalar('x', 5, 1);`],
      { encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' } },
    );
    expect(events(d).map((e) => e.summary?.value[0].simple_value)).toEqual([undefined, 5]);
  }, 60_000);

  it('addScalars writes each value under mainTag into <logDir>/<mainTag with / as _>_<tag>', () => {
    const d = tempDir();
    const w = new SummaryWriter(d);
    w.addScalars('loss/all', { train: 1, test: 2 }, 3, 10);
    w.addScalars('loss/all', { train: 0.5 }, 4, 11);
    w.close();
    expect(readdirSync(d).filter((f) => !f.startsWith('events.')).sort()).toEqual(['loss_all_test', 'loss_all_train']);
    const train = events(join(d, 'loss_all_train'));
    expect(train.slice(1)).toEqual([
      { wall_time: 10, step: 3, summary: { value: [{ tag: 'loss/all', simple_value: 1 }] } },
      { wall_time: 11, step: 4, summary: { value: [{ tag: 'loss/all', simple_value: 0.5 }] } },
    ]);
    expect(events(d)).toHaveLength(1);
  });

  it('addHparams writes experiment, session start and session end, then the metrics, to <logDir>/<runName>', () => {
    const d = tempDir();
    const w = new SummaryWriter(d);
    w.addHparams({ lr: 0.1, opt: 'sgd', none: null, t: torch.tensor([2]) }, { 'hp/acc': 0.5 }, { runName: 'run1', globalStep: 4 });
    w.close();
    const [, exp, start, end, metric] = events(join(d, 'run1'));
    const content = (e: Record<string, any>) => HParamsPluginData.toObject(HParamsPluginData.decode(e.summary.value[0].metadata.plugin_data.content), { enums: String });
    expect(exp.summary.value[0].tag).toBe('_hparams_/experiment');
    expect(content(exp).experiment.hparam_infos.map((h: any) => [h.name, h.type])).toEqual([
      ['lr', 'DATA_TYPE_FLOAT64'],
      ['opt', 'DATA_TYPE_STRING'],
      ['t', 'DATA_TYPE_FLOAT64'],
    ]);
    expect(content(start).session_start_info.hparams).toEqual({ lr: { number_value: 0.1 }, opt: { string_value: 'sgd' }, t: { number_value: 2 } });
    expect(content(end).session_end_info.status).toBe('STATUS_SUCCESS');
    expect([exp.step, start.step, end.step]).toEqual([4, 4, 4]);
    expect(metric).toMatchObject({ step: 4, summary: { value: [{ tag: 'hp/acc', simple_value: 0.5 }] } });
  });
});

describe('histogram maths', () => {
  it("TensorBoard's default edges: 1549 doubles, ±1e-12·1.1^k below 1e20 around 0", () => {
    expect(TENSORFLOW_BINS).toHaveLength(1549);
    expect(TENSORFLOW_BINS[774]).toBe(0);
    expect(TENSORFLOW_BINS[775]).toBe(1e-12);
    expect(TENSORFLOW_BINS[1548]).toBe(9.920775621859783e19);
    expect(TENSORFLOW_BINS[0]).toBe(-9.920775621859783e19);
  });

  it('integer bins: numpy linspace edges over [min, max], kept from one empty bin before the support', () => {
    const h = makeHistogram(Float64Array.from([0, 1, 1, 2, 4]), 4);
    // Edges 0,1,2,3,4; counts [1, 2, 1, 1] (4 lands in the closed last bin); start == 0 adds a leading 0.
    expect(h).toEqual({ min: 0, max: 4, num: 5, sum: 8, sum_squares: 22, bucket_limit: [0, 1, 2, 3, 4], bucket: [0, 1, 2, 1, 1] });
  });

  it('explicit edges: values outside are dropped, the support is trimmed on both sides', () => {
    const h = makeHistogram(Float64Array.from([5, 2.5, 2.7, -10]), [0, 1, 2, 3, 4, 5, 6]);
    // counts [0, 0, 2, 0, 0, 1]; first non-empty is bin 2 → keep bins 1..5, limits 2..6.
    expect(h?.bucket).toEqual([0, 2, 0, 0, 1]);
    expect(h?.bucket_limit).toEqual([2, 3, 4, 5, 6]);
    expect(makeHistogram(Float64Array.from([10]), [0, 1])).toBeNull();
  });

  it('equal values widen the range by ±0.5; maxBins merges runs of bins', () => {
    // Edges 2.5, 3, 3.5: both 3s are in the second bin, the first (empty) one supplies the left edge.
    // (Expected values here and below are what PyTorch's make_histogram returns.)
    expect(makeHistogram(Float64Array.from([3, 3]), 2)).toMatchObject({ bucket_limit: [3, 3.5], bucket: [0, 2] });
    // 5 bins over [0, 4.5], maxBins 2 → merge pairs (padding the 5th): counts [2, 2, 1], limits [0, 1.8, 3.6, 4.5].
    const h = makeHistogram(Float64Array.from([0, 1, 2, 3, 4.5]), 5, 2);
    expect(h).toMatchObject({ bucket_limit: [0, 1.8, 3.6, 4.5], bucket: [0, 2, 2, 1] });
  });
});

describe('errors', () => {
  it('add* after close() throws SummaryWriterError naming the method; close and flush are idempotent', () => {
    const w = new SummaryWriter(tempDir());
    w.close();
    w.close();
    w.flush();
    expect(w.closed).toBe(true);
    expect(() => w.addScalar('x', 1)).toThrow(SummaryWriterError);
    expect(() => w.addScalar('x', 1)).toThrow(/^SummaryWriter\.addScalar\(\): the writer of '.*' is closed; create a new SummaryWriter to write more$/);
    expect(() => w.addScalars('x', { a: 1 })).toThrow(/^SummaryWriter\.addScalars\(\): the writer of/);
    expect(() => w.addHistogram('x', [1])).toThrow(/^SummaryWriter\.addHistogram\(\): the writer of/);
    expect(() => w.addText('x', 'y')).toThrow(/^SummaryWriter\.addText\(\): the writer of/);
    expect(() => w.addHparams({}, {})).toThrow(/^SummaryWriter\.addHparams\(\): the writer of/);
  });

  it('bad tags, values, steps and bins are TypeError/RangeError naming method, argument, expected and got', () => {
    const w = new SummaryWriter(tempDir());
    const bad = (f: () => void, type: ErrorConstructor, message: string) => {
      expect(f).toThrow(type);
      expect(f).toThrow(message);
    };
    bad(() => w.addScalar(42 as unknown as string, 1), TypeError, "SummaryWriter.addScalar(): argument 'tag' must be a non-empty string, but got 42 (number)");
    bad(() => w.addScalar('', 1), RangeError, "SummaryWriter.addScalar(): argument 'tag' must be a non-empty string, but got '' (string)");
    bad(() => w.addScalar('x', '1' as unknown as number), TypeError, "SummaryWriter.addScalar(): argument 'scalarValue' must be a number or a one-element Tensor, but got '1' (string)");
    bad(() => w.addScalar('x', torch.zeros(2, 3)), RangeError, "SummaryWriter.addScalar(): argument 'scalarValue' must be a one-element Tensor, but got a Tensor of shape [2, 3]");
    bad(() => w.addScalar('x', 1, 1.5), TypeError, "SummaryWriter.addScalar(): argument 'globalStep' must be an integer, but got 1.5 (number)");
    bad(() => w.addScalar('x', 1, 1, NaN), TypeError, "SummaryWriter.addScalar(): argument 'walltime' must be a finite number of seconds since the epoch, but got NaN (number)");
    bad(() => w.addScalars('m', { a: 1, b: null as unknown as number }), TypeError, "SummaryWriter.addScalars(): argument 'tagScalarDict['b']' must be a number or a one-element Tensor, but got null");
    bad(() => w.addScalars('m', [1] as unknown as Record<string, number>), TypeError, "SummaryWriter.addScalars(): argument 'tagScalarDict' must be a plain object, but got Array");
    bad(() => w.addHistogram('h', []), RangeError, "SummaryWriter.addHistogram(): argument 'values' must be non-empty, but got no elements");
    bad(() => w.addHistogram('h', [1, NaN]), RangeError, "SummaryWriter.addHistogram(): argument 'values' must be finite, but got NaN at flat index 1");
    bad(() => w.addHistogram('h', 'abc' as unknown as number[]), TypeError, "SummaryWriter.addHistogram(): argument 'values' must be a Tensor, an array of numbers, a Float32Array or a Float64Array, but got 'abc' (string)");
    bad(() => w.addHistogram('h', [1], 0, 'auto'), RangeError, "SummaryWriter.addHistogram(): argument 'bins' must be 'tensorflow', a positive integer or an array of edges, but got 'auto' (string)");
    bad(() => w.addHistogram('h', [1], 0, 0), RangeError, "SummaryWriter.addHistogram(): argument 'bins' must be 'tensorflow', a positive integer or an increasing array of edges, but got 0 (number)");
    bad(() => w.addHistogram('h', [1], 0, [2, 1]), RangeError, "SummaryWriter.addHistogram(): argument 'bins' must be an array of at least 2 finite, non-decreasing edges, but got [2 (number), 1 (number)]");
    bad(() => w.addHistogram('h', [10], 0, [0, 1]), RangeError, "SummaryWriter.addHistogram(): argument 'values' must be inside the bin edges for a non-empty histogram, but got none of them inside");
    bad(() => w.addText('t', 5 as unknown as string), TypeError, "SummaryWriter.addText(): argument 'textString' must be a string, but got 5 (number)");
    bad(() => w.addHparams({ f: () => 1 } as never, {}), TypeError, "SummaryWriter.addHparams(): argument 'hparamDict['f']' must be a number, string, boolean, one-element Tensor, null or undefined, but got function");
    bad(() => w.addHparams({ a: 1 }, {}, { hparamDomainDiscrete: { a: ['x'] } as never }), TypeError, "SummaryWriter.addHparams(): argument 'hparamDomainDiscrete['a']' must be an array of numbers, the type of hparamDict['a'], but got Array");
    bad(() => w.addHparams({ a: 1 }, {}, { hparamDomainDiscrete: { b: [1] } }), RangeError, "SummaryWriter.addHparams(): argument 'hparamDomainDiscrete' must be to name hyperparameters of hparamDict, but got 'b', which is not one");
    bad(() => new SummaryWriter(tempDir(), { maxQueue: 0 }), RangeError, "new SummaryWriter(): argument 'maxQueue' must be a positive integer, but got 0 (number)");
    bad(() => new SummaryWriter(tempDir(), { flushSecs: -1 }), RangeError, "new SummaryWriter(): argument 'flushSecs' must be a positive number of seconds (at most 2147483), but got -1 (number)");
    bad(() => new SummaryWriter(5 as unknown as string), TypeError, "new SummaryWriter(): argument 'logDir' must be a string, but got 5 (number)");
    // Nothing of the failed calls reached the file: only the header record.
    w.close();
    expect(events(w.logDir)).toHaveLength(1);
  });

  it('an unwritable log directory is a SummaryWriterError with the path and the system error code', () => {
    const parent = tempDir();
    const file = join(parent, 'not-a-dir');
    writeFileSync(file, '');
    let error: unknown;
    try {
      new SummaryWriter(join(file, 'run'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SummaryWriterError);
    const e = error as SummaryWriterError;
    expect(e.message).toMatch(/^new SummaryWriter\(\): cannot create the log directory '.*not-a-dir\/run': /);
    expect(e.code).toBe('ENOTDIR');
    expect(e.path).toBe(join(file, 'run'));
    if (process.getuid?.() !== 0) {
      // Root ignores permission bits; elsewhere a read-only directory is EACCES.
      const ro = tempDir();
      chmodSync(ro, 0o500);
      expect(() => new SummaryWriter(ro)).toThrow(/^new SummaryWriter\(\): cannot create the event file/);
    }
  });
});

describe('proto/descriptor.ts', () => {
  it('is what scripts/tensorboard-proto.js generates from the .proto files (not edited by hand, not stale)', () => {
    const { render, DIR } = require(join(repo, 'scripts', 'tensorboard-proto.js')) as { render: () => string; DIR: string };
    expect(readFileSync(join(DIR, 'descriptor.ts'), 'utf8')).toBe(render());
  });
});
