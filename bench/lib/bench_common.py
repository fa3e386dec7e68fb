"""Shared helpers for the Python (PyTorch) side of the benchmarks: MNIST from the IDX files with
numpy (no torchvision), the peak-RSS reading and the BENCH_RESULT line the Node suite parses."""
import json
import os
import re

RESULT_TAG = "BENCH_RESULT "


def read_idx(path, magic):
    with open(path, "rb") as f:
        raw = f.read()
    import numpy as np

    found = int.from_bytes(raw[0:4], "big")
    if found != magic:
        raise ValueError(f"{path}: IDX magic {found}, expected {magic}")
    rank = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * d : 8 + 4 * d], "big") for d in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_mnist(data_dir, split):
    """(images uint8 [N, 28, 28], labels uint8 [N]) of 'train' or 'test'."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"), 0x803)
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"), 0x801)
    return images, labels


def vm_hwm_mb(pid="self"):
    """Peak resident set size (VmHWM) of a process in MiB, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
        return int(m.group(1)) / 1024 if m else None
    except OSError:
        return None


def steps_cap(fallback):
    raw = os.environ.get("BENCH_STEPS", "")
    return min(int(raw), fallback) if raw.isdigit() and int(raw) > 0 else fallback


def report(result):
    result = dict(result, peakRssMb=vm_hwm_mb())
    print(RESULT_TAG + json.dumps(result), flush=True)
