"""The conversion's proof, PyTorch side: runs the converted encoder on the image that
tfjs-reference.ts wrote and compares every tap with TensorFlow.js's output.

    /usr/bin/python3 models/encoder/check_parity.py --encoder models/.cache/encoder --reference <dir>

Tolerance: the largest absolute difference per tap at most 1e-3 times that tap's largest absolute
value (float32 in both, summed in other orders; a wrong layout or padding gives errors of the
order of the values themselves). Prints one JSON line; exit 1 when a tap is outside it.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mobilenet import load_encoder  # noqa: E402

RELATIVE_TOLERANCE = 1e-4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoder", required=True)
    ap.add_argument("--reference", required=True)
    args = ap.parse_args()
    encoder, _ = load_encoder(args.encoder)
    with open(os.path.join(args.reference, "reference.json")) as f:
        ref = json.load(f)
    size = ref["size"]
    x = np.fromfile(os.path.join(args.reference, "input.f32"), dtype=np.float32).reshape(1, 3, size, size)
    with torch.no_grad():
        outputs = encoder(torch.from_numpy(x))
    report, ok = {}, True
    for name, out in zip(encoder.taps, outputs):
        expected = np.fromfile(os.path.join(args.reference, name + ".f32"), dtype=np.float32).reshape(ref["shapes"][name])
        got = out.numpy()
        if got.shape != expected.shape:
            report[name] = {"shape": list(got.shape), "expected_shape": list(expected.shape)}
            ok = False
            continue
        max_abs = float(np.abs(expected).max())
        max_diff = float(np.abs(got - expected).max())
        within = max_diff <= RELATIVE_TOLERANCE * max_abs
        ok &= within
        report[name] = {"max_abs": max_abs, "max_diff": max_diff, "within": within}
    print(json.dumps({"ok": ok, "tolerance": f"max |diff| <= {RELATIVE_TOLERANCE} * max |value| per tap", "taps": report}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
