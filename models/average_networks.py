"""Makes one averaged network (models/net.py AveragedNets) from ChangeNet checkpoints trained apart,
in train.py's checkpoint format, for export_onnx.py and adapt.py.

    /usr/bin/python3 models/average_networks.py --out models/.cache/checkpoint-surface.pt \
        models/.cache/checkpoint-surface-a.pt models/.cache/checkpoint-surface-b.pt

Why: the surface-model-only network's figures on real surface models move a lot between seeds of
the same recipe; served as the mean of two or more, it keeps what they agree on.

The record holds every member's own under "members" (in order), their seeds, the parameters of all
of them and whether any read every development tile. When any
member was rebuilt from an ONNX file (models/onnx_to_checkpoint.py: BatchNorm folded into its
weights), the average carries that member's "rebuilt_from_onnx", so that adapt.py keeps every
BatchNorm layer in eval mode (batch statistics would break the rebuilt member's function).
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from net import AveragedNets, ChangeNet  # noqa: E402


def average(checkpoints):
    if len(checkpoints) < 2:
        raise SystemExit("give at least two checkpoints to average")
    channels = checkpoints[0]["channels"]
    for ck in checkpoints:
        if ck.get("arch", "change") != "change":
            raise SystemExit(f"only from-scratch ChangeNets (arch change) are averaged, not {ck.get('arch')}")
        if ck["channels"] != channels:
            raise SystemExit("the checkpoints were trained on other channels")
    model = AveragedNets(channels, len(checkpoints))
    for net, ck in zip(model.nets, checkpoints):
        single = ChangeNet(channels)
        single.load_state_dict(ck["state"])
        net.load_state_dict(single.state_dict())
    records = [ck["training"] for ck in checkpoints]
    # Each run's own figures (steps, seed, samples, timings) stay in its member's record; the top
    # level says only what holds for the whole average.
    training = {
        "arch": "averaged",
        "seeds": [r.get("seed") for r in records],
        "surface_only": all(r.get("surface_only") for r in records),
        "members": records,
        # Every member's parameters: what serving costs.
        "parameters": sum(p.numel() for p in model.parameters()),
        # Any member that read the held-out development tiles makes the average one that did.
        "development_split": "all" if any(r.get("development_split") == "all" for r in records) else "train",
    }
    rebuilt = next((r["rebuilt_from_onnx"] for r in records if "rebuilt_from_onnx" in r), None)
    if rebuilt:
        training["rebuilt_from_onnx"] = rebuilt
    return {"state": model.state_dict(), "channels": channels, "arch": "averaged", "members": len(checkpoints), "training": training}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("checkpoints", nargs="+")
    args = ap.parse_args()
    averaged = average([torch.load(path, map_location="cpu") for path in args.checkpoints])
    torch.save(averaged, args.out)
    print(f"averaged {averaged['members']} networks ({averaged['training']['parameters']} parameters) into {args.out}")


if __name__ == "__main__":
    main()
