/**
 * `F.cosineEmbeddingLoss`, `F.marginRankingLoss`, `F.tripletMarginLoss` (src/ops/loss-embedding.ts)
 * against PyTorch (`losses2.json`): margins (incl. negative for cosine), float and int64 targets
 * (a target of 0 adds nothing), unbatched inputs with a 0-d target; ranking at the hinge's edge
 * (gradient 0, as PyTorch's clamp_min) and its target gradient; triplet p = 2, 1, 3, 0.5, eps,
 * swap on and off (a hard negative the swap picks), unbatched; gradcheck; errors.
 *
 * Tolerance rtol 1e-5 / atol 1e-6 (a sqrt or p-th root over a short row, one sum).
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src';
import { ShapeError } from '../../src/errors';
import { cosineEmbeddingLoss, marginRankingLoss, tripletMarginLoss } from '../../src/ops/loss-embedding';
import { expectGradcheck } from '../helpers/gradcheck';
import { expectLossError, lossCases } from '../helpers/losses2';

const z = (...shape: number[]): torch.Tensor => torch.zeros(shape);
const rows = (seed: number): torch.Tensor =>
  torch.tensor(Array.from({ length: 3 }, (_, i) => Array.from({ length: 4 }, (_, j) => Math.sin(seed * 7 + i * 4 + j) * 1.5)), { requiresGrad: true });

describe('cosineEmbeddingLoss against PyTorch', () => {
  lossCases(['cosine_embedding_loss']);

  it('gradcheck for both inputs', () => {
    const y = torch.tensor([1, -1, -1]);
    for (const reduction of ['none', 'mean', 'sum'] as const) expectGradcheck((a, b) => cosineEmbeddingLoss(a, b, y, { margin: -0.5, reduction }), [rows(1), rows(2)], { eps: 1e-3 });
  });

  it('errors name the op', () => {
    const op = 'cosine_embedding_loss';
    expectLossError('cosine_target_2d', op, ShapeError, () => cosineEmbeddingLoss(z(2, 3), z(2, 3), z(2, 1)));
    expectLossError('cosine_inputs_1d_target', op, ShapeError, () => cosineEmbeddingLoss(z(3), z(3), z(1)));
    expectLossError('cosine_inputs_0d_target', op, ShapeError, () => cosineEmbeddingLoss(z(2, 3), z(2, 3), torch.tensor(1)));
    expectLossError('cosine_size', op, ShapeError, () => cosineEmbeddingLoss(z(2, 3), z(2, 4), z(2)));
  });
});

describe('marginRankingLoss against PyTorch', () => {
  lossCases(['margin_ranking_loss']);

  it('gradcheck for both inputs and the target', () => {
    const a = torch.tensor([0.5, -1.0, 2.0, 0.3], { requiresGrad: true });
    const b = torch.tensor([1.5, -0.2, 0.1, 0.9], { requiresGrad: true });
    const y = torch.tensor([1, -1, 1, -1], { requiresGrad: true });
    expectGradcheck((p, q, t) => marginRankingLoss(p, q, t, { margin: 0.25, reduction: 'none' }), [a, b, y], { eps: 1e-3 });
  });

  it('errors name the op', () => {
    expectLossError('ranking_dims', 'margin_ranking_loss', ShapeError, () => marginRankingLoss(z(3), z(3), z(3, 1)));
    expectLossError('ranking_size', 'margin_ranking_loss', ShapeError, () => marginRankingLoss(z(3), z(4), z(3)));
  });
});

describe('tripletMarginLoss against PyTorch', () => {
  lossCases(['triplet_margin_loss']);

  it('gradcheck for anchor, positive and negative: p = 2, 1, 3, swap', () => {
    for (const [p, swap] of [[2, false], [1, false], [3, true], [2, true]] as const) {
      expectGradcheck((a, b, c) => tripletMarginLoss(a, b, c, { p, swap, margin: 3, reduction: 'none' }), [rows(1), rows(2), rows(3)], { eps: 1e-3 });
    }
  });

  it('gives a zero gradient where a distance is exactly zero (p = 2), as PyTorch\'s norm backward', () => {
    const a = torch.tensor([[1, 2]], { requiresGrad: true });
    const loss = tripletMarginLoss(a, torch.tensor([[1, 2]]), torch.tensor([[1, 2.5]]), { eps: 0, margin: 1 });
    loss.backward();
    expect(Array.from(a.grad!.data as Float32Array)).toEqual([0, 1]);
  });

  it('errors name the op', () => {
    const op = 'triplet_margin_loss';
    expectLossError('triplet_margin', op, RangeError, () => tripletMarginLoss(z(2, 3), z(2, 3), z(2, 3), { margin: 0 }));
    expectLossError('triplet_dims', op, ShapeError, () => tripletMarginLoss(z(2, 3), z(2, 3), z(3)));
    expectLossError('triplet_size', op, ShapeError, () => tripletMarginLoss(z(2, 3), z(2, 4), z(2, 3)));
    expect(() => tripletMarginLoss(z(2, 3), z(2, 3), z(2, 3), { swap: 'yes' as never })).toThrow(new TypeError("triplet_margin_loss(): argument 'swap' must be bool, not string"));
  });
});
