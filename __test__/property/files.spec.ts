/**
 * Property tests of the two file parsers: the IDX reader (src/vision/idx.ts) and the safetensors
 * loader (src/serialization). Valid small files are built in the test, then truncated, extended,
 * mutated byte by byte or replaced by random bytes: every parse either returns exactly what a
 * valid file holds or throws the parser's typed error (IdxFormatError, a RangeError; or
 * CheckpointError, documented in src/serialization/errors.ts) naming the file — never a crash,
 * a hang or a tensor that does not match its header.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { CheckpointError } from '../../src/serialization';
import { decodeSafetensors, encodeSafetensors } from '../../src/serialization/safetensors';
import { Tensor } from '../../src/tensor';
import { IdxFormatError, parseIdx } from '../../src/vision/idx';
import { check, dtypeArb, numel, printCaseCounts, shapeArb, tensorArb } from '../helpers/arbitraries';

/** A byte-level change of a valid file. */
type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant<'truncate'>('truncate'), at: fc.nat() }),
  fc.record({ kind: fc.constant<'set'>('set'), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant<'flip'>('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant<'insert'>('insert'), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant<'delete'>('delete'), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'truncate') out = out.slice(0, at);
    else if (m.kind === 'set' && at < out.length) out[at] = m.value;
    else if (m.kind === 'flip' && at < out.length) out[at] ^= 1 << m.bit;
    else if (m.kind === 'insert') out = Uint8Array.from([...out.slice(0, at), ...m.bytes, ...out.slice(at)]);
    else if (m.kind === 'delete') out = Uint8Array.from([...out.slice(0, at), ...out.slice(at + m.count)]);
  }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

// ---- IDX ------------------------------------------------------------------------------------

function idxFile(shape: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

const idxArb = fc.tuple(fc.integer({ min: 1, max: 3 }), shapeArb(3, 4)).chain(([rank, dims]) => {
  const shape = [...dims, 1, 1, 1].slice(0, rank);
  return fc.uint8Array({ minLength: numel(shape), maxLength: numel(shape) }).map((data) => ({ shape, data, bytes: idxFile(shape, data) }));
});

/** What a (possibly mutated) IDX file must parse to, by the format's rules — or null if invalid. */
function idxReference(bytes: Uint8Array, dims: number): { shape: number[]; data: Uint8Array } | null {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 8 || bytes[3] !== dims) return null;
  const header = 4 + 4 * dims;
  if (bytes.length < header) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dims }, (_, d) => view.getUint32(4 + 4 * d, false));
  if (bytes.length - header !== numel(shape)) return null;
  return { shape, data: bytes.subarray(header) };
}

describe('file parsers (property)', () => {
  afterAll(() => printCaseCounts('files'));

  it('IDX: mutated, truncated or extended files (raw and gzipped) parse to what they say or throw IdxFormatError naming the file', () => {
    check('IDX mutated bytes', 500, idxArb, fc.array(mutationArb, { minLength: 0, maxLength: 3 }), fc.boolean(), ({ shape, bytes }, mutations, gzip) => {
      const raw = mutate(bytes, mutations);
      const file = gzip ? gzipSync(raw) : raw;
      const expected = idxReference(raw, shape.length);
      let got: { shape: number[]; data: Uint8Array } | null = null;
      try {
        got = parseIdx(file, 'train-images-idx3-ubyte', shape.length);
      } catch (e) {
        expect(e).toBeInstanceOf(IdxFormatError);
        expect(e).toBeInstanceOf(RangeError);
        expect((e as Error).message.startsWith('train-images-idx3-ubyte: ')).toBe(true);
      }
      if (expected === null) expect(got).toBeNull();
      else {
        expect(got).not.toBeNull();
        expect(got?.shape).toEqual(expected.shape);
        expect(sameBytes(got?.data as Uint8Array, expected.data)).toBe(true);
      }
    });
  });

  it('IDX: random bytes and damaged gzip streams never crash the parser', () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
      idxArb.chain(({ bytes }) => fc.tuple(fc.constant(gzipSync(bytes)), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))).map(([gz, m]) => mutate(gz, m)),
    );
    check('IDX random bytes / damaged gzip', 400, bytesArb, fc.integer({ min: 0, max: 4 }), (bytes, dims) => {
      try {
        const r = parseIdx(bytes, 'f.idx', dims);
        expect(r.data.length).toBe(numel(r.shape));
        expect(r.shape.length).toBe(dims);
      } catch (e) {
        expect(e).toBeInstanceOf(IdxFormatError);
        expect((e as Error).message.startsWith('f.idx: ')).toBe(true);
      }
    });
  });

  // ---- safetensors --------------------------------------------------------------------------

  const tensorsArb = fc.uniqueArray(
    fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_.]{0,6}$/), fc.tuple(shapeArb(3, 3), dtypeArb).chain(([s, d]) => tensorArb(s, d))),
    { minLength: 0, maxLength: 4, selector: ([name]) => name },
  );

  function fileOf(tensors: [string, Tensor][]): Uint8Array {
    const encoded = encodeSafetensors(new Map(tensors), { format: 'pt' });
    const out = new Uint8Array(encoded.byteLength);
    out.set(encoded.header, 0);
    let at = encoded.header.length;
    for (const c of encoded.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  function expectSameTensors(got: Map<string, Tensor>, want: [string, Tensor][]): void {
    expect([...got.keys()].sort()).toEqual(want.map(([n]) => n).sort());
    for (const [name, t] of want) {
      const g = got.get(name) as Tensor;
      expect(g.shape).toEqual(t.shape);
      expect(g.dtype).toBe(t.dtype);
      expect(sameBytes(new Uint8Array(g.data.buffer, g.data.byteOffset, g.data.byteLength), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
    }
  }

  it('safetensors: valid files of random tensors (every dtype, empty, NaN/Infinity) round-trip bit for bit', () => {
    check('safetensors round trip', 200, tensorsArb, (tensors) => {
      const decoded = decodeSafetensors(fileOf(tensors), 'm.safetensors');
      expectSameTensors(decoded.tensors, tensors);
      expect(decoded.metadata).toEqual({ format: 'pt' });
    });
  });

  it('safetensors: mutated/truncated header and data bytes load as a consistent file or throw CheckpointError naming the file', () => {
    check('safetensors mutated bytes', 600, tensorsArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (tensors, mutations) => {
      const valid = fileOf(tensors);
      const bytes = mutate(valid, mutations);
      let decoded: ReturnType<typeof decodeSafetensors> | null = null;
      try {
        decoded = decodeSafetensors(bytes, 'm.safetensors');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(CheckpointError);
        expect((e as Error).message.startsWith('load: m.safetensors: ')).toBe(true);
        return;
      }
      // Accepted: then every tensor is exactly its header's dtype/shape over its byte range (the
      // mutation hit data bytes, header padding, or produced another valid file).
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const n = Number(view.getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
      const size: Record<string, number> = { F32: 4, I32: 4, U8: 1, BOOL: 1, I64: 8 };
      for (const [name, t] of decoded.tensors) {
        const h = header[name];
        expect(t.shape).toEqual(h.shape);
        expect(h.data_offsets[1] - h.data_offsets[0]).toBe(numel(h.shape) * size[h.dtype]);
        if (h.dtype !== 'I64') {
          const raw = bytes.subarray(8 + n + h.data_offsets[0], 8 + n + h.data_offsets[1]);
          expect(sameBytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), raw)).toBe(true);
        }
        if (t.dtype === 'bool') expect(Array.from(t.data).every((v) => v === 0 || v === 1)).toBe(true);
      }
    });
  });

  it('safetensors: hand-made headers with wrong types, dtypes, shapes and offsets throw CheckpointError', () => {
    const entryArb = fc.record({
      dtype: fc.oneof(fc.constantFrom('F32', 'I32', 'U8', 'BOOL', 'I64', 'F16', 'f32', ''), fc.anything()),
      shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }), fc.anything()),
      data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: -2, max: 40 })), fc.anything()),
    }, { requiredKeys: [] });
    const headerArb = fc.dictionary(fc.oneof(fc.constantFrom('__metadata__', '__proto__', 'w'), fc.string({ maxLength: 3 })), fc.oneof(entryArb, fc.anything()), { maxKeys: 3 });
    check('safetensors hand-made headers', 500, headerArb, fc.uint8Array({ maxLength: 40 }), (header, data) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const bytes = new Uint8Array(8 + json.length + data.length);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
      bytes.set(json, 8);
      bytes.set(data, 8 + json.length);
      try {
        const decoded = decodeSafetensors(bytes, 'h.safetensors');
        for (const t of decoded.tensors.values()) expect(t).toBeInstanceOf(Tensor);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(CheckpointError);
        expect((e as Error).message.startsWith('load: h.safetensors: ')).toBe(true);
      }
    });
  });

  it('torch.load of a mutated kindling checkpoint (nested optimizer-like state) returns the saved object or throws CheckpointError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-prop-'));
    try {
      const state = {
        state: { 0: { step: 3, exp_avg: torch.tensor([1, 2, 3]) } },
        param_groups: [{ lr: 1e-4, betas: [0.9, 0.999], eps: NaN }],
      };
      torch.save(state, join(dir, 'ok.safetensors'));
      const valid = new Uint8Array(readFileSync(join(dir, 'ok.safetensors')));
      check('torch.load mutated checkpoint', 300, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (mutations) => {
        const path = join(dir, 'm.safetensors');
        writeFileSync(path, mutate(valid, mutations));
        try {
          const loaded = torch.load<Record<string, unknown>>(path);
          expect(typeof loaded).toBe('object');
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(CheckpointError);
          expect((e as Error).message.startsWith(`load: ${path}: `)).toBe(true);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
