"""Continue a kindling checkpoint in PyTorch: the model's state dict and the optimizer's state.

kindling's torch.save writes a safetensors file: every tensor under its dotted path
(`model.layers.1.weight`, `optimizer.state.0.exp_avg`), everything else (step counts, the
optimizer's hyper-parameters, epochs) as JSON in the header's __metadata__["kindling"], with each
tensor replaced by {"__tensor__": "<path>"} (src/serialization/tree.ts). This module rebuilds that
object with PyTorch tensors and turns kindling's optimizer state dict (camelCase options, plain
step counts) into PyTorch's, so that a run started with kindling continues in PyTorch — on GPUs,
under DDP — with its Adam moments, not from a cold optimizer.

    import torch
    from kindling_checkpoint import load_checkpoint, restore_optimizer

    checkpoint = load_checkpoint("mnist-ddp.safetensors")   # {"epoch", "model", "optimizer", "rng"}
    model = MLP()
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.Adam(model.parameters())
    restore_optimizer(optimizer, checkpoint["optimizer"])  # lr, betas, …, moments and step counts
    # then, per process of a torchrun job: model.cuda(rank); ddp = DistributedDataParallel(model, …)
    # (build the optimizer over ddp.parameters(): the same tensors, in the same order)

Or convert once, to a file `torch.load` reads (model and optimizer state dicts, plus the epoch):

    python3 scripts/interop/kindling_checkpoint.py mnist-ddp.safetensors mnist-ddp.pt

Optimizer states are matched by position, as in PyTorch: the optimizer must be built over the
model's parameters in the order kindling's was (model.parameters() of the same module gives it).
Tested with Adam (AMSGrad, weight decay, betas); AdamW is Adam with decoupled weight decay in both.
"""
import json
import re
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file


def _resolve(value, tensors):
    """Undoes kindling's structure encoding (src/serialization/tree.ts)."""
    if isinstance(value, list):
        return [_resolve(v, tensors) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "__tensor__":
                return tensors[inner]
            if key == "__float__":
                return float(inner.replace("Infinity", "inf"))
            if key == "__object__":
                return {k: _resolve(v, tensors) for k, v in inner.items()}
        return {k: _resolve(v, tensors) for k, v in value.items()}
    return value


def load_checkpoint(path):
    """The object kindling's torch.save stored at `path`, with torch tensors.

    A file with no kindling structure (a plain state dict) comes back as {dotted name: tensor}.
    """
    tensors = load_file(path)
    with safe_open(path, "pt") as f:
        structure = (f.metadata() or {}).get("kindling")
    return tensors if structure is None else _resolve(json.loads(structure), tensors)


def _snake(name):
    """kindling's option names are PyTorch's in camelCase: weightDecay → weight_decay."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def torch_optimizer_state(saved, optimizer):
    """kindling's optimizer stateDict() (`saved`) as PyTorch's state dict for `optimizer`.

    Each saved group's options overwrite that of the optimizer's own group (so options PyTorch has
    and kindling lacks, such as `foreach` or `fused`, keep PyTorch's values; extra ones, such as a
    scheduler's `initial_lr`, are kept as PyTorch keeps them); per-parameter state keeps its
    tensors and gets PyTorch's float32 tensor step count.
    """
    current = optimizer.state_dict()
    if len(saved["param_groups"]) != len(current["param_groups"]):
        raise ValueError(
            f"the checkpoint has {len(saved['param_groups'])} parameter groups, the optimizer "
            f"{len(current['param_groups'])}"
        )
    groups = []
    for mine, theirs in zip(current["param_groups"], saved["param_groups"]):
        if len(theirs["params"]) != len(mine["params"]):
            raise ValueError(
                f"a parameter group of {len(theirs['params'])} parameters in the checkpoint, "
                f"{len(mine['params'])} in the optimizer"
            )
        options = {_snake(k): (tuple(v) if k == "betas" else v) for k, v in theirs.items() if k != "params"}
        groups.append({**mine, **options, "params": mine["params"]})
    # kindling numbers parameters across groups in order, as PyTorch does: the same ids.
    state = {}
    for key, entry in saved["state"].items():
        converted = dict(entry)
        if "step" in converted and not torch.is_tensor(converted["step"]):
            converted["step"] = torch.tensor(float(converted["step"]))
        state[int(key)] = converted
    return {"state": state, "param_groups": groups}


def restore_optimizer(optimizer, saved):
    """Loads kindling's optimizer stateDict() `saved` into the PyTorch `optimizer` (in place).

    PyTorch's load_state_dict checks the shapes of the moments against the parameters and moves
    them to the parameters' device, so this works after model.cuda() too.
    """
    state = torch_optimizer_state(saved, optimizer)
    params = [p for g in optimizer.param_groups for p in g["params"]]
    for i, entry in state["state"].items():
        for name, value in entry.items():
            if name != "step" and torch.is_tensor(value) and value.shape != params[i].shape:
                raise ValueError(f"state {i}.{name} has shape {tuple(value.shape)}, parameter {i} {tuple(params[i].shape)}")
    optimizer.load_state_dict(state)


def _optimizer_for(saved):
    """An Adam (AdamW when decoupled) over stand-in parameters of the saved moments' shapes."""
    shapes = {}
    for key, entry in saved["state"].items():
        shapes[int(key)] = entry["exp_avg"].shape
    n = sum(len(g["params"]) for g in saved["param_groups"])
    missing = [i for i in range(n) if i not in shapes]
    if missing:
        raise ValueError(f"parameters {missing} have no state yet (no step taken): their shapes are unknown")
    groups = [{"params": [torch.nn.Parameter(torch.zeros(shapes[i])) for i in g["params"]]} for g in saved["param_groups"]]
    return torch.optim.Adam(groups)


def main(argv):
    if len(argv) != 3:
        sys.exit(f"usage: {argv[0]} KINDLING_CHECKPOINT.safetensors OUT.pt\n\n{__doc__}")
    source, out = argv[1], argv[2]
    checkpoint = load_checkpoint(source)
    if not isinstance(checkpoint, dict) or "model" not in checkpoint or "optimizer" not in checkpoint:
        sys.exit(f"{source}: expected an object with 'model' and 'optimizer' (as examples/mnist-ddp.ts saves)")
    optimizer = _optimizer_for(checkpoint["optimizer"])
    restore_optimizer(optimizer, checkpoint["optimizer"])
    extra = {k: v for k, v in checkpoint.items() if k not in ("model", "optimizer", "rng")}
    torch.save({"model": checkpoint["model"], "optimizer": optimizer.state_dict(), **extra}, out)
    print(f"wrote {out}: model ({len(checkpoint['model'])} tensors), optimizer ({len(optimizer.state)} parameter states)")


if __name__ == "__main__":
    main(sys.argv)
