/**
 * Reads the event files a SummaryWriter left under a directory, for the example specs: each
 * record's framing CRCs are checked and its Event decoded with the writer's own schema.
 * (reader.spec.ts is where TensorBoard's real reader checks the format itself.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { maskedCrc32c } from '../../src/utils/tensorboard/crc32c';
import { Event } from '../../src/utils/tensorboard/proto';

export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
}

/** The event files under `dir` (recursively), relative to it. */
export function eventFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /(^|\/)events\.out\.tfevents\./.test(f)).map((f) => relative(dir, join(dir, f)));
}

/** The scalars of one event file, in order; throws on a bad CRC or a first record that is not brain.Event:2. */
export function scalars(file: string): ScalarPoint[] {
  const bytes = readFileSync(file);
  const out: ScalarPoint[] = [];
  let at = 0;
  let first = true;
  while (at < bytes.length) {
    const len = Number(bytes.readBigUInt64LE(at));
    const data = bytes.subarray(at + 12, at + 12 + len);
    if (bytes.readUInt32LE(at + 8) !== maskedCrc32c(bytes.subarray(at, at + 8)) || bytes.readUInt32LE(at + 12 + len) !== maskedCrc32c(data)) {
      throw new Error(`${file}: bad CRC in the record at byte ${at}`);
    }
    const event = Event.toObject(Event.decode(data), { longs: Number }) as { file_version?: string; step?: number; summary?: { value: { tag: string; simple_value?: number }[] } };
    if (first && event.file_version !== 'brain.Event:2') throw new Error(`${file}: the first record is not file_version brain.Event:2`);
    first = false;
    for (const v of event.summary?.value ?? []) if (v.simple_value !== undefined) out.push({ tag: v.tag, step: event.step ?? 0, value: v.simple_value });
    at += 16 + len;
  }
  return out;
}
