"""numpy's sgemm (its BLAS: OpenBLAS in the pip wheels) on the shapes bench/gemm.ts measures.

Runs as a measuring child (protocol in bench/gemm_reference.py). The thread count comes from
OPENBLAS_NUM_THREADS, set by the caller. C is preallocated and written with `out=` so numpy, like
kindling, allocates nothing per call; the bias is added in place.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_reference import serve  # noqa: E402


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # older numpy: no dict mode
        return "unknown BLAS"


def make_run(shape):
    m, n, k = shape["m"], shape["n"], shape["k"]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if shape["transA"] else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if shape["transB"] else (k, n), dtype=np.float32)
    op_a = a.T if shape["transA"] else a
    op_b = b.T if shape["transB"] else b
    bias = rng.standard_normal(n, dtype=np.float32) if shape["bias"] else None
    c = np.empty((m, n), dtype=np.float32)

    def run():
        np.matmul(op_a, op_b, out=c)
        if bias is not None:
            np.add(c, bias, out=c)

    return run


if __name__ == "__main__":
    serve(f"numpy {np.__version__} ({blas_name()})", make_run)
