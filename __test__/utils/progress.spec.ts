/**
 * `progress()` (src/utils/progress.ts): tqdm's line format, plain lines per tenth when the stream
 * is not a terminal, in-place redraws on a terminal with console.log kept above the bar, silence
 * under `disable` and `CI`, the data/steps timing split, and its argument errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatInterval, progress } from '../../src/utils';

function fakeStream(isTTY: boolean): { stream: NodeJS.WritableStream & { isTTY: boolean }; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { stream, written };
}

const savedCI = process.env.CI;
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

describe('progress', () => {
  it('yields every item and prints a plain line per tenth when the stream is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const bar = progress(items, { desc: 'Epoch 1/5', stream, disable: false });
    const seen: number[] = [];
    for (const i of bar) {
      seen.push(i);
      bar.setPostfix({ loss: 2.5 - i * 0.01 });
    }
    expect(seen).toEqual(items);
    expect(written).toHaveLength(10);
    expect(written.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(written[0]).toMatch(/^Epoch 1\/5:  10%\|#{2} {18}\| 2\/20 \[00:00<00:00, \d+\.\d\dit\/s, loss=2\.49\]\n$/);
    expect(written[9]).toMatch(/^Epoch 1\/5: 100%\|#{20}\| 20\/20 \[00:00<00:00, \d+\.\d\dit\/s, loss=2\.31\]\n$/);
    expect(bar.n).toBe(20);
  });

  it('takes the total from a length (as a DataLoader has) and counts without one', () => {
    const { stream, written } = fakeStream(false);
    const sized = { length: 4, *[Symbol.iterator]() { yield* [1, 2, 3, 4]; } };
    expect(progress(sized, { stream, disable: false }).total).toBe(4);
    function* unsized(): Generator<number> {
      yield* [1, 2, 3];
    }
    const bar = progress(unsized(), { stream, disable: false, unit: 'batch' });
    expect(bar.total).toBeNull();
    expect([...bar]).toEqual([1, 2, 3]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^3batch \[00:00, \d+\.\d\dbatch\/s\]\n$/);
  });

  it('redraws one line on a terminal and keeps console.log lines above it', () => {
    const { stream, written } = fakeStream(true);
    const original = console.log;
    const logged: string[] = [];
    console.log = (line: string) => logged.push(line);
    try {
      const bar = progress([1, 2, 3, 4], { desc: 'train', stream, disable: false, minInterval: 3600 });
      for (const i of bar) {
        if (i === 2) console.log('halfway');
      }
      expect(console.log).not.toBe(original);
      bar.close();
      expect(logged).toEqual(['halfway']);
    } finally {
      console.log = original;
    }
    // first draw, erase before the log, redraw after it, the forced last draw, the close's redraw and newline
    expect(written[0]).toMatch(/^\r\x1b\[Ktrain:  25%\|#{5} {15}\| 1\/4 /);
    expect(written[1]).toBe('\r\x1b[K');
    // the log came from inside iteration 2's body: the bar still shows 1 done
    expect(written[2]).toMatch(/^\r\x1b\[Ktrain:  25%\|#{5} {15}\| 1\/4 /);
    // minInterval holds back the draws of 2 and 3 done
    expect(written.some((l) => / [23]\/4 /.test(l))).toBe(false);
    expect(written.some((l) => /^\r\x1b\[Ktrain: 100%\|#{20}\| 4\/4 /.test(l))).toBe(true);
    expect(written[written.length - 1]).toBe('\n');
  });

  it('restores console.log when the loop breaks early', () => {
    const { stream } = fakeStream(true);
    const original = console.log;
    const bar = progress([1, 2, 3], { stream, disable: false });
    for (const i of bar) if (i === 2) break;
    expect(console.log).toBe(original);
    expect(bar.n).toBe(2); // the item the loop broke on counts: its body ran
  });

  it('is silent when disabled, and by default when CI is set', () => {
    const { stream, written } = fakeStream(true);
    expect([...progress([1, 2, 3], { stream, disable: true })]).toEqual([1, 2, 3]);
    process.env.CI = 'true';
    expect([...progress([1, 2, 3], { stream })]).toEqual([1, 2, 3]);
    process.env.CI = 'false';
    const bar = progress([1, 2], { stream: fakeStream(false).stream });
    expect((bar as unknown as { disabled: boolean }).disabled).toBe(false);
    expect(written).toEqual([]);
  });

  it('splits the loop time into waiting for items and the body', () => {
    const { stream } = fakeStream(false);
    const spin = (ms: number): void => {
      const end = Date.now() + ms;
      while (Date.now() < end);
    };
    function* slowItems(): Generator<number> {
      for (let i = 0; i < 3; i++) {
        spin(30);
        yield i;
      }
    }
    const bar = progress(slowItems(), { stream, disable: false });
    for (const _ of bar) spin(10);
    const times = bar.close();
    expect(times.data).toBeGreaterThanOrEqual(0.08);
    expect(times.steps).toBeGreaterThanOrEqual(0.025);
    expect(times.steps).toBeLessThan(times.data);
  });

  it('formats intervals as tqdm does', () => {
    expect(formatInterval(0)).toBe('00:00');
    expect(formatInterval(75.4)).toBe('01:15');
    expect(formatInterval(3725)).toBe('1:02:05');
    expect(formatInterval(NaN)).toBe('?');
  });

  it('rejects what is not an iterable, bad totals and unknown options', () => {
    expect(() => progress(42 as unknown as Iterable<number>)).toThrow(new TypeError('progress(): expected an iterable, got number'));
    expect(() => progress([1], { total: -1 })).toThrow(RangeError);
    expect(() => progress([1], { total: 1.5 })).toThrow('progress(): total must be a non-negative integer, got 1.5');
    expect(() => progress([1], { plainLines: 0 })).toThrow(RangeError);
    expect(() => progress([1], { colour: 'red' } as never)).toThrow(TypeError);
  });
});
