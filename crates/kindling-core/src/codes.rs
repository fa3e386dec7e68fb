//! The numeric op codes that cross the JS boundary (`binary(op, …)`, `reduce(op, …)`, …). They are
//! mirrored by `src/native/codes.ts`; `table()` lists every code by group and name so a test on the
//! JS side fails when the two drift apart.
use crate::error::{KernelError, KernelResult};

macro_rules! codes {
    ($(#[$meta:meta])* $group:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum $group {
            $($(#[$vmeta])* $variant = $value),*
        }

        impl $group {
            /// Every code of the group, in numeric order.
            pub const ALL: &'static [$group] = &[$($group::$variant),*];

            /// The variant's name, as spelled in `codes.ts` (`Add`, `Relu`, …).
            pub fn name(self) -> &'static str {
                match self {
                    $($group::$variant => stringify!($variant)),*
                }
            }

            /// Decodes a code received from JS, naming `op` when it is unknown.
            pub fn from_code(op: &'static str, code: u32) -> KernelResult<Self> {
                match code {
                    $($value => Ok($group::$variant),)*
                    _ => Err(KernelError::value(
                        op,
                        format!(
                            "unknown {} code {code} (expected 0..={})",
                            stringify!($group),
                            Self::ALL.len() - 1
                        ),
                    )),
                }
            }
        }
    };
}

codes! {
    /// `binary`, `binaryScalar`, `binaryBroadcast`.
    BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Maximum = 5, Minimum = 6 }
}

codes! {
    /// `unary`, `unaryBackward`; `Pow` is `x^param`, `Scale` is `x·param`; the activations take
    /// PyTorch's arguments: `LeakyRelu` (param = negative slope), `Elu` (alpha), `Gelu` (exact, erf),
    /// `GeluTanh` (`approximate='tanh'`), `Hardtanh` (param = min, param2 = max), `Softplus`
    /// (param = beta, param2 = threshold). `Sin`/`Cos` are `torch.sin`/`torch.cos`.
    UnaryOp {
        Neg = 0, Exp = 1, Log = 2, Sqrt = 3, Pow = 4, Relu = 5, Sigmoid = 6, Tanh = 7, Abs = 8, Scale = 9,
        Erf = 10, LeakyRelu = 11, Elu = 12, Silu = 13, Gelu = 14, GeluTanh = 15, Hardtanh = 16,
        Softplus = 17, Sin = 18, Cos = 19,
    }
}

codes! {
    /// `reduce`.
    ReduceOp { Sum = 0, Mean = 1, Max = 2, Min = 3 }
}

codes! {
    /// `reduceArg`: which extreme the values/indices pair holds.
    ArgReduceOp { Max = 0, Min = 1 }
}

codes! {
    /// The `reduction` of the losses (`'none' | 'mean' | 'sum'`).
    Reduction { None = 0, Mean = 1, Sum = 2 }
}

/// Every code as `(group, name, value)`, for the drift test against `codes.ts`.
pub fn table() -> Vec<(&'static str, &'static str, u32)> {
    let mut rows = Vec::new();
    rows.extend(
        BinaryOp::ALL
            .iter()
            .map(|c| ("BinaryOp", c.name(), *c as u32)),
    );
    rows.extend(
        UnaryOp::ALL
            .iter()
            .map(|c| ("UnaryOp", c.name(), *c as u32)),
    );
    rows.extend(
        ReduceOp::ALL
            .iter()
            .map(|c| ("ReduceOp", c.name(), *c as u32)),
    );
    rows.extend(
        ArgReduceOp::ALL
            .iter()
            .map(|c| ("ArgReduceOp", c.name(), *c as u32)),
    );
    rows.extend(
        Reduction::ALL
            .iter()
            .map(|c| ("Reduction", c.name(), *c as u32)),
    );
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_and_round_trip() {
        for (i, op) in UnaryOp::ALL.iter().enumerate() {
            assert_eq!(*op as u32, i as u32);
            assert_eq!(UnaryOp::from_code("unary", i as u32), Ok(*op));
        }
        for (i, op) in BinaryOp::ALL.iter().enumerate() {
            assert_eq!(*op as u32, i as u32);
        }
        assert_eq!(table().len(), 7 + 20 + 4 + 2 + 3);
    }

    #[test]
    fn unknown_code_names_op_and_range() {
        let err = BinaryOp::from_code("binary", 7).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binary: unknown BinaryOp code 7 (expected 0..=6)"
        );
    }
}
