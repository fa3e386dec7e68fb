/**
 * One model per layer type (and option) that `onnx.export` maps, with its example input: shared
 * by layers.spec.ts (onnxruntime) and checker.spec.ts (onnx.checker).
 */
import * as torch from '../../src';
import { nn, type Tensor } from '../../src';

const F = nn.functional;
export type AnyModel = nn.Module<never[], unknown>;

export interface Case {
  name: string;
  make: () => AnyModel;
  /** Example input(s); the second batch checks the dynamic axis (omitted when the case is static). */
  input: (batch: number) => Tensor | Tensor[];
  dynamic?: boolean;
  opsetVersion?: number;
}

/** A module whose forward is a function (the custom-module path: any forward made of mapped ops). */
class Fn extends nn.Module<Tensor[], Tensor | Tensor[]> {
  constructor(private readonly fn: (...x: Tensor[]) => Tensor | Tensor[], readonly inner: nn.Module | null = null) {
    super();
  }
  forward(...x: Tensor[]): Tensor | Tensor[] {
    return this.fn(...x);
  }
}

const seq = (...m: nn.Module[]): AnyModel => new nn.Sequential(...(m as never[])) as unknown as AnyModel;
const fn = (f: (...x: Tensor[]) => Tensor | Tensor[], inner: nn.Module | null = null): AnyModel => new Fn(f, inner) as unknown as AnyModel;
const randn = (...shape: number[]): Tensor => torch.randn(shape);

/** A BatchNorm whose running statistics moved away from 0/1 (a few training batches), then eval. */
function trainedBatchNorm(bn: nn.BatchNorm1d | nn.BatchNorm2d, shape: number[]): AnyModel {
  for (let i = 0; i < 3; i++) bn.forward(torch.randn(shape).mul(2).add(0.5));
  if (bn.weight !== null) nn.init.uniform_(bn.weight, 0.5, 1.5);
  if (bn.bias !== null) nn.init.uniform_(bn.bias, -0.5, 0.5);
  return bn.eval() as unknown as AnyModel;
}

export const CASES: Case[] = [
  { name: 'Linear (Gemm)', make: () => seq(new nn.Linear(6, 4)), input: (b) => randn(b, 6), dynamic: true },
  { name: 'Linear without bias on a 3-D input (MatMul)', make: () => seq(new nn.Linear(6, 4, { bias: false })), input: (b) => randn(b, 3, 6), dynamic: true },
  { name: 'Linear with bias on a 3-D input (MatMul + Add)', make: () => seq(new nn.Linear(6, 4)), input: (b) => randn(b, 3, 6), dynamic: true },
  { name: 'ReLU', make: () => seq(new nn.ReLU()), input: (b) => randn(b, 5), dynamic: true },
  { name: 'Sigmoid', make: () => seq(new nn.Sigmoid()), input: (b) => randn(b, 5) },
  { name: 'Tanh', make: () => seq(new nn.Tanh()), input: (b) => randn(b, 5) },
  { name: 'GELU (erf)', make: () => seq(new nn.GELU()), input: (b) => randn(b, 7) },
  { name: 'GELU (tanh)', make: () => seq(new nn.GELU({ approximate: 'tanh' })), input: (b) => randn(b, 7) },
  { name: 'GELU (erf), opset 17 (decomposed)', make: () => seq(new nn.GELU()), input: (b) => randn(b, 7), opsetVersion: 17 },
  { name: 'GELU (tanh), opset 18 (decomposed)', make: () => seq(new nn.GELU({ approximate: 'tanh' })), input: (b) => randn(b, 7), opsetVersion: 18 },
  { name: 'LeakyReLU', make: () => seq(new nn.LeakyReLU(0.2)), input: (b) => randn(b, 5) },
  { name: 'ELU', make: () => seq(new nn.ELU({ alpha: 0.7 })), input: (b) => randn(b, 5) },
  { name: 'SiLU', make: () => seq(new nn.SiLU()), input: (b) => randn(b, 5) },
  { name: 'Softmax', make: () => seq(new nn.Softmax(1)), input: (b) => randn(b, 5, 3) },
  { name: 'LogSoftmax', make: () => seq(new nn.LogSoftmax(-1)), input: (b) => randn(b, 5) },
  { name: 'Hardtanh', make: () => seq(new nn.Hardtanh(-0.5, 0.8)), input: (b) => randn(b, 9) },
  { name: 'Softplus', make: () => seq(new nn.Softplus()), input: (b) => randn(b, 9).mul(10) },
  { name: 'Softplus (beta 2, threshold 3)', make: () => seq(new nn.Softplus({ beta: 2, threshold: 3 })), input: (b) => randn(b, 9).mul(3) },
  { name: 'Dropout in eval (identity)', make: () => seq(new nn.Linear(4, 4), new nn.Dropout(0.5)).eval() as AnyModel, input: (b) => randn(b, 4) },
  { name: 'Flatten', make: () => seq(new nn.Flatten(), new nn.Linear(12, 2)), input: (b) => randn(b, 3, 2, 2), dynamic: true },
  { name: 'Conv1d (stride, padding, dilation)', make: () => seq(new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2 })), input: (b) => randn(b, 4, 11), dynamic: true },
  { name: 'Conv2d', make: () => seq(new nn.Conv2d(3, 5, 3)), input: (b) => randn(b, 3, 8, 8), dynamic: true },
  { name: 'Conv2d (stride, padding, dilation, groups)', make: () => seq(new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 })), input: (b) => randn(b, 4, 9, 7) },
  { name: "Conv2d (padding 'same', even kernel)", make: () => seq(new nn.Conv2d(2, 3, 4, { padding: 'same' })), input: (b) => randn(b, 2, 6, 6) },
  { name: 'Conv2d without bias', make: () => seq(new nn.Conv2d(2, 3, 3, { bias: false })), input: (b) => randn(b, 2, 5, 5) },
  { name: 'MaxPool2d', make: () => seq(new nn.MaxPool2d(2)), input: (b) => randn(b, 3, 8, 8), dynamic: true },
  { name: 'MaxPool2d (stride, padding, dilation)', make: () => seq(new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 1 })), input: (b) => randn(b, 2, 9, 9) },
  { name: 'MaxPool2d (ceilMode)', make: () => seq(new nn.MaxPool2d(2, { ceilMode: true })), input: (b) => randn(b, 2, 7, 7) },
  { name: 'MaxPool1d', make: () => seq(new nn.MaxPool1d(3, { stride: 2 })), input: (b) => randn(b, 3, 10) },
  { name: 'AvgPool2d', make: () => seq(new nn.AvgPool2d(2)), input: (b) => randn(b, 3, 6, 6) },
  { name: 'AvgPool2d (padding, countIncludePad false)', make: () => seq(new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false })), input: (b) => randn(b, 2, 7, 7) },
  { name: 'AvgPool2d (ceilMode, padding)', make: () => seq(new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true })), input: (b) => randn(b, 2, 8, 8) },
  { name: 'MaxPool2d (ceilMode, padding)', make: () => seq(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })), input: (b) => randn(b, 2, 8, 8) },
  { name: 'AvgPool1d', make: () => seq(new nn.AvgPool1d(2)), input: (b) => randn(b, 3, 8) },
  { name: 'AdaptiveAvgPool2d (global)', make: () => seq(new nn.AdaptiveAvgPool2d(1)), input: (b) => randn(b, 3, 5, 7), dynamic: true },
  { name: 'AdaptiveAvgPool2d (divisible)', make: () => seq(new nn.AdaptiveAvgPool2d([2, 3])), input: (b) => randn(b, 3, 8, 9) },
  { name: 'AdaptiveMaxPool2d (divisible)', make: () => seq(new nn.AdaptiveMaxPool2d(2)), input: (b) => randn(b, 3, 8, 8) },
  { name: 'BatchNorm1d (eval, running statistics)', make: () => trainedBatchNorm(new nn.BatchNorm1d(5), [8, 5]), input: (b) => randn(b, 5), dynamic: true },
  { name: 'BatchNorm1d on [N, C, L]', make: () => trainedBatchNorm(new nn.BatchNorm1d(3), [4, 3, 6]), input: (b) => randn(b, 3, 6) },
  { name: 'BatchNorm2d (eval)', make: () => trainedBatchNorm(new nn.BatchNorm2d(3), [4, 3, 5, 5]), input: (b) => randn(b, 3, 5, 5), dynamic: true },
  { name: 'BatchNorm2d without affine', make: () => trainedBatchNorm(new nn.BatchNorm2d(3, { affine: false }) as never, [4, 3, 5, 5]), input: (b) => randn(b, 3, 5, 5) },
  { name: 'LayerNorm', make: () => seq(new nn.LayerNorm(6)), input: (b) => randn(b, 4, 6), dynamic: true },
  { name: 'LayerNorm over two dims, no affine', make: () => seq(new nn.LayerNorm([4, 6], { elementwiseAffine: false })), input: (b) => randn(b, 4, 6) },
  { name: 'RMSNorm', make: () => seq(new nn.RMSNorm(6)), input: (b) => randn(b, 4, 6), dynamic: true },
  { name: 'RMSNorm over two dims, eps, no affine', make: () => seq(new nn.RMSNorm([4, 6], { eps: 1e-3, elementwiseAffine: false })), input: (b) => randn(b, 4, 6) },
  {
    name: 'clamp, clampMin, clampMax, where, maskedFill (masked attention by hand)',
    make: () => {
      const causal = torch.ones([5, 5]).triu(1).gt(0);
      const keep = torch.tensor([1, 0, 1, 1, 0]).gt(0);
      return fn((x) => {
        const scores = torch.matmul(x, x.transpose(-2, -1)).maskedFill(causal, -Infinity);
        const p = F.softmax(scores, -1);
        const gated = torch.where(keep.unsqueeze(-1), x, 0.5).add(torch.where(keep.unsqueeze(-1), -1, x));
        return [p, gated.clamp(-0.5, 0.7), x.clampMin(0.1), x.clampMax(-0.2), x.clamp(null, 0.3)];
      });
    },
    input: (b) => randn(b, 5, 3),
    dynamic: true,
  },
  {
    name: 'comparisons computed from the input (not frozen masks): where(x > 0, …), ≥, <, ≤, ==, ≠ against scalars and tensors',
    make: () => {
      const t = torch.tensor([0.5, -0.5, 0, 1]);
      return fn((x) => [
        torch.where(x.gt(0), x, x.mul(0.1)),
        x.maskedFill(x.le(t), 2).maskedFill(x.ge(1), -2),
        torch.where(x.lt(-0.5), 1, 0),
        torch.where(x.eq(t), x, 0).add(torch.where(x.ne(0.5), 1, x)),
      ]);
    },
    // Values in {−1, −0.5, 0, 0.5, 1}, so the equalities hold somewhere, different per batch size.
    input: (b) => torch.tensor(Array.from({ length: b * 4 }, (_, i) => (((i * 7 + b) % 5) - 2) / 2)).reshape([b, 4]),
    dynamic: true,
  },
  {
    name: 'a padding mask from integer ids (ids == 0 masked out of attention)',
    make: () => {
      const emb = new nn.Embedding(10, 4, { paddingIdx: 0 });
      return fn((ids) => {
        const x = emb.forward(ids);
        const scores = torch.matmul(x, x.transpose(1, 2)).maskedFill(ids.eq(0).unsqueeze(1), -1e9);
        return torch.matmul(F.softmax(scores, -1), x);
      }, emb);
    },
    input: (b) => torch.randint(0, 4, [b, 6], { dtype: 'int64' }),
    dynamic: true,
  },
  {
    name: 'views of integer ids (flatten, slice, unsqueeze) before Embedding',
    make: () => {
      const emb = new nn.Embedding(10, 3);
      return fn((ids) => emb.forward(ids.flatten()).add(emb.forward(ids.slice(1, 1).unsqueeze(-1)).sum(1).mean(0)), emb);
    },
    input: (b) => torch.randint(0, 10, [b, 3], { dtype: 'int64' }),
    dynamic: true,
  },
  {
    name: 'Embedding (Gather)',
    make: () => seq(new nn.Embedding(10, 4)),
    input: (b) => torch.randint(0, 10, [b, 5], { dtype: 'int64' }),
    dynamic: true,
  },
  {
    name: 'scaledDotProductAttention (no mask)',
    make: () => fn((q, k, v) => F.scaledDotProductAttention(q, k, v)),
    input: (b) => [randn(b, 2, 5, 4), randn(b, 2, 6, 4), randn(b, 2, 6, 3)],
  },
  {
    name: 'scaledDotProductAttention (causal, scale)',
    make: () => fn((q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true, scale: 0.3 })),
    input: (b) => [randn(b, 2, 5, 4), randn(b, 2, 5, 4), randn(b, 2, 5, 4)],
  },
  {
    name: 'scaledDotProductAttention (boolean and float masks)',
    make: () => {
      const bool = torch.tensor([[1, 0, 1], [1, 1, 0]]).gt(0);
      const float = torch.randn([2, 3]);
      return fn((q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: bool }).add(F.scaledDotProductAttention(q, k, v, { attnMask: float })));
    },
    input: (b) => [randn(b, 2, 4), randn(b, 3, 4), randn(b, 3, 4)],
  },
  {
    name: 'MultiheadAttention (self-attention, both outputs)',
    make: () => new nn.MultiheadAttention(8, 2).eval() as unknown as AnyModel,
    input: () => {
      const x = randn(5, 3, 8);
      return [x, x, x];
    },
  },
  {
    name: 'MultiheadAttention (batchFirst, needWeights false)',
    make: () => {
      const mha = new nn.MultiheadAttention(8, 4, { batchFirst: true }).eval();
      return fn((q, k, v) => mha.forward(q, k, v, { needWeights: false })[0], mha as unknown as nn.Module);
    },
    input: (b) => [randn(b, 5, 8), randn(b, 6, 8), randn(b, 6, 8)],
    dynamic: true,
  },
  {
    name: 'TransformerEncoderLayer (eval)',
    make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }).eval() as unknown as AnyModel,
    input: (b) => randn(b, 5, 8),
    dynamic: true,
  },
  {
    name: 'elementwise, matmul, cat, split, slicing, views (a custom forward)',
    make: () => {
      const w = new nn.Linear(6, 6);
      return fn((x, y) => {
        const [a, b2] = x.split(3, -1);
        const s = a.mul(b2).sub(a.div(b2.abs().add(1))).add(2).mul(0.5);
        const c = torch.cat([s, x.narrow(2, 1, 3)], -1);
        const m = torch.matmul(c, y.transpose(1, 2)).permute(0, 2, 1).reshape([x.shape[0], -1]);
        const picked = x.select(1, 0).add(x.slice(1, 1, 2).squeeze(1)).unsqueeze(1);
        const chunks = torch.chunk(w.forward(x), 2, -1);
        return [m.sum(1, true).sub(m.mean(1, true)), picked.view(x.shape[0], 6).sub(1), chunks[1].exp(), torch.stack([a, b2], 1).neg().exp().sqrt().pow(3)];
      }, w);
    },
    input: (b) => [randn(b, 4, 6), randn(b, 5, 6)],
    dynamic: true,
  },
  {
    name: 'outputs that repeat a tensor or return the input itself',
    make: () => fn((x) => {
      const y = x.relu();
      return [y, y, x];
    }),
    input: (b) => randn(b, 3),
    dynamic: true,
  },
  {
    name: 'Sequential of custom modules',
    make: () => {
      class Block extends nn.Module {
        fc = new nn.Linear(5, 5);
        norm = new nn.LayerNorm(5);
        forward(x: Tensor): Tensor {
          return x.add(F.gelu(this.fc.forward(this.norm.forward(x))));
        }
      }
      return seq(new Block(), new Block(), new nn.Linear(5, 2), new nn.Softmax(-1));
    },
    input: (b) => randn(b, 5),
    dynamic: true,
  },
];

