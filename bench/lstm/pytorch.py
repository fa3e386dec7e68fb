"""The LSTM workload on PyTorch (issue 17), as bench/lstm/kindling.ts: nn.LSTM(256, 256,
num_layers=2) on a time-major batch (sequence 64, batch 32), MSE against a random target,
backward, Adam (lr 1e-3): ms per step (median over BENCH_STEPS, default 10, after 2 warm-up steps).

  python3 pytorch.py --threads N
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bench_common import report  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

INPUT, HIDDEN, LAYERS, T, B = 256, 256, 2, 64, 32


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1337)
    model = nn.LSTM(INPUT, HIDDEN, num_layers=LAYERS)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = int(os.environ.get("BENCH_STEPS", "10"))
    times = []
    for i in range(steps + 2):
        x = torch.randn(T, B, INPUT)
        y = torch.randn(T, B, HIDDEN)
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        out, _ = model(x)
        loss = F.mse_loss(out, y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= 2:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    report({"system": "PyTorch", "threads": torch.get_num_threads(), "steps": len(times), "msPerStep": times[len(times) // 2],
            "params": sum(p.numel() for p in model.parameters())})


if __name__ == "__main__":
    main()
