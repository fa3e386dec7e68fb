"""Checks that a kindling training run continues exactly in PyTorch (kindling_checkpoint.py).

DIR holds what __test__/serialization/interop-optimizer.spec.ts wrote with kindling:
- checkpoint.safetensors: {"epoch", "model": the seed MLP's stateDict(), "optimizer": an Adam
  stateDict() after a few steps}, as examples/mnist-ddp.ts saves it;
- continuation.safetensors: a batch (inputs, targets), the number of further steps kindling took on
  it (dropout off), and the parameters it ended with (after.<name>).

Here PyTorch's seed MLP loads the model, a fresh torch.optim.Adam gets kindling's state through
restore_optimizer, takes the same steps, and must end on kindling's parameters (atol 1e-6): which
holds only if the moments, the step counts (bias correction) and every hyper-parameter came
across. The same steps from a cold Adam must not (the restore is what makes the difference), and
an optimizer over other parameters is refused with a ValueError.
Also converts the checkpoint with the CLI and loads the result with torch.load.

Usage: python3 scripts/interop/check_adam_restore.py DIR   (prints one line starting with "OK")
"""
import os
import subprocess
import sys

import torch
from safetensors.torch import load_file

from kindling_checkpoint import load_checkpoint, restore_optimizer
from seed_mlp import MLP


def continue_training(folder, restore):
    checkpoint = load_checkpoint(os.path.join(folder, "checkpoint.safetensors"))
    cont = load_checkpoint(os.path.join(folder, "continuation.safetensors"))
    model = MLP().eval()  # dropout off, as in kindling's continuation
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.Adam(model.parameters())
    if restore:
        restore_optimizer(optimizer, checkpoint["optimizer"])
    loss_function = torch.nn.CrossEntropyLoss()
    for _ in range(int(cont["steps"])):
        optimizer.zero_grad()
        loss_function(model(cont["inputs"]), cont["targets"]).backward()
        optimizer.step()
    worst = max((p - cont["after"][name]).abs().max().item() for name, p in model.state_dict().items())
    return worst, optimizer, checkpoint


def main():
    folder = sys.argv[1]
    worst, optimizer, checkpoint = continue_training(folder, restore=True)
    group = optimizer.param_groups[0]
    saved = checkpoint["optimizer"]["param_groups"][0]
    assert group["betas"] == tuple(saved["betas"]) and group["weight_decay"] == saved["weightDecay"], group
    assert group["amsgrad"] == saved["amsgrad"] and group["lr"] == saved["lr"], group
    assert worst <= 1e-6, f"restored Adam ends {worst:.3g} away from kindling's parameters"
    # The wrong optimizer is refused with a message, not loaded half-way.
    saved = checkpoint["optimizer"]
    for params, expected in [
        (torch.nn.Linear(3, 2).parameters(), "a parameter group of 6 parameters in the checkpoint, 2 in the optimizer"),
        (list(MLP().parameters())[::-1], "state 0.exp_avg has shape (64, 784), parameter 0 (10,)"),
    ]:
        try:
            restore_optimizer(torch.optim.Adam(params), saved)
            raise AssertionError(f"no error; expected: {expected}")
        except ValueError as e:
            assert str(e) == expected, str(e)
    cold, _, _ = continue_training(folder, restore=False)
    assert cold > 100 * max(worst, 1e-8), f"a cold Adam ends only {cold:.3g} away: the check cannot tell"
    # The CLI: one file torch.load reads, whose optimizer state loads into a new Adam.
    out = os.path.join(folder, "converted.pt")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kindling_checkpoint.py")
    subprocess.run([sys.executable, script, os.path.join(folder, "checkpoint.safetensors"), out], check=True, capture_output=True)
    converted = torch.load(out)
    model = MLP()
    model.load_state_dict(converted["model"])
    fresh = torch.optim.Adam(model.parameters())
    fresh.load_state_dict(converted["optimizer"])
    steps = sorted({int(s["step"].item()) for s in fresh.state.values()})
    print(
        f"OK torch {torch.__version__}: Adam restored from kindling continues kindling's run "
        f"(max abs diff {worst:.3g}; a cold Adam: {cold:.3g}); converted file: epoch {converted['epoch']}, "
        f"{len(fresh.state)} parameter states, steps {steps}, amsgrad {fresh.param_groups[0]['amsgrad']}"
    )


if __name__ == "__main__":
    main()
