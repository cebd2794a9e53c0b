"""Adapts a shipped network to an office's own labelled data (issue 19; run by
`npm run model -- adapt`, scripts/model/adapt.ts): fine-tunes a PyTorch checkpoint on samples
exported by the TypeScript exporter (models/data/real.ts exportPairFiles for image pairs,
exportSurfaceTiles for surface models), then writes the adapted checkpoint, its ONNX network and a
parity fixture into a model-store version folder.

    /usr/bin/python3 models/adapt.py --data DIR --init models/change-detector-pair.pt \
        --out-dir .lingwei/models/versions/<version> --steps 400 --seed 1

Every shipped network brings its checkpoint; one shipped as ONNX alone (an earlier release's
from-scratch main network) starts from a checkpoint rebuilt from its ONNX file
(models/onnx_to_checkpoint.py), whose BatchNorm layers hold mean 0 and variance 1 (the export
folded the statistics into the weights). Every network's BatchNorm stays in eval mode here
(statistics frozen, scale and shift trained, keep_batchnorm_frozen): in train mode an office's
small batches would replace the statistics, and fine-tuning would not start from the shipped
network.

The trainer's own pieces, unchanged: train.model_from_checkpoint, train.losses, train.FeatureCache and
batches.BatchMaker with the "adapt" mix (the office's pairs or surface-model tiles alone; no
generated scenes needed, which train.py requires). Fine-tuning as train.py --init does it: no warm-up, cosine from --lr down to a
tenth. One seed drives torch and the batch maker; CPU threads fixed (2). Writes into --out-dir:
  <name>.pt     the adapted checkpoint (the base's record plus an "adapt" phase), so that a later
                adaptation can start from it
  <name>.onnx   the export, with export_onnx.py's settings (opset 13, sigmoid included)
  parity/       two 64 x 64 chips of the adapting data and torch's outputs on them
and prints one JSON line (the phase record) last.
"""
import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from batches import BatchMaker, Samples  # noqa: E402
from export_onnx import export_network, write_parity  # noqa: E402
from net import HeightsOnly  # noqa: E402
from onnx_to_checkpoint import is_rebuilt  # noqa: E402
from train import DEFAULT_ENCODER, FeatureCache, finetune_schedule, keep_batchnorm_frozen, model_from_checkpoint, served_form, start_run, train_steps  # noqa: E402


# Surface-model tiles: buildings withheld per draw around the evaluation's 30% (scripts/eval/surface.ts
# WITHHELD_SHARE, by which the held-back tiles are scored), and no crop made to withhold one. The
# trainer's 20-60% with one forced into 70% of crops taught the surface network, fine-tuned on real
# tiles alone, to fire on every raised roof without a footprint (uav_dsm_vietnam, 200 steps: 9 more
# false alarms on the 30 held-back tiles, against 2 with this draw; MODEL_CARD.md, "Adapting").
ADAPT_WITHHOLD = (0.25, 0.35, 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="samples exported for adaptation (index-*.json + float16 planes)")
    ap.add_argument("--init", required=True, help="the checkpoint to adapt (arch and channels inside)")
    ap.add_argument("--spec", default=os.path.join(HERE, "change-detector.json"))
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--name", default="change-detector-pair", help="file names in --out-dir: <name>.pt, <name>.onnx")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, help="default: 1e-3 for the image-pair network (its decoder alone), 3e-4 for the others (train.py's fine-tuning rate; 1e-3 cost the surface network most, MODEL_CARD.md \"Adapting\")")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--cache", type=int, default=0, help="pair networks: crops drawn once with their frozen encoder features (train.py --cache); 0: fresh crops every step")
    ap.add_argument("--paste-pairs", type=float, default=0.0)
    ap.add_argument("--encoder", default=DEFAULT_ENCODER)
    args = ap.parse_args()

    device, spec = start_run(args)
    earlier = torch.load(args.init, map_location="cpu")
    if earlier["channels"] != spec["channels"]:
        raise SystemExit(f"{args.init}: checkpoint channels differ from the sidecar's")
    arch = earlier.get("arch", "change")
    samples = Samples(args.data, spec["channels"])
    print(f"samples: {samples.describe()}", flush=True)
    if not samples.samples:
        raise SystemExit(f"{args.data}: no samples to adapt on")
    maker = BatchMaker(samples, args.crop, args.seed, mix="adapt", paste_pairs=args.paste_pairs, withhold=ADAPT_WITHHOLD)
    model = model_from_checkpoint(earlier, spec, args.encoder).to(device)
    keep_batchnorm_frozen(model)
    if args.lr is None:
        args.lr = 1e-3 if arch == "pair" else 3e-4
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(f"adapting {arch} ({sum(p.numel() for p in trainable)} trained parameters, BatchNorm statistics frozen) from {args.init}, {args.steps} steps, device {device}, threads {args.threads}", flush=True)
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, finetune_schedule(args.steps))
    use_cache = args.cache > 0 and arch == "pair"
    cache = FeatureCache(model, maker, args.cache, args.batch, device, args.seed) if use_cache else None
    wall, cpu = train_steps(model, maker, cache, opt, sched, args.steps, args.batch, device, log_every=50, smoothing=0.05)
    model.eval()
    model.to("cpu")

    os.makedirs(args.out_dir, exist_ok=True)
    phase = {
        "steps": args.steps, "lr": args.lr, "seed": args.seed, "mix": "adapt", "arch": arch, "batch": args.batch, "crop_px": args.crop,
        "cached_crops": args.cache if use_cache else 0, "batchnorm_frozen": True, "rebuilt": is_rebuilt(earlier), "withhold": list(ADAPT_WITHHOLD), "paste_pairs": args.paste_pairs, "samples": samples.describe(),
        "sample_names": sorted(s["name"] for s in samples.samples), "from": os.path.abspath(args.init),
        "train_wall_s": round(wall), "train_cpu_s": round(cpu), "threads": args.threads, "device": str(device), "torch": torch.__version__,
    }
    record = dict(earlier.get("training", {}))
    # Each adaptation adds its phase; earlier adaptations of the same line stay in the list.
    record["adapt"] = [*record.get("adapt", []), phase]
    ck_path = os.path.join(args.out_dir, args.name + ".pt")
    # An average keeps its member count, an ensemble its looks (train.model_from_checkpoint builds from them).
    torch.save({"state": model.state_dict(), "channels": spec["channels"], "arch": arch, **served_form(earlier), "training": record}, ck_path)

    onnx_path = os.path.join(args.out_dir, args.name + ".onnx")
    # A surface network is exported from heights alone, as export_onnx.py --surface-only does.
    export_network(HeightsOnly(model) if record.get("surface_only") is True else model, spec, onnx_path)
    # Parity fixture: two 64 x 64 chips of the adapting data, fixed seed (as export_onnx.py does).
    write_parity(model, BatchMaker(samples, 64, 7, mix="adapt"), os.path.join(args.out_dir, "parity"))
    phase["onnx_bytes"] = os.path.getsize(onnx_path)
    print(f"adapted {args.steps} steps in {wall:.0f} s wall, {cpu:.0f} s CPU; wrote {ck_path}, {onnx_path} and the parity fixture", flush=True)
    print(json.dumps(phase), flush=True)


if __name__ == "__main__":
    main()
