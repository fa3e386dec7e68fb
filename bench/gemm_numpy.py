"""numpy's sgemm on the shapes bench/gemm.ts measures, so the two are compared in the same run.

Reads a JSON list of {label, transA, transB, m, n, k, bias, seconds} from stdin, prints a JSON
object {"blas": "...", "results": {label: best_seconds}}. The thread count comes from
OPENBLAS_NUM_THREADS, set by the caller. C is preallocated and written with `out=` so numpy, like
kindling, allocates nothing per call; the bias is added in place.
"""
import json
import sys
import time

import numpy as np


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # older numpy: no dict mode
        return "unknown BLAS"


def bench(shape):
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

    run()
    best = float("inf")
    budget = shape["seconds"]
    start = time.perf_counter()
    reps = 0
    while reps < 3 or (time.perf_counter() - start < budget and reps < 100000):
        t = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t)
        reps += 1
    return best


def main():
    shapes = json.load(sys.stdin)
    results = {s["label"]: bench(s) for s in shapes}
    print(json.dumps({"blas": blas_name(), "results": results}))


if __name__ == "__main__":
    main()
