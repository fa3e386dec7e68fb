/**
 * Thread counts are checked in TypeScript before they reach the binding (whose u32 conversion
 * wraps 2^32 to 0 and −1 to 4294967295): an integer from 1 to MAX_THREADS (256), for
 * `setNumThreads` and for `KINDLING_NUM_THREADS`, which is checked when kindling is imported.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { checkThreadsEnvironment } from '../../src/threads';

describe('thread count bounds', () => {
  const initial = torch.getNumThreads();
  afterEach(() => torch.setNumThreads(initial));

  it('setNumThreads(2**32) no longer reports "got 0": it names the cap and the count', () => {
    expect(() => torch.setNumThreads(2 ** 32)).toThrow(new RangeError('setNumThreads: expected at most 256 threads, got 4294967296'));
    expect(torch.getNumThreads()).toBe(initial);
  });

  it('setNumThreads has an upper bound (1000 no longer starts 999 OS threads)', () => {
    expect(torch.MAX_THREADS).toBe(256);
    expect(() => torch.setNumThreads(1000)).toThrow(new RangeError('setNumThreads: expected at most 256 threads, got 1000'));
    expect(() => torch.setNumThreads(257)).toThrow(new RangeError('setNumThreads: expected at most 256 threads, got 257'));
    expect(torch.getNumThreads()).toBe(initial);
  });

  it('setNumThreads(-1) is refused before the binding could wrap it to 4294967295', () => {
    expect(() => torch.setNumThreads(-1)).toThrow(new RangeError('setNumThreads: expected a positive integer, got -1'));
    expect(() => torch.setNumThreads(NaN)).toThrow(new RangeError('setNumThreads: expected a positive integer, got NaN'));
    expect(() => torch.setNumThreads('2' as unknown as number)).toThrow(new RangeError('setNumThreads: expected a positive integer, got 2'));
    expect(torch.getNumThreads()).toBe(initial);
  });

  it('accepts the counts in range', () => {
    torch.setNumThreads(1);
    expect(torch.getNumThreads()).toBe(1);
    torch.setNumThreads(2);
    expect(torch.getNumThreads()).toBe(2);
  });

  it('KINDLING_NUM_THREADS outside 1..256 is refused with a message naming the variable', () => {
    for (const bad of ['0', '-1', '257', '4294967296', '1.5', 'two', '0x10']) {
      expect(() => checkThreadsEnvironment(bad)).toThrow(new RangeError(`KINDLING_NUM_THREADS must be an integer from 1 to 256, got '${bad}'`));
    }
    for (const good of [undefined, '', ' ', '1', ' 4 ', '256']) expect(() => checkThreadsEnvironment(good)).not.toThrow();
  });

  it('importing kindling with KINDLING_NUM_THREADS=100000 throws at import; a valid value sets the count', () => {
    const script = "require('ts-node/register/transpile-only'); console.log(require('./src').getNumThreads())";
    const bad = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), env: { ...process.env, KINDLING_NUM_THREADS: '100000' }, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("RangeError: KINDLING_NUM_THREADS must be an integer from 1 to 256, got '100000'");
    const good = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), env: { ...process.env, KINDLING_NUM_THREADS: '3' }, encoding: 'utf8' });
    expect(good.stderr).toBe('');
    expect(good.stdout.trim()).toBe('3');
  });
});
