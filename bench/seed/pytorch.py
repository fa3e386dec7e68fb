"""The seed workload on PyTorch: MLP 784-64-32-10 with Dropout(0.5), CrossEntropyLoss, Adam lr 1e-4,
batch 10, shuffled, one epoch of the 60,000 MNIST training images, then test accuracy.

  python3 pytorch.py --loop seed|fast --threads N --data DIR

--loop seed: the seed program's own loop: a per-sample Dataset returning [1, 28, 28] float tensors
  (what torchvision's MNIST + ToTensor() yields, minus the PIL round trip) and
  DataLoader(batch_size=10, shuffle=True, num_workers=1).
--loop fast: TensorDataset over preloaded tensors, DataLoader(batch_size=10, shuffle=True), no workers.
BENCH_STEPS=n stops after n steps and extrapolates the epoch time.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bench_common import load_mnist, report, steps_cap, vm_hwm_mb  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28 * 1, 64),
            nn.Dropout(p=0.5),
            nn.ReLU(),
            nn.Linear(64, 32),
            nn.Dropout(p=0.5),
            nn.ReLU(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return self.layers(x)


class PerSampleMNIST(Dataset):
    """torchvision.datasets.MNIST's shape: item i is ([1, 28, 28] float in [0, 1], int label)."""

    def __init__(self, images, labels):
        self.images = torch.from_numpy(images.copy())
        self.labels = labels.tolist()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i].unsqueeze(0).float().div(255), self.labels[i]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loop", choices=["seed", "fast"], required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_images, train_labels = load_mnist(args.data, "train")
    test_images, test_labels = load_mnist(args.data, "test")

    if args.loop == "seed":
        dataset = PerSampleMNIST(train_images, train_labels)
        loader = DataLoader(dataset, batch_size=10, shuffle=True, num_workers=1)
    else:
        x = torch.from_numpy(train_images.copy()).float().div_(255).unsqueeze(1)
        y = torch.from_numpy(train_labels.astype("int64"))
        loader = DataLoader(TensorDataset(x, y), batch_size=10, shuffle=True, num_workers=0)

    mlp = MLP()
    loss_function = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(mlp.parameters(), lr=1e-4)
    epoch_steps = len(loader)
    steps = steps_cap(epoch_steps)

    mlp.train()
    worker_peak = None
    loss_sum = 0.0
    cpu_start = time.process_time()
    start = time.perf_counter()
    iterator = iter(loader)
    for i in range(steps):
        inputs, targets = next(iterator)
        optimizer.zero_grad()
        outputs = mlp(inputs)
        loss = loss_function(outputs, targets)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item()
        if i == steps - 1:
            # The loader's worker is a separate process: read its peak RSS before it is shut down.
            workers = getattr(iterator, "_workers", [])
            peaks = [vm_hwm_mb(w.pid) for w in workers]
            worker_peak = sum(p for p in peaks if p is not None) if peaks else None
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    del iterator

    accuracy = None
    if steps == epoch_steps:
        mlp.eval()
        with torch.no_grad():
            xt = torch.from_numpy(test_images.copy()).float().div_(255).unsqueeze(1)
            predicted = mlp(xt).argmax(dim=1).numpy()
        accuracy = float((predicted == test_labels).mean())

    report(
        {
            "system": f"PyTorch {torch.__version__.split('+')[0]} ({args.loop} loop)",
            "threads": torch.get_num_threads(),
            "steps": steps,
            "epochSteps": epoch_steps,
            "seconds": seconds,
            "cpuSeconds": cpu_seconds,
            "epochSeconds": seconds * epoch_steps / steps,
            "extrapolated": steps != epoch_steps,
            "testAccuracy": accuracy,
            "meanLoss": loss_sum / steps,
            "workerPeakRssMb": worker_peak,
        }
    )


if __name__ == "__main__":
    main()
