"""Puts the image-pair network's decision point where its own training pairs say it belongs.

Why: the pipeline cuts every network's probabilities at one threshold (the sidecar's, 0.5). The
pair network's dice loss leaves its probabilities high for a pixel or two around each changed roof,
so at 0.5 its outlines come out fat. Rather than a threshold per network threaded through every
stage, the threshold that gives the best pixel F1 on the real pairs the network trained on is
folded into its head: the head's bias moves by -logit(t), so that the served probability is 0.5
exactly where the raw one was t. The choice is made on trained-on pairs only, never on held-out
ones (those are what the scoreboard judges it by); a network trained with train.py --leave-out (a
cross-validation fold's) chooses without the pairs it left out.

    /usr/bin/python3 models/decision_bias.py --checkpoint models/.cache/checkpoint-pair.pt \
        --data models/.cache/pairdata

The checkpoint is rewritten in place; its training record gains "decision_bias" with the chosen
threshold and the F1 before and after. A checkpoint that has one already is refused (its record
would no longer say how far the head moved from the trained one).
"""
import argparse
import json
import math
import os

import numpy as np
import torch

from batches import Samples
from train import DEFAULT_ENCODER, model_from_checkpoint

THRESHOLDS = np.round(np.arange(0.30, 0.81, 0.05), 2)


def pixel_counts(model, samples, channels):
    """Changed-pixel counts (tp, fp, fn) at every threshold, pooled over the trained-on real pairs
    (the trainer's "pair" group, xBD excluded: its labels are damage, not change)."""
    counts = np.zeros((len(THRESHOLDS), 3), np.int64)
    for s in samples.groups.get("pair", []):
        x = np.stack([s["array"][s["plane"][n]] for n in channels]).astype(np.float32)
        truth = s["array"][s["plane"]["target_change"]] > 0.5
        with torch.no_grad():
            p = model(torch.from_numpy(x)[None])[0].numpy()
        changed = 1 - (1 - p[0]) * (1 - p[1])
        for k, t in enumerate(THRESHOLDS):
            pred = changed >= t
            counts[k] += [(pred & truth).sum(), (pred & ~truth).sum(), (~pred & truth).sum()]
    return counts


def f1(c):
    tp, fp, fn = c
    return 2 * tp / max(1, 2 * tp + fp + fn)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", required=True, help="the exported training data (the trainer's --data)")
    ap.add_argument("--encoder", default=DEFAULT_ENCODER, help="the folder export-encoder.ts wrote")
    ap.add_argument("--spec", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "change-detector.json"), help="the sidecar (channel order, normalisation)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    ck = torch.load(args.checkpoint, map_location="cpu")
    if "decision_bias" in ck.get("training", {}):
        raise SystemExit(f"{args.checkpoint}: its decision point was moved already ({ck['training']['decision_bias']}); start from the trained checkpoint")
    with open(args.spec) as f:
        spec = json.load(f)
    if ck["channels"] != spec["channels"]:
        raise SystemExit(f"{args.checkpoint}: trained on other channels than {args.spec}")
    model = model_from_checkpoint(ck, spec, args.encoder)
    model.eval()
    # A cross-validation fold's network chooses on the pairs it trained on, not on those left out.
    record = ck.get("training", {})
    left_out = sorted({n for r in [record, *record.get("members", [])] for n in r.get("left_out", [])})
    samples = Samples(args.data, spec["channels"], leave_out=left_out)
    if not samples.groups.get("pair"):
        raise SystemExit(f"{args.data}: no real pairs to choose the decision point on")
    counts = pixel_counts(model, samples, spec["channels"])
    scores = [f1(c) for c in counts]
    best = int(np.argmax(scores))
    t = float(THRESHOLDS[best])
    at_half = scores[int(np.argmin(np.abs(THRESHOLDS - 0.5)))]
    shift = -math.log(t / (1 - t))
    model.move_decision(shift)
    ck["state"] = model.state_dict()
    record = {"threshold": t, "bias_shift": round(shift, 4), "pairs": len(samples.groups["pair"]), "f1_at_0.5": round(at_half, 4), "f1_at_threshold": round(scores[best], 4), **({"left_out": left_out} if left_out else {})}
    ck.setdefault("training", {})["decision_bias"] = record
    tmp = args.checkpoint + ".tmp"
    torch.save(ck, tmp)
    os.replace(tmp, args.checkpoint)
    print(json.dumps(record))


if __name__ == "__main__":
    main()
