/**
 * `CharTokenizer` and `CharDataset` (src/data/char-dataset.ts): sorted vocabulary of code
 * points, encode/decode round trip and errors; windows of next-character targets, through a
 * DataLoader.
 */
import { describe, expect, it } from 'vitest';
import { CharDataset, CharTokenizer, DataLoader } from '../../src/data';

describe('CharTokenizer', () => {
  it('maps the sorted distinct characters to ids and back', () => {
    const t = new CharTokenizer('hello\nwörld 🙂');
    expect(t.chars).toEqual(['\n', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w', 'ö', '🙂']);
    expect(t.vocabSize).toBe(11);
    expect(t.encode('hold')).toEqual([4, 6, 5, 2]);
    expect(t.decode([4, 6, 5, 2])).toBe('hold');
    expect(t.decode(t.encode('wörld 🙂'))).toBe('wörld 🙂');
    expect(t.decode([4n, 3n])).toBe('he');
  });

  it('refuses characters and ids outside the vocabulary', () => {
    const t = new CharTokenizer('abc');
    expect(() => t.encode('abz')).toThrow('CharTokenizer.encode: character "z" is not in the vocabulary');
    expect(() => t.decode([3])).toThrow('CharTokenizer.decode: id 3 is outside the vocabulary of 3');
    expect(() => new CharTokenizer('')).toThrow(TypeError);
  });
});

describe('CharDataset', () => {
  it('serves every window with the next characters as targets', () => {
    const ds = new CharDataset('abcabd', 3);
    expect(ds.length).toBe(3);
    const [x, y] = ds.getItem(1);
    expect(x.dtype).toBe('int64');
    expect(ds.tokenizer.decode(x.data as BigInt64Array)).toBe('bca');
    expect(ds.tokenizer.decode(y.data as BigInt64Array)).toBe('cab');
    expect(ds.tokenizer.decode(ds.getItem(-1)[1].data as BigInt64Array)).toBe('abd');
    const batches = [...new DataLoader(ds, { batchSize: 2 })];
    expect(batches.map(([bx]) => bx.shape)).toEqual([[2, 3], [1, 3]]);
  });

  it('uses a given tokenizer and refuses texts shorter than a window', () => {
    const tok = new CharTokenizer('abcdef');
    expect(new CharDataset('fed', 2, tok).getItem(0)[0].tolist()).toEqual([5, 4]);
    expect(() => new CharDataset('ab', 2)).toThrow('CharDataset: the text has 2 characters, fewer than blockSize + 1 (3)');
    expect(() => new CharDataset('abc', 0)).toThrow('CharDataset: blockSize must be a positive integer, got 0');
  });
});
