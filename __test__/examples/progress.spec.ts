import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../examples/progress';

/** A stand-in for process.stdout that records what is written. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('ProgressBar', () => {
  it('prints a plain line per tenth of the epoch when stdout is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const bar = new ProgressBar('Epoch 1/5', 20, 10, stream);
    for (let i = 1; i <= 20; i++) {
      bar.batchStarted();
      bar.batchDone(i, 2.5 - i * 0.01);
    }
    bar.finish();
    expect(written).toHaveLength(10);
    expect(written.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(written[0]).toMatch(/^Epoch 1\/5 \[#{2}\.{22}\] 2\/20 loss 2\.480 \d+ samples\/s ETA \d+:\d\d\n$/);
    expect(written[9]).toMatch(/^Epoch 1\/5 \[#{24}\] 20\/20 loss 2\.300 \d+ samples\/s ETA 0:00\n$/);
  });

  it('redraws one line on a terminal and clears it around console.log', () => {
    const { stream, written } = fakeStream(true);
    const original = console.log;
    const logged: string[] = [];
    const capture = (line: string) => logged.push(line);
    console.log = capture;
    try {
      const bar = new ProgressBar('Epoch 2/5', 4, 10, stream);
      bar.batchStarted();
      bar.batchDone(1, 1.25);
      console.log('Loss after mini-batch     1: 1.250');
      bar.batchStarted();
      bar.batchDone(4, 1);
      const times = bar.finish();
      expect(times.data).toBeGreaterThanOrEqual(0);
      expect(times.steps).toBeGreaterThanOrEqual(0);
      // finish() hands console.log back.
      expect(console.log).toBe(capture);
    } finally {
      console.log = original;
    }
    expect(logged).toEqual(['Loss after mini-batch     1: 1.250']);
    expect(written[0]).toMatch(/^\r\x1b\[KEpoch 2\/5 \[#{6}\.{18}\] 1\/4 loss 1\.250 /);
    expect(written[1]).toBe('\r\x1b[K');
    expect(written[2]).toMatch(/^\r\x1b\[KEpoch 2\/5 .* 1\/4 /);
    expect(written[3]).toMatch(/^\r\x1b\[KEpoch 2\/5 \[#{24}\] 4\/4 loss 1\.000 /);
    expect(written[written.length - 1]).toBe('\r\x1b[K');
  });
});
