"""Makes __test__/fixtures/interop/clip_grad.json: torch.nn.utils.clip_grad_norm_ and
clip_grad_value_ on fixed gradients, for __test__/nn/utils/clip-grad.spec.ts.

Each case: the gradients of two parameters (shapes [3, 4] and [5]; torch.manual_seed(0), randn·3),
the arguments, PyTorch's returned total norm and the clipped gradients. Run from the repo root:
    python3 scripts/interop/make_clip_grad_fixture.py
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "__test__", "fixtures", "interop", "clip_grad.json")


def encode(x):
    return [v if math.isfinite(v) else str(v) for v in x.flatten().tolist()]


def grads(special=None):
    torch.manual_seed(0)
    g = [torch.randn(3, 4) * 3, torch.randn(5) * 3]
    if special is not None:
        g[1][2] = special
    return g


def params_with(gs):
    ps = []
    for g in gs:
        p = torch.nn.Parameter(torch.zeros_like(g))
        p.grad = g.clone()
        ps.append(p)
    return ps


def main():
    cases = []
    for max_norm, norm_type, special in [
        (1.0, 2.0, None),
        (100.0, 2.0, None),  # no clipping: coefficient clamped to 1
        (0.5, 1.0, None),
        (2.0, float("inf"), None),
        (1.5, 3.0, None),
        (1.0, 0.5, None),
        (1.0, 2.0, float("inf")),
        (1.0, 2.0, float("nan")),
        (1.0, float("inf"), float("inf")),
    ]:
        gs = grads(special)
        ps = params_with(gs)
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        cases.append({
            "kind": "norm",
            "max_norm": max_norm,
            "norm_type": str(norm_type) if not math.isfinite(norm_type) else norm_type,
            "grads": [encode(g) for g in gs],
            "total_norm": encode(total.reshape(1))[0],
            "clipped": [encode(p.grad) for p in ps],
        })
    for clip_value, special in [(1.0, None), (0.25, float("nan")), (-1.0, None)]:
        gs = grads(special)
        ps = params_with(gs)
        torch.nn.utils.clip_grad_value_(ps, clip_value)
        cases.append({
            "kind": "value",
            "clip_value": clip_value,
            "grads": [encode(g) for g in gs],
            "clipped": [encode(p.grad) for p in ps],
        })
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "shapes": [[3, 4], [5]], "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
