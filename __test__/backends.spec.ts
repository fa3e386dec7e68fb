import { describe, expect, it } from 'vitest';
import * as torch from '../src';

describe('simdPath and backends.cpu.getCpuCapability', () => {
  it('name the path the kernels run, in kindling\'s and PyTorch\'s spellings', () => {
    const path = torch.simdPath();
    expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(path);
    if (process.arch === 'x64') expect(path).not.toBe('neon');
    if (process.arch === 'arm64') expect(path).toBe('neon');
    const expected = { avx512: 'AVX512', avx2: 'AVX2', neon: 'DEFAULT', scalar: 'DEFAULT' }[path];
    expect(torch.backends.cpu.getCpuCapability()).toBe(expected);
  });
});
