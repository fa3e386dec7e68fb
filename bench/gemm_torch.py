"""PyTorch's CPU matmul on the shapes bench/gemm.ts measures: the reference issue #5 names.

Runs as a measuring child (protocol in bench/gemm_reference.py) with `torch.set_num_threads` from
KINDLING_BENCH_THREADS. Float32 on the CPU; C is preallocated and written with `out=`. The bias
shapes use `torch.addmm(bias, x, w.t())`, what `torch.nn.functional.linear` runs; the others
`torch.matmul`. Transposed operands are views (`.t()`), as in PyTorch's own linear backward.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_reference import serve  # noqa: E402


def make_run(shape):
    m, n, k = shape["m"], shape["n"], shape["k"]
    gen = torch.Generator().manual_seed(0)
    a = torch.randn((k, m) if shape["transA"] else (m, k), generator=gen)
    b = torch.randn((n, k) if shape["transB"] else (k, n), generator=gen)
    op_a = a.t() if shape["transA"] else a
    op_b = b.t() if shape["transB"] else b
    c = torch.empty((m, n))
    if shape["bias"]:
        bias = torch.randn(n, generator=gen)
        return lambda: torch.addmm(bias, op_a, op_b, out=c)
    return lambda: torch.matmul(op_a, op_b, out=c)


if __name__ == "__main__":
    threads = int(os.environ.get("KINDLING_BENCH_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)
    blas = "MKL" if torch.backends.mkl.is_available() else "no MKL"
    serve(f"torch {torch.__version__} ({blas})", make_run)
