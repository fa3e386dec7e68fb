/**
 * Character-level text for language models (makemore / nanoGPT style): a `CharTokenizer` that
 * maps each distinct character of a text to an id (sorted, as `sorted(set(text))`), and a
 * `CharDataset` of every window of `blockSize + 1` consecutive ids, served as
 * `[x, y] = [ids[i … i + T), ids[i + 1 … i + T]]` (int64), the next-character targets.
 */
import { Tensor } from '../tensor';
import { type Dataset, resolveIndex } from './dataset';

export class CharTokenizer {
  /** The characters, id order. */
  readonly chars: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(text: string) {
    if (typeof text !== 'string' || text.length === 0) throw new TypeError('CharTokenizer: expected a non-empty string');
    // Code points, not UTF-16 units, so 'é' or an emoji is one character.
    this.chars = [...new Set(Array.from(text))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.#ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  /** The ids of `text`'s characters (a RangeError names the first one not in the vocabulary). */
  encode(text: string): number[] {
    return Array.from(text, (c) => {
      const id = this.#ids.get(c);
      if (id === undefined) throw new RangeError(`CharTokenizer.encode: character ${JSON.stringify(c)} is not in the vocabulary`);
      return id;
    });
  }

  /** The text of `ids` (numbers, bigints, or an int tensor's values). */
  decode(ids: Iterable<number | bigint>): string {
    let out = '';
    for (const id of ids) {
      const c = this.chars[Number(id)];
      if (c === undefined) throw new RangeError(`CharTokenizer.decode: id ${String(id)} is outside the vocabulary of ${this.chars.length}`);
      out += c;
    }
    return out;
  }
}

export class CharDataset implements Dataset<[Tensor, Tensor]> {
  readonly ids: BigInt64Array;
  readonly blockSize: number;

  /** Windows over `text` encoded by `tokenizer` (one over `text` itself when not given). */
  constructor(text: string, blockSize: number, readonly tokenizer: CharTokenizer = new CharTokenizer(text)) {
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError(`CharDataset: blockSize must be a positive integer, got ${String(blockSize)}`);
    const ids = tokenizer.encode(text);
    if (ids.length < blockSize + 1) throw new RangeError(`CharDataset: the text has ${ids.length} characters, fewer than blockSize + 1 (${blockSize + 1})`);
    this.ids = BigInt64Array.from(ids, BigInt);
    this.blockSize = blockSize;
  }

  get length(): number {
    return this.ids.length - this.blockSize;
  }

  getItem(index: number): [Tensor, Tensor] {
    const i = resolveIndex(index, this.length);
    const t = this.blockSize;
    return [new Tensor(this.ids.slice(i, i + t), [t], 'int64'), new Tensor(this.ids.slice(i + 1, i + t + 1), [t], 'int64')];
  }
}
