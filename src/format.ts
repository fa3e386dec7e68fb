/**
 * `Tensor.toString()` in PyTorch's format (`torch/_tensor_str.py`, default print options:
 * precision 4, threshold 1000, edgeitems 3, linewidth 80): a shared element width, integer /
 * fixed / scientific modes, `...` summaries for large tensors, and the `dtype=` / `grad_fn=` /
 * `requires_grad=` suffixes.
 */
import type { Tensor } from './tensor';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGEITEMS = 3;
const LINEWIDTH = 80;

/** Python's `'{:.4e}'` (two-digit exponent at least: `1.0000e+00`). */
function sci(v: number): string {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  const [mantissa, exponent] = v.toExponential(PRECISION).split('e');
  const sign = exponent[0] === '-' ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}

function pyNonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

function fixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  const s = v.toFixed(digits);
  // Python prints negative zero as "-0.0000"; toFixed drops the sign.
  return Object.is(v, -0) ? `-${s}` : s;
}

class Formatter {
  private readonly floating: boolean;
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(values: ArrayLike<number | bigint>, floating: boolean, isBool: boolean) {
    this.floating = floating;
    if (!floating) {
      for (let i = 0; i < values.length; i++) {
        const s = isBool ? (values[i] ? 'True' : 'False') : String(values[i]);
        this.maxWidth = Math.max(this.maxWidth, s.length);
      }
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Number.isFinite(v) && v !== 0) finite.push(v);
    }
    if (finite.length === 0) return;
    let lo = Infinity;
    let hi = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    if (this.intMode) {
      if (hi / lo > 1000 || hi > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
      } else {
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, fixed(v, 0).length + 1);
      }
    } else if (hi / lo > 1000 || hi > 1e8 || lo < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
    } else {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, fixed(v, PRECISION).length);
    }
  }

  width(): number {
    return this.maxWidth;
  }

  format(value: number | bigint, isBool: boolean): string {
    let s: string;
    if (isBool) s = value ? 'True' : 'False';
    else if (!this.floating) s = String(value);
    else if (this.sciMode) s = sci(value as number);
    else if (this.intMode) s = fixed(value as number, 0) + (Number.isFinite(value) ? '.' : '');
    else s = fixed(value as number, PRECISION);
    return s.padStart(this.maxWidth, ' ');
  }
}

/** A row-major n-d accessor over the flat data, so sub-tensors need no copies. */
interface View {
  data: ArrayLike<number | bigint>;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

function sub(v: View, i: number): View {
  return { data: v.data, shape: v.shape.slice(1), strides: v.strides.slice(1), offset: v.offset + i * v.strides[0] };
}

/** The values PyTorch's formatter sees: only the edge items of each dimension when summarizing. */
function summarizedValues(v: View, summarize: boolean, out: Array<number | bigint>): void {
  if (v.shape.length === 0) {
    out.push(v.data[v.offset]);
    return;
  }
  const n = v.shape[0];
  const indices =
    summarize && n > 2 * EDGEITEMS
      ? [...Array.from({ length: EDGEITEMS }, (_, i) => i), ...Array.from({ length: EDGEITEMS }, (_, i) => n - EDGEITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);
  for (const i of indices) summarizedValues(sub(v, i), summarize, out);
}

function vectorStr(v: View, indent: number, summarize: boolean, f: Formatter, isBool: boolean): string {
  const elementLength = f.width() + 2;
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
  const n = v.shape[0];
  const at = (i: number): string => f.format(v.data[v.offset + i * v.strides[0]], isBool);
  let data: string[];
  if (summarize && n > 2 * EDGEITEMS) {
    data = [];
    for (let i = 0; i < EDGEITEMS; i++) data.push(at(i));
    data.push(' ...');
    for (let i = n - EDGEITEMS; i < n; i++) data.push(at(i));
  } else {
    data = Array.from({ length: n }, (_, i) => at(i));
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStr(v: View, indent: number, summarize: boolean, f: Formatter, isBool: boolean): string {
  const dim = v.shape.length;
  if (dim === 0) return f.format(v.data[v.offset], isBool);
  if (dim === 1) return vectorStr(v, indent, summarize, f, isBool);
  const n = v.shape[0];
  let slices: string[];
  if (summarize && n > 2 * EDGEITEMS) {
    slices = [];
    for (let i = 0; i < EDGEITEMS; i++) slices.push(tensorStr(sub(v, i), indent + 1, summarize, f, isBool));
    slices.push('...');
    for (let i = n - EDGEITEMS; i < n; i++) slices.push(tensorStr(sub(v, i), indent + 1, summarize, f, isBool));
  } else {
    slices = Array.from({ length: n }, (_, i) => tensorStr(sub(v, i), indent + 1, summarize, f, isBool));
  }
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The PyTorch-style representation of `t`, e.g. `tensor([[0.1000, 0.2000]], requires_grad=True)`. */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  const numel = t.data.length;
  const isBool = t.dtype === 'bool';
  let body: string;
  if (numel === 0) {
    body = '[]';
    if (!(t.shape.length === 1 && t.shape[0] === 0)) suffixes.push(`size=(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
  } else {
    const summarize = numel > THRESHOLD;
    const view: View = { data: t.data, shape: t.shape, strides: stridesOf(t.shape), offset: 0 };
    const seen: Array<number | bigint> = [];
    summarizedValues(view, summarize, seen);
    const f = new Formatter(seen, t.dtype === 'float32', isBool);
    body = tensorStr(view, indent, summarize, f, isBool);
  }
  // float32, int64 and bool are PyTorch's default-inferred dtypes: no suffix.
  if (t.dtype === 'uint8' || t.dtype === 'int32') suffixes.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');

  let out = prefix + body;
  const lastNewline = out.lastIndexOf('\n');
  let lastLineLength = lastNewline < 0 ? out.length : out.length - lastNewline - 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINEWIDTH) {
      out += ',\n' + ' '.repeat(indent) + suffix;
      lastLineLength = indent + suffix.length;
    } else {
      out += ', ' + suffix;
      lastLineLength += suffix.length + 2;
    }
  }
  return out + ')';
}
