//! Timings of a fused Adam step on one thread and on the pool (ignored tests: measurements, not
//! checks). Run on a quiet machine:
//! `cargo test -p kindling-core --release optim::timing -- --ignored --nocapture --test-threads 1`.
//!
//! Modes are interleaved call by call, so a burst of load from elsewhere hits all of them alike;
//! the table shows the minimum and the median of each.
use super::buffers::MIN_ELEMENTS;
use super::{adam_step, AdamOptions};
use crate::threads::{set_num_threads, TEST_LOCK};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

struct Group {
    params: Vec<Vec<f32>>,
    grads: Vec<Vec<f32>>,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    step: f64,
}

impl Group {
    fn new(sizes: &[usize]) -> Group {
        let fill = |k: f32| -> Vec<Vec<f32>> {
            sizes
                .iter()
                .map(|&n| (0..n).map(|j| (j as f32 * k).sin() * 0.01).collect())
                .collect()
        };
        Group {
            params: fill(0.01),
            grads: fill(0.03),
            m: fill(0.05),
            v: fill(0.07)
                .into_iter()
                .map(|b| b.iter().map(|x| x * x).collect())
                .collect(),
            step: 0.0,
        }
    }

    /// One step; returns its wall time in µs.
    fn step(&mut self) -> f64 {
        self.step += 1.0;
        let steps = vec![self.step; self.params.len()];
        let mut params: Vec<&mut [f32]> = self.params.iter_mut().map(|p| &mut p[..]).collect();
        let grads: Vec<&[f32]> = self.grads.iter().map(|g| &g[..]).collect();
        let mut m: Vec<&mut [f32]> = self.m.iter_mut().map(|b| &mut b[..]).collect();
        let mut v: Vec<&mut [f32]> = self.v.iter_mut().map(|b| &mut b[..]).collect();
        let options = AdamOptions {
            lr: 1e-4,
            ..AdamOptions::default()
        };
        let t = Instant::now();
        adam_step(
            &mut params,
            &grads,
            &mut m,
            &mut v,
            &mut [],
            &steps,
            &options,
        )
        .unwrap();
        t.elapsed().as_secs_f64() * 1e6
    }
}

/// Keeps this thread busy (as the rest of a training step would) for `us` microseconds.
fn busy(us: u64) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_micros(us) {
        std::hint::spin_loop();
    }
}

/// (CPU time of every process, CPU time of this one) so far, in clock ticks (Linux; 0 elsewhere).
fn cpu_ticks() -> (u64, u64) {
    let all = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = all
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    let busy =
        fields.iter().sum::<u64>() - fields.get(3).unwrap_or(&0) - fields.get(4).unwrap_or(&0);
    let me = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = me.rsplit(')').next().unwrap_or("");
    let f: Vec<u64> = after_name
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
    (busy, f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0))
}

fn summary(mut xs: Vec<f64>) -> String {
    xs.sort_by(f64::total_cmp);
    format!("{:6.1} {:6.1}", xs[0], xs[xs.len() / 2])
}

/// Before each timed call the caller is busy for `gap` µs (0: back to back, the worker still
/// spinning; longer than the pool's spin window: the worker has parked and must be woken).
#[test]
#[ignore]
fn adam_one_thread_against_the_pool() {
    let _g = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_num_threads(2).unwrap();
    let seed = [784 * 64, 64, 64 * 32, 32, 32 * 10, 10];
    let reps = 300;
    println!(
        "µs per Adam step (min median): 1 thread | 2 threads after a gap of 0 / 50 / 150 / 1000 µs"
    );
    let groups = match std::env::var("KINDLING_TIMING_SIZES") {
        // e.g. "52650;50176,64,2048,32,320,10": groups separated by `;`, buffers by `,`.
        Ok(list) => list
            .split(';')
            .map(|g| g.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .collect(),
        Err(_) => vec![
            vec![4096],
            vec![8192],
            vec![16384],
            vec![32768],
            seed.to_vec(),
            vec![131072],
        ],
    };
    for sizes in groups {
        let mut group = Group::new(&sizes);
        let (busy0, mine0) = cpu_ticks();
        let t0 = Instant::now();
        let gaps = [0u64, 50, 150, 1000];
        let mut one = Vec::new();
        let mut pool: Vec<Vec<f64>> = vec![Vec::new(); gaps.len()];
        for _ in 0..reps {
            MIN_ELEMENTS.store(usize::MAX, Relaxed);
            group.step();
            one.push(group.step());
            MIN_ELEMENTS.store(0, Relaxed);
            for (g, &gap) in gaps.iter().enumerate() {
                group.step();
                busy(gap);
                pool[g].push(group.step());
            }
        }
        MIN_ELEMENTS.store(super::buffers::PARALLEL_MIN_ELEMENTS, Relaxed);
        let (busy1, mine1) = cpu_ticks();
        // Clock ticks are 10 ms: the share of the 2 cores that other processes used meanwhile.
        let others = (busy1 - busy0).saturating_sub(mine1 - mine0) as f64 * 0.01
            / (2.0 * t0.elapsed().as_secs_f64());
        let total: usize = sizes.iter().sum();
        let cols: Vec<String> = pool.into_iter().map(summary).collect();
        println!(
            "{total:7} elements: {} | {} | others {:3.0} %",
            summary(one),
            cols.join(" | "),
            others * 100.0
        );
    }
}
