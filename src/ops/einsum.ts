/**
 * `torch.einsum(equation, ...operands)`: Einstein summation, parsed and checked as PyTorch does
 * (`aten/src/ATen/native/Linear.cpp`: same errors, implicit output = the ellipsis then the labels
 * seen once, A–Z before a–z; size-1 dimensions broadcast). It is built only from differentiable
 * ops — `diagonal` for a label repeated in one operand, `sum` for a label nothing else needs, and
 * per pair of operands `permute`/`reshape` into one batched matrix product (`bmm`, or a
 * broadcast `mul` when nothing is contracted) — so autograd comes from those ops. More than two
 * operands contract left to right.
 */
import { ShapeError } from '../errors';
import { describeValue } from '../options';
import { Tensor } from '../tensor';
import { mul } from './elementwise';
import { bmm } from './matmul';
import { sum } from './reduce';
import { diagonal, expand, permute, reshape } from './shape';

/** 52 letter labels (A–Z = 0…25, a–z = 26…51, PyTorch's order); ellipsis dimensions are 52, 53, … */
const LETTERS = 52;
const ELLIPSIS = -1;

function labelOf(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 97 + 26;
  return -2;
}

function letterOf(label: number): string {
  return String.fromCharCode(label < 26 ? 65 + label : 97 + label - 26);
}

function fail(message: string): never {
  throw new ShapeError(`einsum(): ${message}`);
}

/** The left-hand side as one label list per operand (ELLIPSIS for `...`), with PyTorch's checks. */
function parseInputs(lhs: string, numOperands: number): number[][] {
  const terms: number[][] = [[]];
  let foundEllipsis = false;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i];
    const op = terms.length - 1;
    if (c === ' ') continue;
    if (c === '.') {
      if (foundEllipsis) fail(`found '.' for operand ${op} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[i + 1] === '.' && lhs[i + 2] === '.')) fail(`found '.' for operand ${op} that is not part of any ellipsis`);
      i += 2;
      terms[op].push(ELLIPSIS);
      foundEllipsis = true;
    } else if (c === ',') {
      if (terms.length === numOperands) fail('fewer operands were provided than specified in the equation');
      terms.push([]);
      foundEllipsis = false;
    } else {
      const label = labelOf(c);
      if (label < 0) fail(`invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      terms[op].push(label);
    }
  }
  if (terms.length !== numOperands) fail('more operands were provided than specified in the equation');
  return terms;
}

/** The output labels, explicit (after `->`) or implicit. */
function parseOutput(equation: string, arrow: number, counts: number[], ellipsisDims: number): number[] {
  const ellipsis = Array.from({ length: ellipsisDims }, (_, k) => LETTERS + k);
  if (arrow < 0) {
    const once: number[] = [];
    for (let label = 0; label < LETTERS; label++) if (counts[label] === 1) once.push(label);
    return [...ellipsis, ...once];
  }
  const out: number[] = [];
  let foundEllipsis = false;
  for (let i = arrow + 2; i < equation.length; i++) {
    const c = equation[i];
    if (c === ' ') continue;
    if (c === '.') {
      if (foundEllipsis) fail(`found '.' for output but an ellipsis (...) was already found`);
      if (!(i + 2 < equation.length && equation[i + 1] === '.' && equation[i + 2] === '.')) fail(`found '.' for output that is not part of any ellipsis (...)`);
      i += 2;
      out.push(...ellipsis);
      foundEllipsis = true;
      continue;
    }
    const label = labelOf(c);
    if (label < 0) fail(`invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
    if (out.includes(label)) fail(`output subscript ${c} appears more than once in the output`);
    if (counts[label] === 0) fail(`output subscript ${c} does not appear in the equation for any input operand`);
    out.push(label);
  }
  return out;
}

interface Term {
  t: Tensor;
  labels: number[];
}

/** Takes the diagonal of every label repeated within one operand (`ii->i`), checking the sizes agree. */
function diagonalize(term: Term, index: number): Term {
  let { t, labels } = term;
  for (;;) {
    const q = labels.findIndex((l, j) => labels.indexOf(l) !== j);
    if (q < 0) return { t, labels };
    const p = labels.indexOf(labels[q]);
    if (t.shape[q] !== t.shape[p]) {
      fail(`subscript ${letterOf(labels[q])} is repeated for operand ${index} but the sizes don't match, ${t.shape[q]} != ${t.shape[p]}`);
    }
    t = diagonal(t, 0, p, q);
    labels = [...labels.filter((_, j) => j !== p && j !== q), labels[q]];
  }
}

/** Sums out the labels of `term` that are not in `keep`. */
function sumOut(term: Term, keep: ReadonlySet<number>): Term {
  const dims = term.labels.flatMap((l, d) => (keep.has(l) ? [] : [d]));
  if (dims.length === 0) return term;
  return { t: sum(term.t, dims), labels: term.labels.filter((l) => keep.has(l)) };
}

const product = (sizes: readonly number[]): number => sizes.reduce((p, s) => p * s, 1);

/**
 * `a`·`b` over their shared labels: those in `keep` stay as batch dimensions, the others are
 * contracted; each side's own labels not in `keep` are summed first. Size-1 dimensions of a
 * shared label are expanded to the other side's size (PyTorch's broadcasting).
 */
function contract(a: Term, b: Term, keep: ReadonlySet<number>, sizes: readonly number[]): Term {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  a = sumOut(a, new Set([...keep, ...inB]));
  b = sumOut(b, new Set([...keep, ...inA]));
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOut = a.labels.filter((l) => !inB.has(l));
  const bOut = b.labels.filter((l) => !inA.has(l));
  const arrange = (term: Term, order: number[]): Tensor => {
    const shape = order.map((l) => sizes[l]);
    const moved = permute(term.t, order.map((l) => term.labels.indexOf(l)));
    return moved.shape.every((s, d) => s === shape[d]) ? moved : expand(moved, shape);
  };
  const B = product(batch.map((l) => sizes[l]));
  const M = product(aOut.map((l) => sizes[l]));
  const N = product(bOut.map((l) => sizes[l]));
  const K = product(contracted.map((l) => sizes[l]));
  const left = arrange(a, [...batch, ...aOut, ...contracted]);
  const right = arrange(b, [...batch, ...contracted, ...bOut]);
  // Nothing to sum over (an outer or elementwise product): a broadcast multiply, not K = 1 matmuls.
  const result =
    contracted.length === 0
      ? mul(reshape(left, [B, M, 1]), reshape(right, [B, 1, N]))
      : bmm(reshape(left, [B, M, K]), reshape(right, [B, K, N]));
  const labels = [...batch, ...aOut, ...bOut];
  return { t: reshape(result, labels.map((l) => sizes[l])), labels };
}

/**
 * `torch.einsum(equation, ...operands)` (or `einsum(equation, [a, b])`): e.g. `'ij,jk->ik'`
 * (matmul), `'bhqd,bhkd->bhqk'` (attention scores), `'i,j->ij'` (outer), `'ii->i'` (diagonal),
 * `'ii'` (trace), `'...ij,...jk'` (broadcast batches). float32 operands.
 */
export function einsum(equation: string, ...args: Tensor[] | [readonly Tensor[]]): Tensor {
  if (typeof equation !== 'string') throw new TypeError(`einsum(): argument 'equation' must be a string, got ${describeValue(equation)}`);
  const operands = (args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args) as Tensor[];
  if (operands.length === 0) fail('must provide at least one operand');
  operands.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`einsum(): operand ${i} must be a Tensor, got ${describeValue(t)}`);
    if (t.dtype !== 'float32') throw new TypeError(`einsum(): expected float32 operands, got ${t.dtype} for operand ${i}`);
  });
  const arrow = equation.indexOf('->');
  const terms = parseInputs(arrow < 0 ? equation : equation.slice(0, arrow), operands.length);

  // Dimensions under each operand's ellipsis, right-aligned across operands as broadcasting is.
  const counts = new Array<number>(LETTERS).fill(0);
  let ellipsisDims = 0;
  terms.forEach((labels, i) => {
    const named = labels.filter((l) => l !== ELLIPSIS).length;
    const rank = operands[i].shape.length;
    const hasEllipsis = named !== labels.length;
    for (const l of labels) if (l !== ELLIPSIS) counts[l]++;
    if (hasEllipsis ? named > rank : named !== rank) {
      fail(
        `the number of subscripts in the equation (${named}) ${hasEllipsis ? 'is more than' : 'does not match'} the number of dimensions (${rank}) for operand ${i}${hasEllipsis ? '' : ' and no ellipsis was given'}`,
      );
    }
    if (hasEllipsis) ellipsisDims = Math.max(ellipsisDims, rank - named);
  });
  const output = parseOutput(equation, arrow, counts, ellipsisDims);

  // Each operand's labels, one per dimension, and every label's (broadcast) size.
  const sizes = new Array<number>(LETTERS + ellipsisDims).fill(1);
  const seen = new Array<boolean>(LETTERS + ellipsisDims).fill(false);
  const expanded: Term[] = terms.map((labels, i) => {
    const t = operands[i];
    const at = labels.indexOf(ELLIPSIS);
    const covered = t.shape.length - (labels.length - (at < 0 ? 0 : 1));
    const own = at < 0 ? labels : [...labels.slice(0, at), ...Array.from({ length: covered }, (_, k) => LETTERS + ellipsisDims - covered + k), ...labels.slice(at + 1)];
    own.forEach((l, d) => {
      const size = t.shape[d];
      if (size === 1 || own.indexOf(l) !== d) return; // repeated labels are checked by diagonalize
      if (seen[l] && sizes[l] !== 1 && sizes[l] !== size) {
        if (l < LETTERS) fail(`subscript ${letterOf(l)} has size ${size} for operand ${i} which does not broadcast with previously seen size ${sizes[l]}`);
        fail(`operands do not broadcast: the ellipsis dimension ${l - LETTERS} has size ${size} for operand ${i}, previously seen size ${sizes[l]}`);
      }
      seen[l] = true;
      sizes[l] = size;
    });
    return diagonalize({ t, labels: own }, i);
  });

  const keepOutput = new Set(output);
  let acc = expanded[0];
  if (expanded.length === 1) acc = sumOut(acc, keepOutput);
  for (let k = 1; k < expanded.length; k++) {
    // Keep what the output or a later operand still needs.
    const keep = new Set([...output, ...expanded.slice(k + 1).flatMap((e) => e.labels)]);
    acc = contract(acc, expanded[k], keep, sizes);
  }
  return permute(acc.t, output.map((l) => acc.labels.indexOf(l)));
}
