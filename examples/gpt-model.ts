/**
 * nanoGPT's model in kindling (Karpathy's `model.py`, the parts a small character model uses):
 * token and position embeddings, pre-norm blocks of causal self-attention (on the fused
 * `scaledDotProductAttention`) and a GELU MLP, a final LayerNorm and a linear head; N(0, 0.02)
 * initialisation. Shared by examples/char-gpt.ts and the GPT benchmark (bench/gpt).
 */
import * as torch from 'kindling';
import { nn, Tensor } from 'kindling';

const F = nn.functional;

export interface Config {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
}

class CausalSelfAttention extends nn.Module {
  c_attn: nn.Linear;
  c_proj: nn.Linear;
  resid_dropout: nn.Dropout;

  constructor(private readonly cfg: Config) {
    super();
    this.c_attn = new nn.Linear(cfg.nEmbd, 3 * cfg.nEmbd);
    this.c_proj = new nn.Linear(cfg.nEmbd, cfg.nEmbd);
    this.resid_dropout = new nn.Dropout(cfg.dropout);
  }

  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape;
    const H = this.cfg.nHead;
    // [B, T, 3C] → q, k, v of [B, H, T, C/H]
    const [q, k, v] = this.c_attn.forward(x).split(C, 2).map((t) => t.view(B, T, H, C / H).transpose(1, 2));
    const y = F.scaledDotProductAttention(q, k, v, { isCausal: true, dropoutP: this.training ? this.cfg.dropout : 0 });
    return this.resid_dropout.forward(this.c_proj.forward(y.transpose(1, 2).contiguous().view(B, T, C)));
  }
}

class MLP extends nn.Module {
  c_fc: nn.Linear;
  c_proj: nn.Linear;
  dropout: nn.Dropout;

  constructor(cfg: Config) {
    super();
    this.c_fc = new nn.Linear(cfg.nEmbd, 4 * cfg.nEmbd);
    this.c_proj = new nn.Linear(4 * cfg.nEmbd, cfg.nEmbd);
    this.dropout = new nn.Dropout(cfg.dropout);
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(F.gelu(this.c_fc.forward(x))));
  }
}

class Block extends nn.Module {
  ln_1: nn.LayerNorm;
  attn: CausalSelfAttention;
  ln_2: nn.LayerNorm;
  mlp: MLP;

  constructor(cfg: Config) {
    super();
    this.ln_1 = new nn.LayerNorm(cfg.nEmbd);
    this.attn = new CausalSelfAttention(cfg);
    this.ln_2 = new nn.LayerNorm(cfg.nEmbd);
    this.mlp = new MLP(cfg);
  }

  forward(x: Tensor): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x)));
    return x.add(this.mlp.forward(this.ln_2.forward(x)));
  }
}

export class GPT extends nn.Module {
  wte: nn.Embedding;
  wpe: nn.Embedding;
  drop: nn.Dropout;
  h: nn.ModuleList;
  ln_f: nn.LayerNorm;
  lm_head: nn.Linear;

  constructor(readonly cfg: Config) {
    super();
    this.wte = new nn.Embedding(cfg.vocabSize, cfg.nEmbd);
    this.wpe = new nn.Embedding(cfg.blockSize, cfg.nEmbd);
    this.drop = new nn.Dropout(cfg.dropout);
    this.h = new nn.ModuleList(Array.from({ length: cfg.nLayer }, () => new Block(cfg)));
    this.ln_f = new nn.LayerNorm(cfg.nEmbd);
    this.lm_head = new nn.Linear(cfg.nEmbd, cfg.vocabSize, { bias: false });
    // nanoGPT's initialisation: N(0, 0.02) weights, zero biases.
    this.apply((m) => {
      if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.02);
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Embedding) {
        nn.init.normal_(m.weight, 0, 0.02);
      }
    });
  }

  /** Logits `[B, T, vocab]` for token ids `[B, T]`. */
  forward(idx: Tensor): Tensor {
    const T = idx.shape[1];
    const pos = torch.arange(T, { dtype: 'int64' });
    let x = this.drop.forward(this.wte.forward(idx).add(this.wpe.forward(pos)));
    for (const block of this.h) x = (block as Block).forward(x);
    return this.lm_head.forward(this.ln_f.forward(x));
  }

  /** Continues each row of `idx` by `maxNewTokens` sampled tokens (softmax of logits / temperature, top-k). */
  generate(idx: Tensor, maxNewTokens: number, temperature: number, topK: number): Tensor {
    return torch.noGrad(() => {
      for (let i = 0; i < maxNewTokens; i++) {
        const T = idx.shape[1];
        const context = T <= this.cfg.blockSize ? idx : idx.narrow(1, T - this.cfg.blockSize, this.cfg.blockSize);
        const logitsAll = this.forward(context);
        let logits = logitsAll.select(1, logitsAll.shape[1] - 1).div(temperature);
        if (topK > 0) {
          const kth = logits.topk(Math.min(topK, logits.shape[1]), -1).values.narrow(1, Math.min(topK, logits.shape[1]) - 1, 1);
          logits = logits.maskedFill(logits.lt(kth), -Infinity);
        }
        const next = torch.multinomial(F.softmax(logits, -1), 1);
        idx = torch.cat([idx, next], 1);
      }
      return idx;
    });
  }
}
