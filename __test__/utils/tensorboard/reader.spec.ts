/**
 * Proof with TensorBoard's own reader: kindling's SummaryWriter makes the calls listed in
 * __test__/fixtures/tensorboard.json, Python's `tensorboard` package reads the files back
 * (scripts/tensorboard_read.py, via EventAccumulator with size_guidance 0), and every tag, step,
 * value, histogram and plugin payload must equal what the same reader read from PyTorch's
 * SummaryWriter on the same calls (scripts/fixtures/make_tensorboard_fixture.py).
 *
 * Skipped only when `python3 -c "import tensorboard"` fails AND KINDLING_REQUIRE_TENSORBOARD is
 * unset; CI sets it (and installs tensorboard), so there a missing reader is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../../src';
import { SummaryWriter } from '../../../src/utils/tensorboard';
import { descriptor } from '../../../src/utils/tensorboard/proto/descriptor';

const repo = resolve(__dirname, '../../..');
const READER = join(repo, 'scripts', 'tensorboard_read.py');
const probe = spawnSync('python3', ['-c', 'import tensorboard'], { encoding: 'utf8' });
const available = probe.status === 0;
const required = Boolean(process.env.KINDLING_REQUIRE_TENSORBOARD);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What TensorBoard's reader reads from every run under `logDir`. */
function readBack(logDir: string, ...args: string[]): Json {
  // PYTHONDONTWRITEBYTECODE: no __pycache__ left in scripts/.
  const out = execFileSync('python3', [READER, ...args, logDir].filter(Boolean), {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return JSON.parse(out);
}

const fixture = JSON.parse(readFileSync(join(repo, '__test__', 'fixtures', 'tensorboard.json'), 'utf8')) as { inputs: [string, Json][]; read: Json };

/** The fixture's PyTorch calls, made on kindling's writer. */
function replay(writer: SummaryWriter, name: string, a: Json): void {
  switch (name) {
    case 'add_scalar':
      return writer.addScalar(a.tag, a.value, a.step, a.walltime ?? undefined);
    case 'add_scalars':
      return writer.addScalars(a.main_tag, a.dict, a.step);
    case 'add_histogram': {
      const values = a.tensor ? torch.tensor(a.values as number[]) : (a.values as number[]);
      return writer.addHistogram(a.tag, values, a.step, a.bins ?? 'tensorflow', undefined, a.max_bins ?? undefined);
    }
    case 'add_text':
      return writer.addText(a.tag, a.text, a.step);
    case 'add_hparams':
      return writer.addHparams(a.hparams, a.metrics, { hparamDomainDiscrete: a.domain, runName: a.run_name });
    default:
      throw new Error(`unknown call ${name}`);
  }
}

/** Drops wall times that are the clock's (PyTorch's and ours differ), keeping those the calls fixed. */
function withoutClock(events: Json[]): Json[] {
  return events.map(({ wall_time: _w, ...rest }) => rest);
}

describe.skipIf(!available && !required)("TensorBoard's EventAccumulator reads kindling's event files as PyTorch's", () => {
  let dir = '';
  let ours: Json;

  beforeAll(() => {
    if (!available) {
      throw new Error(`KINDLING_REQUIRE_TENSORBOARD is set but \`python3 -c "import tensorboard"\` failed (exit status ${probe.status}): ${probe.stderr || probe.error?.message || 'no output'}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'kindling-tensorboard-'));
    const writer = new SummaryWriter(dir);
    for (const [name, args] of fixture.inputs) replay(writer, name, args);
    writer.close();
    ours = readBack(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same runs (addScalars sub-writers, the hparams run), one event file each, named as PyTorch names them', () => {
    expect(Object.keys(ours)).toEqual(Object.keys(fixture.read));
    expect(Object.keys(ours)).toEqual(['.', 'hp_run', 'run_14h_xcosx', 'run_14h_xsinx']);
    const host = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const name = new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${host}\\.${process.pid}\\.\\d+$`);
    for (const run of Object.values(ours) as Json[]) {
      expect(run.files).toHaveLength(1);
      expect(run.files[0]).toMatch(name);
      expect(run.file_version).toBe(2);
    }
  });

  it('scalars: every tag, step, value (float32) and the given wall times', () => {
    for (const [run, expected] of Object.entries(fixture.read) as [string, Json][]) {
      expect(Object.keys(ours[run].scalars), run).toEqual(Object.keys(expected.scalars));
      for (const [tag, events] of Object.entries(expected.scalars) as [string, Json[]][]) {
        const got = ours[run].scalars[tag];
        if (run === '.' && tag === 'loss') expect(got).toEqual(events);
        else expect(withoutClock(got), `${run} ${tag}`).toEqual(withoutClock(events));
      }
    }
    // A spot check that the fixture holds what the calls say (not only that both sides agree).
    expect(ours['.'].scalars.loss.map((e: Json) => e.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ours['.'].scalars.loss[1]).toEqual({ step: 1, wall_time: 1_700_000_000.5, value: 0.5 });
    expect(ours['.'].scalars.loss[4].value).toBe(Math.fround(-2.5e10));
    expect(ours.run_14h_xsinx.scalars['run/14h']).toHaveLength(5);
  });

  it("histograms: min, max, num, bucket limits and counts exactly PyTorch's; sum and sum of squares to 1e-12", () => {
    const expected = fixture.read['.'].histograms as Record<string, Json[]>;
    expect(Object.keys(ours['.'].histograms)).toEqual(Object.keys(expected));
    for (const [tag, events] of Object.entries(expected)) {
      const got = ours['.'].histograms[tag] as Json[];
      expect(got.map((e) => e.step), tag).toEqual(events.map((e) => e.step));
      got.forEach((g, i) => {
        const e = events[i];
        for (const k of ['min', 'max', 'num', 'bucket_limit', 'bucket']) expect(g[k], `${tag}[${i}].${k}`).toEqual(e[k]);
        // numpy sums pairwise and dots with BLAS; a plain running sum differs in the last bits.
        for (const k of ['sum', 'sum_squares']) expect(Math.abs(g[k] - e[k]), `${tag}[${i}].${k}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e[k])));
      });
    }
    // Counts add up to the values inside the edges: 'edges' drops -3.0 and 2.5, keeps 2.0 in the last bin.
    const edges = ours['.'].histograms.edges[0];
    expect(edges.bucket).toEqual([0, 2, 2, 3, 3]);
    expect(edges.num).toBe(12);
  });

  it('text: the DT_STRING tensor under <tag>/text_summary with the text plugin metadata', () => {
    expect(withoutClock(ours['.'].tensors['notes/text_summary'])).toEqual(withoutClock(fixture.read['.'].tensors['notes/text_summary']));
    expect(ours['.'].tensors['notes/text_summary'][1]).toMatchObject({ step: 1, dtype: 7, shape: [1], string_val: ['ünïcode ✓ text'] });
    expect(ours['.'].plugins).toEqual(fixture.read['.'].plugins);
  });

  it('hparams: the experiment, session start and session end protos and the metric scalars of the run', () => {
    expect(ours.hp_run.plugins).toEqual(fixture.read.hp_run.plugins);
    expect(ours.hp_run.plugins.hparams['_hparams_/session_start_info'].session_start_info.hparams).toEqual({ lr: 0.01, batch_size: 64, optimizer: 'adam' });
    expect(withoutClock(ours.hp_run.scalars['hparam/accuracy'])).toEqual([{ step: 0, value: Math.fround(0.93) }]);
  });

  it('writes a boolean hyperparameter as a boolean (PyTorch writes 1.0), with its discrete domain', () => {
    const d = mkdtempSync(join(tmpdir(), 'kindling-tensorboard-'));
    try {
      const w = new SummaryWriter(d);
      w.addHparams({ amsgrad: true }, { 'hp/m': 1 }, { runName: 'r', hparamDomainDiscrete: { amsgrad: [true, false] } });
      w.close();
      const read = readBack(d);
      const exp = read.r.plugins.hparams['_hparams_/experiment'].experiment;
      expect(exp.hparam_infos).toEqual([{ name: 'amsgrad', type: 'DATA_TYPE_BOOL', domain_discrete: [true, false] }]);
      expect(read.r.plugins.hparams['_hparams_/session_start_info'].session_start_info.hparams).toEqual({ amsgrad: true });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('purgeStep: a resumed run hides the events at and after that step that the crashed run wrote', () => {
    const d = mkdtempSync(join(tmpdir(), 'kindling-tensorboard-'));
    try {
      const crashed = new SummaryWriter(d);
      for (let step = 1; step <= 6; step++) crashed.addScalar('x', step, step);
      crashed.close();
      const resumed = new SummaryWriter(d, { purgeStep: 3 });
      resumed.addScalar('x', 30, 3);
      resumed.addScalar('x', 40, 4);
      resumed.close();
      const read = readBack(d);
      expect(read['.'].files).toHaveLength(2);
      expect(withoutClock(read['.'].scalars.x)).toEqual([
        { step: 1, value: 1 },
        { step: 2, value: 2 },
        { step: 3, value: 30 },
        { step: 4, value: 40 },
      ]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("the .proto subset has TensorBoard's field numbers, types and enum values (its *_pb2 descriptors)", () => {
    const schema = readBack('', '--schema');
    // protobufjs scalar type names → FieldDescriptor.TYPE_* numbers.
    const TYPES: Record<string, number> = { double: 1, float: 2, int64: 3, uint64: 4, int32: 5, bool: 8, string: 9, bytes: 12, uint32: 13 };
    const checked: string[] = [];
    const walk = (ns: Json, prefix: string): void => {
      for (const [name, node] of Object.entries(ns.nested ?? {}) as [string, Json][]) {
        const full = prefix ? `${prefix}.${name}` : name;
        if (node.fields) {
          const upstream = schema.messages[full];
          expect(upstream, `${full} is not a TensorBoard message`).toBeDefined();
          for (const [field, f] of Object.entries(node.fields) as [string, Json][]) {
            const [number, type, repeated] = upstream[field] ?? [];
            expect(number, `${full}.${field}`).toBe(f.id);
            const ours = f.keyType ? 11 : (TYPES[f.type] ?? (schema.enums[resolveName(full, f.type)] ? 14 : 11));
            expect(type, `${full}.${field} type`).toBe(ours);
            expect(repeated, `${full}.${field} repeated`).toBe(f.rule === 'repeated' || Boolean(f.keyType));
            checked.push(`${full}.${field}`);
          }
        }
        if (node.values) {
          const upstream = schema.enums[full];
          expect(upstream, `${full} is not a TensorBoard enum`).toBeDefined();
          for (const [v, n] of Object.entries(node.values)) expect(upstream[v], `${full}.${v}`).toBe(n);
        }
        walk(node, full);
      }
    };
    /** The enum a field type names, looked up from the message's scope outwards, as protobuf resolves it. */
    const resolveName = (scope: string, type: string): string => {
      const parts = scope.split('.');
      for (let i = parts.length; i >= 0; i--) {
        const candidate = [...parts.slice(0, i), type].join('.');
        if (schema.enums[candidate] || schema.messages[candidate]) return candidate;
      }
      return type;
    };
    walk(descriptor, '');
    expect(checked).toContain('tensorboard.Event.summary');
    expect(checked).toContain('tensorboard.hparams.SessionStartInfo.hparams');
    expect(checked.length).toBeGreaterThan(50);
  });
});
