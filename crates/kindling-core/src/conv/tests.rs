use super::*;
use crate::test_util::{assert_close, at_1_and_2_threads, data};

#[allow(clippy::too_many_arguments)]
fn opts(
    batch: usize,
    cin: usize,
    (in_h, in_w): (usize, usize),
    cout: usize,
    (kernel_h, kernel_w): (usize, usize),
    stride: (usize, usize),
    pad: (usize, usize),
    dilation: (usize, usize),
    groups: usize,
) -> Conv2dOptions {
    Conv2dOptions {
        batch,
        in_channels: cin,
        in_h,
        in_w,
        out_channels: cout,
        kernel_h,
        kernel_w,
        stride_h: stride.0,
        stride_w: stride.1,
        pad_h: pad.0,
        pad_w: pad.1,
        dilation_h: dilation.0,
        dilation_w: dilation.1,
        groups,
        pad_bottom: pad.0,
        pad_right: pad.1,
    }
}

/// Strides, paddings, dilations, groups (incl. depthwise), 1-D (height 1), odd sizes, batch 1,
/// a first layer (one input channel) and the MNIST example's second layer at a small batch.
fn cases() -> Vec<Conv2dOptions> {
    vec![
        opts(2, 3, (7, 9), 4, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(1, 1, (28, 28), 8, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(3, 4, (8, 7), 6, (3, 2), (2, 1), (1, 2), (1, 1), 2),
        opts(2, 4, (9, 9), 4, (3, 3), (1, 2), (2, 2), (2, 1), 4),
        opts(2, 6, (5, 11), 3, (1, 1), (1, 1), (0, 0), (1, 1), 3),
        opts(2, 3, (1, 17), 5, (1, 4), (1, 3), (0, 1), (1, 2), 1),
        opts(5, 2, (6, 6), 2, (6, 6), (1, 1), (0, 0), (1, 1), 1),
        opts(3, 32, (12, 12), 16, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        // padding='same' with an even kernel: one more zero after than before.
        Conv2dOptions {
            pad_bottom: 1,
            pad_right: 2,
            ..opts(2, 2, (5, 6), 3, (2, 4), (1, 1), (0, 1), (1, 1), 1)
        },
        // Over 32 output channels per group and enough work for the packed GEMM; positions not a
        // multiple of its panel width.
        opts(2, 8, (10, 11), 40, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        opts(2, 12, (21, 15), 68, (3, 3), (2, 1), (1, 2), (2, 1), 2),
        Conv2dOptions {
            pad_bottom: 1,
            pad_right: 2,
            ..opts(1, 4, (20, 21), 36, (2, 4), (1, 1), (0, 1), (1, 1), 1)
        },
        opts(2, 3, (9, 30), 48, (2, 5), (3, 3), (2, 2), (1, 2), 1),
        // Padding wider than the input: some taps see only zeros across a whole output row.
        opts(1, 1, (1, 1), 2, (5, 5), (1, 1), (2, 2), (1, 1), 1),
        // Stride 1 for the direct kernels: channel counts off their tiles (13 outputs, 5 inputs),
        // a wide grid that ends mid-vector, batch 1, dilation, uneven 'same' padding, groups,
        // padding beyond the kernel's reach (grad input then takes im2col) and the MNIST example's
        // two layers at a small batch.
        opts(1, 5, (9, 13), 13, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        opts(3, 7, (11, 10), 9, (3, 3), (1, 1), (0, 0), (2, 2), 1),
        opts(2, 6, (7, 19), 10, (5, 3), (1, 1), (2, 1), (1, 1), 2),
        Conv2dOptions {
            pad_bottom: 2,
            pad_right: 1,
            ..opts(2, 3, (6, 5), 17, (4, 2), (1, 1), (1, 0), (1, 1), 1)
        },
        opts(2, 4, (5, 5), 3, (3, 3), (1, 1), (3, 3), (1, 1), 1),
        opts(3, 1, (28, 28), 32, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(5, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(1, 16, (4, 3), 24, (1, 1), (1, 1), (0, 0), (1, 1), 1),
    ]
}

type Results = (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>);

fn run(o: &Conv2dOptions, simd: Simd) -> Results {
    run_using(o, simd, ConvAlgo::Auto)
}

fn run_using(o: &Conv2dOptions, simd: Simd, algo: ConvAlgo) -> Results {
    let g = Geometry::new("test", o).unwrap();
    let x = data(g.input_len(), 1, -1.0, 1.0);
    let w = data(g.weight_len(), 2, -0.5, 0.5);
    let b = data(o.out_channels, 3, -0.5, 0.5);
    let dy = data(g.output_len(), 4, -1.0, 1.0);
    let mut out = vec![f32::NAN; g.output_len()];
    conv2d_using(simd, algo, &x, &w, Some(&b), &mut out, o).unwrap();
    let mut gx = vec![f32::NAN; g.input_len()];
    conv2d_backward_input_using(simd, algo, &dy, &w, &mut gx, o).unwrap();
    let mut gw = vec![f32::NAN; g.weight_len()];
    let mut gb = vec![f32::NAN; o.out_channels];
    conv2d_backward_weight_using(simd, algo, &dy, &x, &mut gw, Some(&mut gb), o).unwrap();
    (out, gx, gw, gb)
}

/// The reference's output and gradients on `run_using`'s data.
fn reference_results(o: &Conv2dOptions) -> Results {
    let g = Geometry::new("test", o).unwrap();
    let x = data(g.input_len(), 1, -1.0, 1.0);
    let w = data(g.weight_len(), 2, -0.5, 0.5);
    let b = data(o.out_channels, 3, -0.5, 0.5);
    let dy = data(g.output_len(), 4, -1.0, 1.0);
    reference::conv2d_all(o, &x, &w, &b, &dy)
}

/// Output and the three gradients against the reference's, at float32 tolerances.
fn assert_results_close(got: &Results, want: &Results, what: &str) {
    assert_close(&got.0, &want.0, 1e-5, 1e-5, &format!("output {what}"));
    assert_close(&got.1, &want.1, 1e-5, 1e-5, &format!("grad input {what}"));
    assert_close(&got.2, &want.2, 1e-5, 1e-4, &format!("grad weight {what}"));
    assert_close(&got.3, &want.3, 1e-6, 1e-5, &format!("grad bias {what}"));
}

#[test]
fn every_path_matches_the_direct_convolution() {
    for o in cases() {
        let want = reference_results(&o);
        let paths = [Simd::Scalar].into_iter().chain(cpu::available_paths());
        let algos = [
            ConvAlgo::Auto,
            ConvAlgo::Im2col,
            ConvAlgo::Direct,
            ConvAlgo::Winograd,
        ];
        for (simd, algo) in paths.flat_map(|s| algos.map(|a| (s, a))) {
            let got = run_using(&o, simd, algo);
            assert_results_close(&got, &want, &format!("{o:?} on {simd:?}, {algo:?}"));
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // 9 images: two full weight chunks and a short one.
    let o = opts(9, 8, (14, 14), 16, (3, 3), (1, 1), (1, 1), (1, 1), 2);
    let (one, two) = at_1_and_2_threads(|| run(&o, cpu::active()));
    assert!(one == two, "conv results differ between 1 and 2 threads");
}

#[test]
fn direct_results_do_not_depend_on_the_thread_count() {
    // 9 images (grad weight: two full chunks and a short one), padding, channels off the tiles.
    for o in [
        opts(9, 5, (13, 11), 13, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        opts(9, 32, (12, 12), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
    ] {
        for simd in cpu::available_paths() {
            let (one, two) = at_1_and_2_threads(|| run_using(&o, simd, ConvAlgo::Direct));
            assert!(
                one == two,
                "direct conv differs between 1 and 2 threads on {simd:?}"
            );
        }
    }
}

/// The direct kernels' scalar arm (not dispatched to: `possible` wants a SIMD path) against the
/// reference, so the generic tile code is checked with one lane too.
#[test]
fn direct_kernels_with_one_lane() {
    let o = opts(2, 3, (7, 9), 5, (3, 3), (1, 1), (1, 1), (1, 1), 1);
    let geo = Geometry::new("test", &o).unwrap();
    let x = data(geo.input_len(), 1, -1.0, 1.0);
    let w = data(geo.weight_len(), 2, -0.5, 0.5);
    let b = data(o.out_channels, 3, -0.5, 0.5);
    let dy = data(geo.output_len(), 4, -1.0, 1.0);
    let (want, _, want_gw, _) = reference::conv2d_all(&o, &x, &w, &b, &dy);
    let mut out = vec![f32::NAN; geo.output_len()];
    direct_ops::forward(Simd::Scalar, &geo, &x, &w, Some(&b), &mut out, 0);
    assert_close(&out, &want, 1e-5, 1e-5, "scalar direct forward");
    let mut gw = vec![f32::NAN; geo.weight_len()];
    direct_ops::backward_weight(Simd::Scalar, &geo, &dy, &x, &mut gw, None, 0);
    assert_close(&gw, &want_gw, 1e-5, 1e-4, "scalar direct grad weight");
}

#[test]
fn no_bias_and_empty_batches() {
    let o = opts(2, 2, (4, 4), 3, (2, 2), (1, 1), (0, 0), (1, 1), 1);
    let g = Geometry::new("test", &o).unwrap();
    let x = data(g.input_len(), 1, -1.0, 1.0);
    let w = data(g.weight_len(), 2, -0.5, 0.5);
    let mut out = vec![0.0; g.output_len()];
    conv2d(&x, &w, None, &mut out, &o).unwrap();
    let (want, ..) = reference::conv2d_all(&o, &x, &w, &[0.0; 3], &vec![0.0; g.output_len()]);
    assert_close(&out, &want, 1e-6, 1e-6, "no bias");
    let empty = Conv2dOptions { batch: 0, ..o };
    conv2d(&[], &w, None, &mut [], &empty).unwrap();
    let mut gw = vec![f32::NAN; g.weight_len()];
    conv2d_backward_weight(&[], &[], &mut gw, None, &empty).unwrap();
    assert!(
        gw.iter().all(|&v| v == 0.0),
        "an empty batch has a zero weight gradient"
    );
}

#[test]
fn bad_sizes_are_errors_not_panics() {
    let o = opts(1, 2, (4, 4), 2, (3, 3), (1, 1), (0, 0), (1, 1), 1);
    let err = conv2d(&[0.0; 31], &[0.0; 36], None, &mut [0.0; 8], &o).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conv2d: x has 31 elements, expected 32 (input [1, 2, 4, 4], weight [2, 2, 3, 3], output [1, 2, 2, 2])"
    );
    let big = Conv2dOptions { kernel_h: 5, ..o };
    let err = conv2d(&[0.0; 32], &[0.0; 60], None, &mut [0.0; 8], &big).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conv2d: kernel 5×3 (dilation 1×1) is larger than the padded input 4×4"
    );
    let groups = Conv2dOptions { groups: 3, ..o };
    assert!(conv2d(&[0.0; 32], &[0.0; 36], None, &mut [0.0; 8], &groups).is_err());
    let stride = Conv2dOptions { stride_h: 0, ..o };
    let err = conv2d_backward_input(&[0.0; 8], &[0.0; 36], &mut [0.0; 32], &stride).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conv2d_backward_input: stride must be positive"
    );
    let err = conv2d_backward_weight(
        &[0.0; 8],
        &[0.0; 32],
        &mut [0.0; 36],
        Some(&mut [0.0; 3]),
        &o,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("conv2d_backward_weight: gradBias has 3 elements, expected 2"),
        "{err}"
    );
}

/// The shape-class rule documented in docs/ARCHITECTURE.md ("Convolution"): the MNIST example's
/// conv2 runs direct (grad input by scatter), its first layer im2col; stride 2 and the scalar path
/// never run direct; a single image runs its forward and grad input direct.
#[test]
fn auto_picks_the_measured_algorithm_per_shape_class() {
    let paths: Vec<Simd> = cpu::available_paths()
        .into_iter()
        .filter(|s| matches!(s, Simd::Avx512 | Simd::Avx2))
        .collect();
    let geo = |o: Conv2dOptions| Geometry::new("test", &o).unwrap();
    let conv1 = geo(opts(64, 1, (28, 28), 32, (3, 3), (1, 1), (0, 0), (1, 1), 1));
    let conv2 = geo(opts(
        64,
        32,
        (26, 26),
        64,
        (3, 3),
        (1, 1),
        (0, 0),
        (1, 1),
        1,
    ));
    let small = geo(opts(
        64,
        16,
        (32, 32),
        16,
        (3, 3),
        (1, 1),
        (1, 1),
        (1, 1),
        1,
    ));
    let single = geo(opts(1, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1));
    let conv1_single = geo(opts(1, 1, (28, 28), 32, (3, 3), (1, 1), (0, 0), (1, 1), 1));
    // 8 image-groups: not split, so the first layer's 9 taps stay on im2col.
    let conv1_few = geo(opts(2, 4, (28, 28), 32, (3, 3), (1, 1), (0, 0), (1, 1), 4));
    let strided = geo(opts(
        64,
        32,
        (26, 26),
        64,
        (3, 3),
        (2, 2),
        (0, 0),
        (1, 1),
        1,
    ));
    let auto = ConvAlgo::Auto;
    let (forward, input, weight) = (Pass::Forward, Pass::Input, Pass::Weight);
    let scatter = |g: &Geometry, s: Simd| direct_ops::input_by_scatter(s, g);
    for s in paths {
        assert!(auto.direct(s, &conv2, forward) && auto.direct(s, &conv2, weight));
        // conv2's grad input: the scatter (the full convolution computes 33 % more).
        assert!(auto.direct(s, &conv2, input) && scatter(&conv2, s));
        assert!(!auto.direct(s, &conv1, forward) && !auto.direct(s, &conv1, weight));
        assert!(!auto.direct(s, &conv1, input), "one input channel: im2col");
        // 16→16 with 'same' padding: the full convolution (depth 16 does not carry the scatter).
        assert!(auto.direct(s, &small, input) && !scatter(&small, s));
        assert!(auto.direct(s, &small, weight));
        assert!(!auto.direct(s, &strided, forward) && !auto.direct(s, &strided, weight));
        assert!(!auto.direct(s, &strided, input));
        // A single image: the forward splits over channels and positions, at any depth (the
        // first layer too), grad input by scatter over input-channel panels; grad weight, whose
        // images are its tasks, stays on im2col.
        assert!(
            auto.direct(s, &single, forward),
            "a single image's forward runs direct"
        );
        assert!(auto.direct(s, &single, input) && scatter(&single, s));
        assert!(!auto.direct(s, &single, weight));
        assert!(auto.direct(s, &conv1_single, forward) && !auto.direct(s, &conv1_few, forward));
        assert!(!auto.direct(s, &conv1_single, weight));
    }
    assert!(!auto.direct(Simd::Scalar, &conv2, forward));
}

/// Small batches cut the forward into blocks of output-channel panels and position tiles
/// (`direct_ops::forward_split`): a function of the sizes alone.
#[test]
fn small_batches_split_the_forward_over_panels_then_tiles() {
    use direct_ops::{forward_split, Split};
    let split = |panels_per_block, panel_blocks, tiles_per_block, tile_blocks| Split {
        panels_per_block,
        panel_blocks,
        tiles_per_block,
        tile_blocks,
    };
    // The MNIST conv2 at batch 1 (AVX-512: 8 panels of 8 channels, 13 tiles): one panel a task.
    assert_eq!(forward_split(1, 8, 13), split(1, 8, 13, 1));
    // Its first layer (4 panels, 16 tiles): panels, then tiles halved.
    assert_eq!(forward_split(1, 4, 16), split(1, 4, 8, 2));
    // One panel: tiles only; fewer tiles than wanted: every tile its own block.
    assert_eq!(forward_split(1, 1, 30), split(1, 1, 4, 8));
    assert_eq!(forward_split(1, 1, 3), split(1, 1, 1, 3));
    // Two images: 4 blocks each; odd counts spread evenly (5 panels as 2 + 2 + 1).
    assert_eq!(forward_split(2, 8, 13), split(2, 4, 13, 1));
    assert_eq!(forward_split(3, 5, 9), split(2, 3, 9, 1));
    // From `CONV_DIRECT_SPLIT_TASKS` image-groups on: one block (a task per image).
    assert_eq!(forward_split(8, 8, 13), split(8, 1, 13, 1));
    assert_eq!(forward_split(64, 8, 13), split(8, 1, 13, 1));
}

/// The split forward against the reference on shapes that hit each of its parts: panel blocks,
/// tile blocks, both, a last panel short of rows, padded sources copied once up front (and an
/// uneven 'same' padding), groups, dilation, a grid narrower than one tile (reads into the slack),
/// an unpadded last image read in place, and a 1×1 kernel; on every SIMD path, at 1 and 2 threads.
#[test]
fn split_forward_matches_the_reference() {
    let cases = [
        opts(1, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(1, 1, (28, 28), 32, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(1, 3, (17, 23), 5, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        opts(1, 6, (12, 14), 13, (3, 3), (1, 1), (2, 1), (2, 2), 1),
        opts(2, 8, (9, 11), 20, (3, 3), (1, 1), (1, 1), (1, 1), 2),
        opts(3, 4, (3, 4), 9, (2, 2), (1, 1), (0, 0), (1, 1), 1),
        opts(1, 16, (8, 8), 24, (1, 1), (1, 1), (0, 0), (1, 1), 1),
        Conv2dOptions {
            pad_bottom: 1,
            pad_right: 2,
            ..opts(1, 5, (10, 13), 11, (2, 4), (1, 1), (0, 1), (1, 1), 1)
        },
    ];
    for o in cases {
        let geo = Geometry::new("test", &o).unwrap();
        let x = data(geo.input_len(), 1, -1.0, 1.0);
        let w = data(geo.weight_len(), 2, -0.5, 0.5);
        let b = data(o.out_channels, 3, -0.5, 0.5);
        let dy = vec![0.0; geo.output_len()];
        let (want, ..) = reference::conv2d_all(&o, &x, &w, &b, &dy);
        for simd in cpu::available_paths() {
            if !direct::possible(simd, &geo) {
                continue;
            }
            let (one, two) = at_1_and_2_threads(|| {
                let mut out = vec![f32::NAN; geo.output_len()];
                conv2d_using(simd, ConvAlgo::Auto, &x, &w, Some(&b), &mut out, &o).unwrap();
                out
            });
            assert_close(&one, &want, 1e-5, 1e-5, &format!("{o:?} on {simd:?}"));
            assert!(
                one == two,
                "{o:?} on {simd:?} differs between 1 and 2 threads"
            );
            // The unsplit kernel (8 images: one task each) gives these images the same bits.
            let many = Conv2dOptions { batch: 8, ..o };
            let g8 = Geometry::new("test", &many).unwrap();
            let x8: Vec<f32> = x.iter().copied().cycle().take(g8.input_len()).collect();
            let mut out8 = vec![f32::NAN; g8.output_len()];
            conv2d_using(simd, ConvAlgo::Direct, &x8, &w, Some(&b), &mut out8, &many).unwrap();
            assert!(
                out8[..geo.output_len()] == one[..],
                "{o:?} on {simd:?}: the split forward's bits differ from one task per image"
            );
        }
    }
}

/// Both direct grad-input kernels against the reference on every stride-1 case they can run (the
/// full convolution only within the kernel's reach), on every path including the scalar arm, at
/// 1 and 2 threads with the same bits; single images and odd sizes split the scatter over panels
/// of input channels, which must give the bits of one task per image.
#[test]
fn both_direct_grad_inputs_match_the_reference() {
    let mut shapes = cases();
    shapes.extend([
        // Positions fewer than a tile (the `gradOut` copy), padding beyond the reach, a 1×1.
        opts(2, 17, (3, 4), 5, (2, 2), (1, 1), (0, 0), (1, 1), 1),
        opts(1, 9, (4, 4), 7, (3, 3), (1, 1), (3, 2), (1, 1), 1),
        opts(3, 20, (9, 7), 11, (3, 3), (1, 1), (4, 1), (2, 3), 1),
        opts(1, 40, (13, 13), 3, (1, 1), (1, 1), (0, 0), (1, 1), 1),
        opts(2, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 2),
        Conv2dOptions {
            pad_bottom: 2,
            pad_right: 0,
            ..opts(2, 24, (10, 12), 10, (3, 4), (1, 1), (0, 3), (1, 1), 1)
        },
    ]);
    for o in shapes {
        if o.stride_h != 1 || o.stride_w != 1 {
            continue;
        }
        let geo = Geometry::new("test", &o).unwrap();
        let w = data(geo.weight_len(), 2, -0.5, 0.5);
        let dy = data(geo.output_len(), 4, -1.0, 1.0);
        let x = vec![0.0; geo.input_len()];
        let (_, want, ..) = reference::conv2d_all(&o, &x, &w, &vec![0.0; o.out_channels], &dy);
        let work = work(&geo);
        for simd in [Simd::Scalar].into_iter().chain(cpu::available_paths()) {
            let what = format!("{o:?} on {simd:?}");
            let (one, two) = at_1_and_2_threads(|| {
                let mut gx = vec![f32::NAN; geo.input_len()];
                direct_ops::backward_input_scatter(simd, &geo, &dy, &w, &mut gx, work);
                gx
            });
            assert_close(
                &one,
                &want,
                1e-5,
                1e-5,
                &format!("scatter grad input {what}"),
            );
            assert!(
                one == two,
                "scatter grad input {what}: 1 and 2 threads differ"
            );
            // Eight copies of the batch: one task per image, no panel split.
            let many = Conv2dOptions {
                batch: 8 * o.batch,
                ..o
            };
            let g8 = Geometry::new("test", &many).unwrap();
            let dy8: Vec<f32> = dy.iter().copied().cycle().take(g8.output_len()).collect();
            let mut gx8 = vec![f32::NAN; g8.input_len()];
            direct_ops::backward_input_scatter(simd, &g8, &dy8, &w, &mut gx8, work);
            assert!(
                gx8[..geo.input_len()] == one[..],
                "scatter grad input {what}: the panel split's bits differ from one task per image"
            );
            if direct_ops::backward_input_fits(&geo) {
                let mut gx = vec![f32::NAN; geo.input_len()];
                direct_ops::backward_input(simd, &geo, &dy, &w, &mut gx, work);
                assert_close(&gx, &want, 1e-5, 1e-5, &format!("full grad input {what}"));
            }
        }
    }
}

/// The direct grad weight sums the bias while it copies `gradOut`: the same bits as the separate
/// bias pass that im2col runs (the same row sums, added in image order), with groups, padding and
/// a short last chunk of images.
#[test]
fn direct_grad_bias_has_the_separate_passes_bits() {
    for o in [
        opts(9, 8, (12, 12), 16, (3, 3), (1, 1), (1, 1), (1, 1), 2),
        opts(5, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
    ] {
        let geo = Geometry::new("test", &o).unwrap();
        let x = data(geo.input_len(), 1, -1.0, 1.0);
        let dy = data(geo.output_len(), 4, -1.0, 1.0);
        for simd in cpu::available_paths() {
            if !direct::possible(simd, &geo) {
                continue;
            }
            let bias = |algo| {
                let mut gw = vec![f32::NAN; geo.weight_len()];
                let mut gb = vec![f32::NAN; o.out_channels];
                conv2d_backward_weight_using(simd, algo, &dy, &x, &mut gw, Some(&mut gb), &o)
                    .unwrap();
                gb
            };
            assert!(
                bias(ConvAlgo::Direct) == bias(ConvAlgo::Im2col),
                "{o:?} on {simd:?}: the folded grad bias differs from the separate pass"
            );
        }
    }
}

/// Grad weight on column-shifted copies of the input (`gradOut` read in place when its positions
/// are a whole number of 16-lane vectors) against the reference, with the bias: padding, uneven
/// 'same' padding, padding beyond the kernel's reach, dilation, groups, a 1×1 kernel, a short last
/// chunk; every path including the scalar arm, the same bits at 1 and 2 threads.
#[test]
fn shifted_grad_weight_matches_the_reference() {
    let cases = [
        opts(3, 5, (8, 10), 7, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        opts(2, 6, (12, 9), 8, (3, 2), (1, 1), (0, 2), (2, 1), 2),
        opts(2, 8, (4, 4), 16, (1, 1), (1, 1), (0, 0), (1, 1), 1),
        opts(2, 4, (6, 6), 3, (3, 3), (1, 1), (3, 3), (1, 2), 1),
        opts(5, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        Conv2dOptions {
            pad_bottom: 1,
            pad_right: 1,
            ..opts(6, 3, (4, 8), 5, (2, 2), (1, 1), (0, 0), (1, 1), 1)
        },
    ];
    for o in cases {
        let geo = Geometry::new("test", &o).unwrap();
        assert!(direct_ops::shifted_columns(&geo), "{o:?}");
        let x = data(geo.input_len(), 1, -1.0, 1.0);
        let w = data(geo.weight_len(), 2, -0.5, 0.5);
        let b = data(o.out_channels, 3, -0.5, 0.5);
        let dy = data(geo.output_len(), 4, -1.0, 1.0);
        let (_, _, want_gw, want_gb) = reference::conv2d_all(&o, &x, &w, &b, &dy);
        for simd in [Simd::Scalar].into_iter().chain(cpu::available_paths()) {
            let (one, two) = at_1_and_2_threads(|| {
                let mut gw = vec![f32::NAN; geo.weight_len()];
                let mut gb = vec![f32::NAN; o.out_channels];
                direct_ops::backward_weight(
                    simd,
                    &geo,
                    &dy,
                    &x,
                    &mut gw,
                    Some(&mut gb),
                    work(&geo),
                );
                (gw, gb)
            });
            let what = format!("{o:?} on {simd:?}");
            assert_close(&one.0, &want_gw, 1e-5, 1e-4, &format!("grad weight {what}"));
            assert_close(&one.1, &want_gb, 1e-6, 1e-5, &format!("grad bias {what}"));
            assert!(one == two, "{what}: 1 and 2 threads differ");
        }
    }
}

/// Winograd's shapes: the MNIST example's second layer, 'same' padding (grad input padded 1),
/// padding 2 (grad input unpadded), odd output sizes (a tile's last row and column dropped), rows
/// wider than one vector of tiles, several blocks of tile rows, and a 'same' padding one more
/// after than before.
fn winograd_cases() -> Vec<Conv2dOptions> {
    vec![
        opts(8, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        opts(8, 16, (13, 11), 24, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        opts(9, 16, (9, 7), 16, (3, 3), (1, 1), (2, 2), (1, 1), 1),
        opts(8, 16, (44, 37), 16, (3, 3), (1, 1), (1, 0), (1, 1), 1),
        Conv2dOptions {
            pad_bottom: 2,
            pad_right: 2,
            ..opts(8, 24, (12, 15), 16, (3, 3), (1, 1), (1, 1), (1, 1), 1)
        },
    ]
}

#[test]
fn winograd_matches_the_reference() {
    for o in winograd_cases() {
        let g = Geometry::new("test", &o).unwrap();
        let want = reference_results(&o);
        for simd in cpu::available_paths() {
            for pass in [Pass::Forward, Pass::Input] {
                assert_eq!(
                    ConvAlgo::Auto.winograd(simd, &g, pass),
                    simd == Simd::Avx512,
                    "Auto takes Winograd for {pass:?} of {o:?} on {simd:?} exactly with AVX-512"
                );
            }
            let weight = simd == Simd::Avx512 && o.in_channels % 16 == 0;
            assert_eq!(
                ConvAlgo::Auto.winograd(simd, &g, Pass::Weight),
                weight,
                "grad weight of {o:?} on {simd:?}"
            );
            let got = run_using(&o, simd, ConvAlgo::Auto);
            assert_results_close(&got, &want, &format!("{o:?} on {simd:?}"));
        }
    }
}

#[test]
fn winograd_results_do_not_depend_on_the_thread_count() {
    for o in winograd_cases() {
        let (one, two) = at_1_and_2_threads(|| run_using(&o, cpu::active(), ConvAlgo::Winograd));
        assert!(
            one == two,
            "Winograd differs between 1 and 2 threads for {o:?}"
        );
    }
}

#[test]
fn auto_takes_winograd_only_where_it_pays() {
    if !Simd::Avx512.is_available() {
        return;
    }
    let simd = Simd::Avx512;
    let geo = |o: Conv2dOptions| Geometry::new("test", &o).unwrap();
    let takes = |o: Conv2dOptions, pass: Pass| ConvAlgo::Auto.winograd(simd, &geo(o), pass);
    let conv2 = opts(64, 32, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1);
    assert!(takes(conv2, Pass::Forward) && takes(conv2, Pass::Input) && takes(conv2, Pass::Weight));
    // Grad weight's transposed input goes 16 input channels at a time.
    assert!(!takes(
        opts(64, 24, (26, 26), 64, (3, 3), (1, 1), (0, 0), (1, 1), 1),
        Pass::Weight
    ));
    // Fewer images than the direct forward's split: direct, over channels and positions.
    assert!(!takes(Conv2dOptions { batch: 7, ..conv2 }, Pass::Forward));
    // The first layer (one input channel), channels off the register block, a 5 × 5 kernel,
    // stride, dilation and groups: not Winograd.
    for (cin, kernel, stride, dilation, groups) in [
        (1, 3, 1, 1, 1),
        (20, 3, 1, 1, 1),
        (32, 5, 1, 1, 1),
        (32, 3, 2, 1, 1),
        (32, 3, 1, 2, 1),
        (32, 3, 1, 1, 2),
    ] {
        let o = opts(
            64,
            cin,
            (26, 26),
            64,
            (kernel, kernel),
            (stride, stride),
            (0, 0),
            (dilation, dilation),
            groups,
        );
        assert!(!takes(o, Pass::Forward), "{o:?}");
    }
    // Padding beyond the kernel's reach: the forward can, grad input (negative padding) cannot.
    let wide = opts(64, 32, (26, 26), 64, (3, 3), (1, 1), (3, 3), (1, 1), 1);
    assert!(takes(wide, Pass::Forward) && !takes(wide, Pass::Input));
    assert!(!ConvAlgo::Auto.winograd(Simd::Avx2, &geo(conv2), Pass::Forward));
}
