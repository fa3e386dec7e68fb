"""Checks kindling's checkpoints with Python's safetensors + PyTorch (the kindling → PyTorch way).

1. kindling_mlp.safetensors (kindling's torch.save of the seed MLP's stateDict()) loads with
   safetensors.torch.load_file into PyTorch's MLP with load_state_dict (strict), and that MLP in
   eval mode gives kindling's outputs on kindling's inputs (kindling_mlp_io.safetensors), rtol 1e-5.
2. kindling_adam.safetensors (an Adam stateDict() after two steps) is readable: its tensors are
   state.N.exp_avg / state.N.exp_avg_sq of the parameters' shapes, and the JSON structure in
   __metadata__["kindling"] converts into a torch.optim.Adam state dict that loads.

Usage: python3 scripts/interop/check_kindling_checkpoint.py [DIR ...]
(DIR defaults to __test__/fixtures/interop). Exit status 0 and one line starting with "OK" per DIR on success.
"""
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

from kindling_checkpoint import load_checkpoint, torch_optimizer_state
from seed_mlp import MLP

DEFAULT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "__test__", "fixtures", "interop")

def check_module(folder):
    path = os.path.join(folder, "kindling_mlp.safetensors")
    state_dict = load_file(path)
    with safe_open(path, "pt") as f:
        assert f.metadata().get("format") == "pt", f.metadata()
    mlp = MLP().eval()
    mlp.load_state_dict(state_dict)  # strict: every key and shape must match
    io = load_file(os.path.join(folder, "kindling_mlp_io.safetensors"))
    with torch.no_grad():
        outputs = mlp(io["inputs"])
    torch.testing.assert_close(outputs, io["outputs"], rtol=1e-5, atol=1e-6)
    return (outputs - io["outputs"]).abs().max().item()


def check_optimizer(folder):
    path = os.path.join(folder, "kindling_adam.safetensors")
    tensors = load_file(path)
    saved = load_checkpoint(path)
    mlp = MLP()
    params = list(mlp.parameters())
    for i, p in enumerate(params):
        for name in ("exp_avg", "exp_avg_sq"):
            t = tensors[f"state.{i}.{name}"]
            assert t.shape == p.shape and t.dtype == torch.float32, (name, i, t.shape, p.shape)
    optimizer = torch.optim.Adam(params)
    state = torch_optimizer_state(saved, optimizer)
    optimizer.load_state_dict(state)
    steps = {int(s["step"].item()) for s in optimizer.state.values()}
    assert steps == {2}, steps
    return len(state["state"]), optimizer.param_groups[0]["lr"]


def main():
    for folder in sys.argv[1:] or [DEFAULT_DIR]:
        max_diff = check_module(folder)
        n_state, lr = check_optimizer(folder)
        print(
            f"OK torch {torch.__version__}: kindling MLP checkpoint loads with load_file + load_state_dict, "
            f"outputs match (max abs diff {max_diff:.3g}); Adam checkpoint: {n_state} parameter states, lr {lr}, step 2"
        )


if __name__ == "__main__":
    main()
