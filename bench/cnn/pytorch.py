"""The MNIST CNN workload on PyTorch: pytorch/examples mnist/main.py's Net, Adadelta lr 1.0,
nll_loss, batch 64, no shuffle (the example on a CPU), MNIST normalised with (0.1307, 0.3081).

  python3 pytorch.py --threads N --data DIR --mode steps|epoch

--mode steps: ms per training step (median over BENCH_STEPS, default 60, after 5 warm-up steps).
--mode epoch: one epoch with StepLR, then the test set: loss and accuracy as the example prints.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bench_common import load_mnist, report  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402


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
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def tensors(data, split):
    images, labels = load_mnist(data, split)
    x = torch.from_numpy(images.copy()).float().div_(255).sub_(0.1307).div_(0.3081).unsqueeze(1)
    return x, torch.from_numpy(labels.astype("int64"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", required=True)
    parser.add_argument("--mode", choices=["steps", "epoch"], required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = tensors(args.data, "train")
    loader = DataLoader(TensorDataset(x, y), batch_size=64)
    model = Net()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    model.train()
    if args.mode == "steps":
        steps = int(os.environ.get("BENCH_STEPS", "60"))
        times = []
        for i, (data, target) in enumerate(loader):
            if i == steps + 5:
                break
            start = time.perf_counter()
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            loss.item()
            if i >= 5:
                times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        report({"system": f"PyTorch {torch.__version__.split('+')[0]}", "threads": torch.get_num_threads(), "steps": len(times),
                "msPerStep": times[len(times) // 2], "msBest": times[0]})
        return
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    start = time.perf_counter()
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start
    scheduler.step()
    xt, yt = tensors(args.data, "test")
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(xt[i:i + 1000]) for i in range(0, len(xt), 1000)])
        test_loss = F.nll_loss(out, yt, reduction="sum").item() / len(xt)
        correct = out.argmax(dim=1).eq(yt).sum().item()
    report({"system": f"PyTorch {torch.__version__.split('+')[0]}", "threads": torch.get_num_threads(), "epochSeconds": seconds,
            "testLoss": test_loss, "testAccuracy": correct / len(xt)})


if __name__ == "__main__":
    main()
