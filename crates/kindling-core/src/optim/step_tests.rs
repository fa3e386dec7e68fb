//! Helpers shared by the Adadelta, RMSprop and Adagrad tests, which compare each fused step with a
//! scalar reference of PyTorch's tensor operations over 20 steps.
use crate::threads::{set_num_threads, TEST_LOCK};

/// The test signal: `sin(k·j)·0.5 + offset` for `j` in `0..n`.
pub(crate) fn wave(n: usize, k: f32, offset: f32) -> Vec<f32> {
    (0..n)
        .map(|j| (j as f32 * k).sin() * 0.5 + offset)
        .collect()
}

/// Starting parameters for buffers of `sizes` elements.
pub(crate) fn initial(sizes: &[usize]) -> Vec<Vec<f32>> {
    sizes.iter().map(|&n| wave(n, 0.3, 0.1)).collect()
}

/// The gradients of step `t` (from 1).
pub(crate) fn gradients(sizes: &[usize], t: usize) -> Vec<Vec<f32>> {
    sizes
        .iter()
        .map(|&n| wave(n, 0.07 * t as f32, -0.05))
        .collect()
}

pub(crate) fn filled(sizes: &[usize], value: f32) -> Vec<Vec<f32>> {
    sizes.iter().map(|&n| vec![value; n]).collect()
}

pub(crate) fn views(v: &mut [Vec<f32>]) -> Vec<&mut [f32]> {
    v.iter_mut().map(|b| &mut b[..]).collect()
}

pub(crate) fn reads(v: &[Vec<f32>]) -> Vec<&[f32]> {
    v.iter().map(|b| &b[..]).collect()
}

/// The sizes of a group large enough to go to the pool, with a small buffer after it.
pub(crate) const POOL_SIZES: [usize; 2] = [300_001, 7];

/// `run` gives the same result on one thread and on two.
pub(crate) fn assert_same_on_one_and_two_threads<T: PartialEq>(run: impl Fn() -> T) {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_num_threads(1).unwrap();
    let one = run();
    set_num_threads(2).unwrap();
    let two = run();
    assert!(one == two, "results differ between 1 and 2 threads");
}

/// The group sizes of the reference tests: vector bodies, tails and a one-element buffer.
pub(crate) const SIZES: [usize; 3] = [37, 1, 64];

/// `run(path)` equals `want` on the scalar path and on every SIMD path this CPU has.
pub(crate) fn assert_every_path_gives<T: PartialEq + std::fmt::Debug>(
    want: &T,
    run: impl Fn(crate::cpu::Simd) -> T,
    what: &dyn std::fmt::Debug,
) {
    assert_eq!(&run(crate::cpu::Simd::Scalar), want, "scalar {what:?}");
    for path in crate::cpu::available_paths() {
        assert_eq!(&run(path), want, "{path:?} {what:?}");
    }
}
