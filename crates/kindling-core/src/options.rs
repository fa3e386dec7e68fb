//! The scalar settings of the kernels with more than four of them or more than seven parameters in
//! all (`sgemm`, the three losses, `adam_step`, `sgd_step`), as they cross the binding: packed into one `Float64Array`, one
//! element per field in the order the struct declares them (booleans as 0 or 1), and unpacked
//! here into a named struct. A napi options object would read each field through a property
//! lookup per field, several times per seed step (NOTE [ Options objects at the binding ] in
//! docs/PERFORMANCE.md); a packed array crosses like any other buffer. The
//! TypeScript side (`src/ops/kernels.ts`) packs from a named options object in the same order.
use crate::error::{check_len, KernelResult};
use crate::optim::{AdadeltaOptions, AdagradOptions, AdamOptions, RmspropOptions, SgdOptions};

/// A settings struct that crosses the binding packed into `FIELDS.len()` f64s.
pub trait Packed: Sized {
    /// The kernel the settings belong to, for the length error.
    const OP: &'static str;
    /// The fields in packing order (camelCase, as TypeScript names them).
    const FIELDS: &'static [&'static str];
    /// Builds the struct from exactly `FIELDS.len()` values.
    fn from_fields(values: &[f64]) -> Self;

    /// Unpacks `values`, which must hold one element per field.
    fn unpack(values: &[f64]) -> KernelResult<Self> {
        check_len(
            Self::OP,
            "options",
            values.len(),
            Self::FIELDS.len(),
            &Self::FIELDS.join(", "),
        )?;
        Ok(Self::from_fields(values))
    }
}

fn flag(value: f64) -> bool {
    value != 0.0
}

/// `sgemm`'s shapes and scalars: `op(a)` is m×k (stored k×m when `trans_a`), `op(b)` k×n.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GemmOptions {
    pub trans_a: bool,
    pub trans_b: bool,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub alpha: f32,
    pub beta: f32,
}

impl Packed for GemmOptions {
    const OP: &'static str = "sgemm";
    const FIELDS: &'static [&'static str] = &["transA", "transB", "m", "n", "k", "alpha", "beta"];
    fn from_fields(v: &[f64]) -> Self {
        GemmOptions {
            trans_a: flag(v[0]),
            trans_b: flag(v[1]),
            m: v[2] as usize,
            n: v[3] as usize,
            k: v[4] as usize,
            alpha: v[5] as f32,
            beta: v[6] as f32,
        }
    }
}

/// `cross_entropy`'s sizes and settings (`reduction`: a `codes::Reduction` code).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossEntropyOptions {
    pub n: u32,
    pub c: u32,
    pub ignore_index: i32,
    pub label_smoothing: f32,
    pub reduction: u32,
}

impl Packed for CrossEntropyOptions {
    const OP: &'static str = "cross_entropy";
    const FIELDS: &'static [&'static str] =
        &["n", "c", "ignoreIndex", "labelSmoothing", "reduction"];
    fn from_fields(v: &[f64]) -> Self {
        CrossEntropyOptions {
            n: v[0] as u32,
            c: v[1] as u32,
            ignore_index: v[2] as i32,
            label_smoothing: v[3] as f32,
            reduction: v[4] as u32,
        }
    }
}

/// `cross_entropy_probs`'s sizes and settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossEntropyProbsOptions {
    pub n: u32,
    pub c: u32,
    pub label_smoothing: f32,
    pub reduction: u32,
}

impl Packed for CrossEntropyProbsOptions {
    const OP: &'static str = "cross_entropy_probs";
    const FIELDS: &'static [&'static str] = &["n", "c", "labelSmoothing", "reduction"];
    fn from_fields(v: &[f64]) -> Self {
        CrossEntropyProbsOptions {
            n: v[0] as u32,
            c: v[1] as u32,
            label_smoothing: v[2] as f32,
            reduction: v[3] as u32,
        }
    }
}

/// `nll_loss`'s sizes and settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NllLossOptions {
    pub n: u32,
    pub c: u32,
    pub ignore_index: i32,
    pub reduction: u32,
}

impl Packed for NllLossOptions {
    const OP: &'static str = "nll_loss";
    const FIELDS: &'static [&'static str] = &["n", "c", "ignoreIndex", "reduction"];
    fn from_fields(v: &[f64]) -> Self {
        NllLossOptions {
            n: v[0] as u32,
            c: v[1] as u32,
            ignore_index: v[2] as i32,
            reduction: v[3] as u32,
        }
    }
}

impl Packed for AdamOptions {
    const OP: &'static str = "adam_step";
    const FIELDS: &'static [&'static str] = &[
        "lr",
        "beta1",
        "beta2",
        "eps",
        "weightDecay",
        "amsgrad",
        "maximize",
        "decoupledWeightDecay",
    ];
    fn from_fields(v: &[f64]) -> Self {
        AdamOptions {
            lr: v[0],
            beta1: v[1],
            beta2: v[2],
            eps: v[3],
            weight_decay: v[4],
            amsgrad: flag(v[5]),
            maximize: flag(v[6]),
            decoupled_weight_decay: flag(v[7]),
        }
    }
}

impl Packed for SgdOptions {
    const OP: &'static str = "sgd_step";
    const FIELDS: &'static [&'static str] = &[
        "lr",
        "momentum",
        "dampening",
        "nesterov",
        "weightDecay",
        "maximize",
    ];
    fn from_fields(v: &[f64]) -> Self {
        SgdOptions {
            lr: v[0],
            momentum: v[1],
            dampening: v[2],
            nesterov: flag(v[3]),
            weight_decay: v[4],
            maximize: flag(v[5]),
        }
    }
}

impl Packed for AdadeltaOptions {
    const OP: &'static str = "adadelta_step";
    const FIELDS: &'static [&'static str] = &["lr", "rho", "eps", "weightDecay", "maximize"];
    fn from_fields(v: &[f64]) -> Self {
        AdadeltaOptions {
            lr: v[0],
            rho: v[1],
            eps: v[2],
            weight_decay: v[3],
            maximize: flag(v[4]),
        }
    }
}

impl Packed for RmspropOptions {
    const OP: &'static str = "rmsprop_step";
    const FIELDS: &'static [&'static str] = &[
        "lr",
        "alpha",
        "eps",
        "weightDecay",
        "momentum",
        "centered",
        "maximize",
    ];
    fn from_fields(v: &[f64]) -> Self {
        RmspropOptions {
            lr: v[0],
            alpha: v[1],
            eps: v[2],
            weight_decay: v[3],
            momentum: v[4],
            centered: flag(v[5]),
            maximize: flag(v[6]),
        }
    }
}

impl Packed for AdagradOptions {
    const OP: &'static str = "adagrad_step";
    const FIELDS: &'static [&'static str] = &["lr", "lrDecay", "weightDecay", "eps", "maximize"];
    fn from_fields(v: &[f64]) -> Self {
        AdagradOptions {
            lr: v[0],
            lr_decay: v[1],
            weight_decay: v[2],
            eps: v[3],
            maximize: flag(v[4]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_fields_in_declaration_order() {
        let g = GemmOptions::unpack(&[1.0, 0.0, 10.0, 64.0, 784.0, 0.5, 2.0]).unwrap();
        assert_eq!(
            g,
            GemmOptions {
                trans_a: true,
                trans_b: false,
                m: 10,
                n: 64,
                k: 784,
                alpha: 0.5,
                beta: 2.0
            }
        );
        let a = AdamOptions::unpack(&[1e-3, 0.9, 0.999, 1e-8, 0.01, 0.0, 1.0, 1.0]).unwrap();
        assert_eq!(
            (a.lr, a.beta1, a.beta2, a.eps, a.weight_decay),
            (1e-3, 0.9, 0.999, 1e-8, 0.01)
        );
        assert_eq!(
            (a.amsgrad, a.maximize, a.decoupled_weight_decay),
            (false, true, true)
        );
        let s = SgdOptions::unpack(&[0.1, 0.9, 0.5, 1.0, 0.0, 0.0]).unwrap();
        assert_eq!(
            (s.lr, s.momentum, s.dampening, s.nesterov),
            (0.1, 0.9, 0.5, true)
        );
        let c = CrossEntropyOptions::unpack(&[3.0, 4.0, -100.0, 0.1, 1.0]).unwrap();
        assert_eq!((c.n, c.c, c.ignore_index, c.reduction), (3, 4, -100, 1));
        let p = CrossEntropyProbsOptions::unpack(&[3.0, 4.0, 0.25, 2.0]).unwrap();
        assert_eq!((p.n, p.c, p.label_smoothing, p.reduction), (3, 4, 0.25, 2));
        let l = NllLossOptions::unpack(&[3.0, 4.0, -1.0, 0.0]).unwrap();
        assert_eq!((l.n, l.c, l.ignore_index, l.reduction), (3, 4, -1, 0));
    }

    #[test]
    fn a_wrong_number_of_fields_is_a_length_error_naming_them() {
        let e = GemmOptions::unpack(&[0.0; 6]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "sgemm: options has 6 elements, expected 7 (transA, transB, m, n, k, alpha, beta)"
        );
    }
}
