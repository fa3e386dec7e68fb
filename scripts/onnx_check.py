#!/usr/bin/env python3
"""Runs ONNX's own checker on exported files: `python3 scripts/onnx_check.py a.onnx b.onnx ...`.

For each file, onnx.checker.check_model with full_check=True (the structural checks and strict
shape inference), and prints one JSON object: file -> null when it passes, else the checker's
message. Used by __test__/onnx/checker.spec.ts.
"""
import json
import sys

import onnx


def main() -> None:
    results = {}
    for path in sys.argv[1:]:
        try:
            onnx.checker.check_model(onnx.load(path), full_check=True)
            results[path] = None
        except Exception as e:  # the checker's ValidationError and shape-inference errors
            results[path] = f"{type(e).__name__}: {e}"
    print(json.dumps(results))


if __name__ == "__main__":
    main()
