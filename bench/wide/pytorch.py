"""The wide workload on PyTorch: MLP 784-1024-1024-10 with Dropout(0.5) after each hidden ReLU,
CrossEntropyLoss, Adam lr 1e-3, batch 256 gathered from preloaded MNIST tensors by a shuffled index;
samples/s over `--steps` steps after `--warmup` warm-up steps.

  python3 pytorch.py --threads N --data DIR [--steps 200] [--warmup 10]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bench_common import load_mnist, report, steps_cap  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

BATCH = 256


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", required=True)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    steps = steps_cap(args.steps)

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    images, labels = load_mnist(args.data, "train")
    x = torch.from_numpy(images.copy()).float().div_(255).reshape(-1, 784)
    y = torch.from_numpy(labels.astype("int64"))

    model = nn.Sequential(
        nn.Linear(784, 1024),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(1024, 1024),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(1024, 10),
    )
    loss_function = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.randperm(x.shape[0])
    batches_per_epoch = x.shape[0] // BATCH

    def step(i):
        idx = order[(i % batches_per_epoch) * BATCH : (i % batches_per_epoch + 1) * BATCH]
        inputs, targets = x[idx], y[idx]
        optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss.item()

    for i in range(args.warmup):
        step(i)
    cpu_start = time.process_time()
    start = time.perf_counter()
    loss_sum = 0.0
    for i in range(steps):
        loss_sum += step(args.warmup + i)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    report(
        {
            "system": f"PyTorch {torch.__version__.split('+')[0]}",
            "threads": torch.get_num_threads(),
            "steps": steps,
            "warmup": args.warmup,
            "seconds": seconds,
            "cpuSeconds": cpu_seconds,
            "samplesPerSecond": steps * BATCH / seconds,
            "meanLoss": loss_sum / steps,
        }
    )


if __name__ == "__main__":
    main()
