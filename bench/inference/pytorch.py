"""PyTorch inference: the seed MLP or the MNIST CNN (the same architectures as bench/seed and
bench/cnn) in eval mode under torch.inference_mode, one forward per call, each timed.

    python3 inference/pytorch.py --model mlp|cnn --batch 1|64 --threads 2
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bench_common import report  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28 * 1, 64),
            nn.Dropout(0.5),
            nn.ReLU(),
            nn.Linear(64, 32),
            nn.Dropout(0.5),
            nn.ReLU(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return self.layers(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return F.log_softmax(self.fc2(x), dim=1)


def calls_for(model, batch):
    """The same counts as bench/inference/latency.ts's callsFor."""
    calls = 200 if model == "cnn" and batch > 1 else 2000
    cap = os.environ.get("BENCH_INFERENCE_CALLS")
    if cap and cap.isdigit() and int(cap) > 0:
        calls = min(calls, int(cap))
    return max(20, calls // 10), calls


def quantile(sorted_ms, q):
    import math

    return sorted_ms[min(len(sorted_ms) - 1, max(0, math.ceil(q * len(sorted_ms)) - 1))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="mlp")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = (Net() if a.model == "cnn" else MLP()).eval()
    x = torch.randn(a.batch, 1, 28, 28)
    warmup, calls = calls_for(a.model, a.batch)
    ms = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        for _ in range(calls):
            t = time.perf_counter_ns()
            model(x)
            ms.append((time.perf_counter_ns() - t) / 1e6)
    s = sorted(ms)
    report({"p50": quantile(s, 0.5), "p99": quantile(s, 0.99), "mean": sum(ms) / len(ms), "calls": calls, "threads": torch.get_num_threads()})


if __name__ == "__main__":
    main()
