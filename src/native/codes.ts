/**
 * Numeric op codes of the elementwise, reduction and loss kernels, mirrored from
 * `kindling_core::codes` (Rust). `__test__/native/codes` checks them against the binding's
 * `codesTable()`, so the two cannot drift apart silently.
 */

/**
 * `binary`, `binaryScalar`, `binaryBroadcast`. `Maximum`/`Minimum` propagate NaN; `Pow` with a
 * negative base and a non-integer exponent is NaN. As in PyTorch, `binaryScalar(Pow, x, p)` takes
 * the special-cased exponents of `x ** p` (0.5 → sqrt, 2 → x·x, …) and the reversed `Div`
 * (`s / x`) is `reciprocal(x) * s`.
 */
export const BinaryOp = {
  Add: 0,
  Sub: 1,
  Mul: 2,
  Div: 3,
  Pow: 4,
  Maximum: 5,
  Minimum: 6,
} as const;
export type BinaryOp = (typeof BinaryOp)[keyof typeof BinaryOp];

/**
 * `unary`, `unaryBackward`. `Pow` is `x ** param`, `Scale` is `x * param`; the activations take
 * PyTorch's arguments: `LeakyRelu` (param = negative slope), `Elu` (alpha), `Gelu` (exact, erf),
 * `GeluTanh` (`approximate='tanh'`), `Hardtanh` (param = min, param2 = max), `Softplus` (param =
 * beta, param2 = threshold); `Sin`, `Cos`. The backward reads `y` (the op's output) for Exp, Sqrt, Relu,
 * Sigmoid, Tanh; `x` (its input) for Log, Pow, Abs, Sin, Cos and the activations; neither for Neg, Scale.
 * The buffer not read may be an empty `Float32Array`.
 */
export const UnaryOp = {
  Neg: 0,
  Exp: 1,
  Log: 2,
  Sqrt: 3,
  Pow: 4,
  Relu: 5,
  Sigmoid: 6,
  Tanh: 7,
  Abs: 8,
  Scale: 9,
  Erf: 10,
  LeakyRelu: 11,
  Elu: 12,
  Silu: 13,
  Gelu: 14,
  GeluTanh: 15,
  Hardtanh: 16,
  Softplus: 17,
  Sin: 18,
  Cos: 19,
} as const;
export type UnaryOp = (typeof UnaryOp)[keyof typeof UnaryOp];

/** `reduce` over the middle axis of `(outer, dim, inner)`. */
export const ReduceOp = {
  Sum: 0,
  Mean: 1,
  Max: 2,
  Min: 3,
} as const;
export type ReduceOp = (typeof ReduceOp)[keyof typeof ReduceOp];

/** `reduceArg`: values and first indices of the max or min. */
export const ArgReduceOp = {
  Max: 0,
  Min: 1,
} as const;
export type ArgReduceOp = (typeof ArgReduceOp)[keyof typeof ArgReduceOp];

/** The `reduction` option of the losses. */
export const Reduction = {
  None: 0,
  Mean: 1,
  Sum: 2,
} as const;
export type Reduction = (typeof Reduction)[keyof typeof Reduction];
