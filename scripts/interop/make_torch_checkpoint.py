"""Makes the PyTorch → kindling interop fixtures in __test__/fixtures/interop/:

- torch_mlp.safetensors: the seed MLP's state_dict (torch.manual_seed(0)), saved by
  safetensors.torch.save_file exactly as a PyTorch user would;
- torch_mlp_io.safetensors: a fixed input batch (torch.manual_seed(1), 5×1×28×28 uniform) and
  PyTorch's eval-mode outputs on it;
- python_layout.safetensors: small tensors of every dtype kindling writes (F32 incl. 0-d and empty,
  I32, U8, BOOL) whose names sort differently by dtype and by name, saved by save_file with
  metadata {"format": "pt"}: kindling must write the same bytes for the same tensors;
- python_int64.safetensors: an I64 tensor (torch.long), which kindling reads as int32;
- python_floats.safetensors: the same values as F16, BF16 and F64 (and F32 for reference), which
  kindling reads as float32 (F16/BF16 exactly, F64 rounded to float32);
- torch_save.pt: a tiny state dict saved with PyTorch's own torch.save (zip + pickle), which
  kindling must refuse with a hint to convert it.

__test__/serialization/interop.spec.ts loads the first with torch.load into kindling's MLP and
checks the outputs against the second. Run from the repository root:
    python3 scripts/interop/make_torch_checkpoint.py
"""
import os

import torch
from safetensors.torch import save_file

from seed_mlp import MLP

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "__test__", "fixtures", "interop")


def layout_tensors():
    return {
        "b": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4,
        "a_bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 3),
        "layers.10.w": torch.tensor([[1, -2], [3, 2147483647]], dtype=torch.int32),
        "layers.2.w": torch.tensor([-0.0, float("inf"), float("-inf"), 3.25]),
        "pixels": torch.tensor([0, 127, 255], dtype=torch.uint8),
    }


def main():
    torch.manual_seed(0)
    mlp = MLP().eval()
    torch.manual_seed(1)
    inputs = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        outputs = mlp(inputs)
    os.makedirs(OUT, exist_ok=True)
    save_file(mlp.state_dict(), os.path.join(OUT, "torch_mlp.safetensors"), metadata={"format": "pt"})
    save_file(
        {"inputs": inputs, "outputs": outputs},
        os.path.join(OUT, "torch_mlp_io.safetensors"),
        metadata={"torch": torch.__version__},
    )
    save_file(layout_tensors(), os.path.join(OUT, "python_layout.safetensors"), metadata={"format": "pt"})
    save_file({"labels": torch.tensor([0, -3, 2147483647, -2147483648])}, os.path.join(OUT, "python_int64.safetensors"))
    values = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-05, 5.96e-08, float("inf"), float("-inf"), float("nan"), 0.1, 3.0e38], dtype=torch.float64)
    save_file(
        {"f16": values.half(), "bf16": values.bfloat16(), "f64": values, "f16_as_f32": values.half().float(), "bf16_as_f32": values.bfloat16().float(), "f64_as_f32": values.float()},
        os.path.join(OUT, "python_floats.safetensors"),
    )
    torch.save({"w": torch.ones(2)}, os.path.join(OUT, "torch_save.pt"))
    print(f"torch {torch.__version__}: wrote torch_mlp.safetensors and torch_mlp_io.safetensors; outputs[0, :3] = {outputs[0, :3].tolist()}")


if __name__ == "__main__":
    main()
