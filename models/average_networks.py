"""Makes one averaged network (models/net.py AveragedNets) from ChangeNet checkpoints trained apart,
in train.py's checkpoint format, for export_onnx.py and adapt.py; from image-pair checkpoints
(arch pair), an ensemble of their decoders over the one frozen encoder (models/pair_net.py
PairEnsemble), which decision_bias.py then gives its decision point; with --date-swap, its decoders
also read each pair with the dates exchanged.

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


BATCHNORM_STATISTICS = ("running_mean", "running_var", "num_batches_tracked")


def weight_count(state, encoder):
    """The weights in a pair network's state: its encoder's (encoder=True) or its decoder's."""
    return sum(v.numel() for k, v in state.items() if k.startswith("encoder.") == encoder and not k.endswith(BATCHNORM_STATISTICS))


def pair_ensemble_state(checkpoints):
    """The state of a PairEnsemble (models/pair_net.py) holding these pair networks' decoders. Each
    must be a single network with its raw head (its decision point is the ensemble's, chosen after)
    and the same frozen encoder: the ensemble runs one encoder for all."""
    state = {"decision_shift": torch.zeros(())}
    encoder = None
    for i, ck in enumerate(checkpoints):
        if "members" in ck or "decision_bias" in ck["training"]:
            raise SystemExit("only single pair networks straight from train.py are combined (no ensemble, no decision point moved)")
        mine = {k: v for k, v in ck["state"].items() if k.startswith("encoder.")}
        if encoder is not None and any(not torch.equal(v, encoder[k]) for k, v in mine.items()):
            raise SystemExit("the pair networks' encoders differ (one was tuned): they cannot share one")
        encoder = encoder or mine
        # Every member's encoder entries are the first's tensors, so the file holds them once.
        state.update({f"nets.{i}.{k}": encoder.get(k, v) for k, v in ck["state"].items()})
    return state


def average(checkpoints, date_swap=False):
    """The average or ensemble of the checkpoints; `date_swap` (image-pair networks): every decoder
    also reads each pair with its dates exchanged (models/pair_net.py PairEnsemble), which makes
    one decoder worth serving this way too."""
    channels = checkpoints[0]["channels"]
    arch = checkpoints[0].get("arch", "change")
    if date_swap and arch != "pair":
        raise SystemExit("--date-swap is for image-pair networks (arch pair)")
    if len(checkpoints) < (1 if date_swap else 2):
        raise SystemExit("give at least two checkpoints to average (or one image-pair network with --date-swap)")
    for ck in checkpoints:
        if ck.get("arch", "change") != arch or arch not in ("change", "pair"):
            raise SystemExit(f"from-scratch ChangeNets (arch change) or image-pair networks (arch pair) are averaged, each with its own kind, not {ck.get('arch')}")
        if ck["channels"] != channels:
            raise SystemExit("the checkpoints were trained on other channels")
    if len({tuple(ck.get("encoder_taps", ())) for ck in checkpoints}) > 1:
        raise SystemExit("the pair networks read other encoder taps (train.py --deep-tap): they cannot share one encoder")
    if arch == "pair":
        state = pair_ensemble_state(checkpoints)
        # What serving costs: the encoder once, every decoder (weights, not BatchNorm statistics).
        parameters = weight_count(checkpoints[0]["state"], encoder=True) + sum(weight_count(ck["state"], encoder=False) for ck in checkpoints)
    else:
        model = AveragedNets(channels, len(checkpoints))
        for net, ck in zip(model.nets, checkpoints):
            single = ChangeNet(channels)
            single.load_state_dict(ck["state"])
            net.load_state_dict(single.state_dict())
        state = model.state_dict()
        parameters = sum(p.numel() for p in model.parameters())
    records = [ck["training"] for ck in checkpoints]
    # Each run's own figures (steps, seed, samples, timings) stay in its member's record; the top
    # level says only what holds for the whole average.
    training = {
        "arch": "averaged" if arch == "change" else "pair_ensemble",
        "seeds": [r.get("seed") for r in records],
        "surface_only": all(r.get("surface_only") for r in records),
        "members": records,
        # Every member's parameters: what serving costs.
        "parameters": parameters,
        # Any member that read the held-out development tiles makes the average one that did.
        "development_split": "all" if any(r.get("development_split") == "all" for r in records) else "train",
    }
    rebuilt = next((r["rebuilt_from_onnx"] for r in records if "rebuilt_from_onnx" in r), None)
    if rebuilt:
        training["rebuilt_from_onnx"] = rebuilt
    if date_swap:
        # Its decision point is chosen after (decision_bias.py), on what it serves.
        training["date_swap"] = date_swap
    swap = {"date_swap": date_swap} if date_swap else {}
    deep = {"encoder_taps": checkpoints[0]["encoder_taps"]} if "encoder_taps" in checkpoints[0] else {}
    return {"state": state, "channels": channels, "arch": "averaged" if arch == "change" else "pair", "members": len(checkpoints), **swap, **deep, "training": training}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--date-swap", action="store_true", help="image-pair networks: every decoder also reads each pair with its dates exchanged, for the new map")
    ap.add_argument("--both-maps", action="store_true", help="with --date-swap: for the demolished map too (decoders trained with train.py --swap-xbd)")
    ap.add_argument("checkpoints", nargs="+")
    args = ap.parse_args()
    if args.both_maps and not args.date_swap:
        raise SystemExit("--both-maps goes with --date-swap")
    date_swap = "both" if args.both_maps else args.date_swap
    averaged = average([torch.load(path, map_location="cpu") for path in args.checkpoints], date_swap)
    torch.save(averaged, args.out)
    print(f"averaged {averaged['members']} networks ({averaged['training']['parameters']} parameters) into {args.out}")


if __name__ == "__main__":
    main()
