/** Issue #11.4 for tensor ops: the `{ alpha }`, `{ beta, alpha }` options are checked when given. */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';

describe('op options', () => {
  const x = torch.tensor([1, 2], { dtype: torch.float32 });

  it('add(x, y, 2) (alpha without its name) is refused instead of adding with alpha 1', () => {
    expect(() => torch.add(x, x, 2 as never)).toThrow(new TypeError('add: options must be an object, got number 2'));
    expect(() => x.sub(x, { Alpha: 2 } as never)).toThrow(new TypeError("sub got an unexpected option 'Alpha' (did you mean 'alpha'?)"));
    expect(() => x.clone().add_(x, { alpha: '2' } as never)).toThrow(new TypeError("add_: option 'alpha' must be a number, got string '2'"));
    expect(torch.add(x, x, { alpha: 2 }).tolist()).toEqual([3, 6]);
  });

  it('addmm checks { beta, alpha }', () => {
    const m = torch.ones([2, 2]);
    expect(() => torch.addmm(m, m, m, { gamma: 1 } as never)).toThrow(new TypeError("addmm got an unexpected option 'gamma'"));
    expect(torch.addmm(m, m, m, { beta: 0, alpha: 2 }).tolist()).toEqual([
      [4, 4],
      [4, 4],
    ]);
  });
});
