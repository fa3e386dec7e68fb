"""The measuring loop the GEMM references share (bench/gemm_numpy.py, bench/gemm_torch.py).

A reference runs as a long-lived child of bench/gemm.ts so that its measurements can be interleaved
with kindling's in time (the machine is shared: alternating short rounds exposes both to the same
disturbances). Protocol, one JSON object per line:
  child -> parent, once:   {"ready": true, "version": "..."}
  parent -> child:         {"label", "transA", "transB", "m", "n", "k", "bias", "seconds"}
  child -> parent:         {"label": ..., "best": seconds}
The thread count is fixed for the child's life (set by the caller through the environment and,
for torch, `torch.set_num_threads`). Inputs are built once per shape and kept, like kindling's.
"""
import json
import sys
import time


def best_time(run, budget):
    """Best of repeated runs of `run` (after one warm-up) within `budget` seconds, at least 3."""
    run()
    best = float("inf")
    start = time.perf_counter()
    reps = 0
    while reps < 3 or (time.perf_counter() - start < budget and reps < 100000):
        t = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t)
        reps += 1
    return best


def serve(version, make_run):
    """Answers measurement requests on stdin until it closes. `make_run(shape)` returns the
    zero-argument function that computes the shape's product once."""
    print(json.dumps({"ready": True, "version": version}), flush=True)
    runs = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        shape = json.loads(line)
        key = shape["label"]
        if key not in runs:
            runs[key] = make_run(shape)
        best = best_time(runs[key], shape["seconds"])
        print(json.dumps({"label": key, "best": best}), flush=True)
