"""Trains the change detector on the exported samples (run by models/train.sh, which has each
network's commands; the main network, for one):

    /usr/bin/python3 models/train.py --data models/.cache/data --out models/.cache/checkpoint-main.pt \
        --arch fused --mix fused_drone --steps 2500 --batch 8 --lr 0.002 --seed 42 --paste-pairs 0.5
    /usr/bin/python3 models/train.py --data models/.cache/data --init models/.cache/checkpoint-main.pt \
        --out models/.cache/checkpoint.pt --arch fused --mix fused_drone_tune --steps 3000 --batch 8 \
        --lr 0.001 --seed 45 --paste-pairs 0.5

A run with --init fine-tunes those weights (no warm-up, cosine to a tenth of --lr) and adds its
record to the checkpoint's training record: as "finetune" under the default mixture (the
from-scratch network's second phase), else under its mixture's name ("fused_drone_tune"; "aerial"
for --mix aerial, which made the earlier aerial-tile network), or under --phase. It also fine-tunes
an average (--arch averaged, average_networks.py's output), all members at once: the surface
network's wide-context phase, with BatchNorm frozen (--freeze-batchnorm) and crops wider than the
ones it was trained on:

    /usr/bin/python3 models/train.py --data models/.cache/data --init models/.cache/checkpoint-surface-average.pt \
        --out models/.cache/checkpoint-surface.pt --arch averaged --surface-only --freeze-batchnorm \
        --phase wide_context --crop 320 --steps 200 --batch 8 --lr 0.0003 --seed 5
Reproducible: one seed drives torch and the batch maker; CPU threads are fixed (2). A fixed number
of steps, not a time budget, so two runs train the same model. Uses CUDA when --device cuda is
given and available; the CPU path is the reference.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batches import SMALL_OBJECT_PX, BatchMaker, Samples  # noqa: E402
from net import AveragedNets, ChangeNet  # noqa: E402
from fused_net import FusedNet  # noqa: E402
from pair_net import PairEnsemble, PairNet  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "encoder"))
from mobilenet import load_encoder, read_description  # noqa: E402

DEFAULT_ENCODER = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache", "encoder")


def build_model(arch, spec, encoder_dir=DEFAULT_ENCODER, tune_from=None, members=None, date_swap=False, encoder_taps=None):
    """The network of an architecture: "change" (models/net.py, from scratch), "pair" (the
    Siamese pretrained encoder of models/pair_net.py, read from encoder_dir, which
    models/encoder/export-encoder.ts writes), "fused" (the same encoder with the baseline and
    heights fused after it, models/fused_net.py) or "averaged" (`members` ChangeNets trained
    apart, their probabilities averaged: models/average_networks.py makes one). A "pair" with
    `members` is an ensemble of pair decoders over the one encoder (average_networks.py too),
    reading each pair from both dates' sides too when `date_swap`. `encoder_taps`: other encoder
    layers to read than the folder's own taps (a pair network with a deeper fifth tap)."""
    if arch in ("pair", "fused"):
        encoder, _ = load_encoder(encoder_dir, encoder_taps)
        if arch == "pair" and members:
            return PairEnsemble(spec["channels"], encoder, spec["normalisation"]["rgb"], members, date_swap)
        net = FusedNet if arch == "fused" else PairNet
        return net(spec["channels"], encoder, spec["normalisation"]["rgb"], tune_from)
    if arch == "averaged":
        return AveragedNets(spec["channels"], members)
    return ChangeNet(spec["channels"])


def served_form(checkpoint):
    """What, beside arch and weights, builds a checkpoint's network: an average's or ensemble's
    member count, whether its pair decoders read both dates' sides, and the encoder layers they
    read when not the default taps. A run that starts from the checkpoint (train.py --init,
    adapt.py) saves the same."""
    return {k: checkpoint[k] for k in ("members", "date_swap", "encoder_taps") if k in checkpoint}


def model_from_checkpoint(checkpoint, spec, encoder_dir=DEFAULT_ENCODER):
    """A checkpoint's network with its weights (train.py's format: arch, and members and date_swap
    for an average or ensemble: its served_form)."""
    model = build_model(checkpoint.get("arch", "change"), spec, encoder_dir, **served_form(checkpoint))
    model.load_state_dict(checkpoint["state"])
    return model


# Positive pixels of a small structure weigh more, up to SMALL_BOOST times: with plain per-pixel
# loss a 30 m² extension is worth a tenth of a factory hall, and the first model missed most small
# extensions even on its training scenes. The structure's size is read as the changed pixels in a
# SMALL_WINDOW_PX square around each pixel (about 10 m at 0.5 m): cheap, and a hall's interior
# counts the whole window while a shed counts only itself. SMALL_OBJECT_PX (batches.py) is the size
# up to which crops are centred on a structure as often as on any larger one.
SMALL_WINDOW_PX = 21
SMALL_BOOST = 3.0


def small_object_boost(target):
    """Per-pixel loss multiplier (N x H x W): sqrt(SMALL_OBJECT_PX / changed pixels nearby) on
    positive pixels, clamped to 1..SMALL_BOOST; 1 elsewhere."""
    mask = (target > 0.5).float().unsqueeze(1)
    k = SMALL_WINDOW_PX
    # Box sum as two 1-D passes (one 21 x 21 pool costs ten times more on the CPU).
    rows = F.avg_pool2d(mask, (1, k), stride=1, padding=(0, k // 2), count_include_pad=True)
    nearby = F.avg_pool2d(rows, (k, 1), stride=1, padding=(k // 2, 0), count_include_pad=True) * (k * k)
    boost = (SMALL_OBJECT_PX / nearby.clamp(min=1)).sqrt().clamp(1.0, SMALL_BOOST)
    return torch.where(mask > 0, boost, torch.ones_like(boost)).squeeze(1)


def losses(logits, t, w):
    """Directional BCE + soft Dice (new, demolished), and the same on 'any change' for undirected labels."""
    ln, ld = logits[:, 0], logits[:, 1]
    w_dir, w_any = w[:, 0], w[:, 1]
    total = logits.new_zeros(())
    parts = {}
    if w_dir.sum() > 0:
        # Positives count double: changes are rare and a missed structure costs more than a false alarm.
        pw = logits.new_tensor(2.0)
        bce = (
            F.binary_cross_entropy_with_logits(ln, t[:, 0], reduction="none", pos_weight=pw) * small_object_boost(t[:, 0])
            + F.binary_cross_entropy_with_logits(ld, t[:, 1], reduction="none", pos_weight=pw) * small_object_boost(t[:, 1])
        ) * w_dir
        parts["bce"] = bce.sum() / w_dir.sum().clamp(min=1)
        dice = 0
        for k, l in ((0, ln), (1, ld)):
            p = torch.sigmoid(l) * w_dir
            tt = t[:, k] * w_dir
            dice = dice + 1 - (2 * (p * tt).sum() + 1) / (p.sum() + tt.sum() + 1)
        parts["dice"] = dice / 2
    if w_any.sum() > 0:
        # p(any) = 1 - (1 - p_new)(1 - p_demolished), in log space.
        log_not = -F.softplus(ln) - F.softplus(ld)
        log_any = torch.log(-torch.expm1(log_not.clamp(max=-1e-6)))
        bce_any = -(t[:, 2] * log_any + (1 - t[:, 2]) * log_not) * w_any
        parts["bce_any"] = bce_any.sum() / w_any.sum().clamp(min=1)
        p_any = torch.exp(log_any) * w_any
        ta = t[:, 2] * w_any
        parts["dice_any"] = 1 - (2 * (p_any * ta).sum() + 1) / (p_any.sum() + ta.sum() + 1)
    for k, v in parts.items():
        total = total + (0.5 * v if k.startswith("dice") else v)
    return total, {k: float(v) for k, v in parts.items()}


class FeatureCache:
    """Crops drawn once (with the batch maker's pixel-space augmentation: pasting, colour,
    misregistration, turns) and the frozen encoder's features on them computed once, in float16.
    The pair network's encoder costs ten times its decoder on the CPU, so this trains the decoder
    on many more steps in the same time; afterwards only flips are added, applied to the crop and
    every feature map alike."""

    def __init__(self, model, maker, count, chunk, device, seed):
        t0 = time.time()
        self.x, self.t, self.w, self.feats = [], [], [], None
        parts = []
        for start in range(0, count, chunk):
            x, t, w = maker.batch(min(chunk, count - start))
            xt = torch.from_numpy(x).to(device)
            f = model.features(xt)
            n = x.shape[0]
            # Kept as (before, after) pairs per crop, so a batch can index crops.
            parts.append([torch.stack([fi[:n], fi[n:]], 1).half() for fi in f])
            self.x.append(torch.from_numpy(x).half())
            self.t.append(torch.from_numpy(t).half())
            self.w.append(torch.from_numpy(w).half())
        self.x, self.t, self.w = (torch.cat(v) for v in (self.x, self.t, self.w))
        self.feats = [torch.cat([p[k] for p in parts]) for k in range(len(parts[0]))]
        self.device = device
        self.rng = np.random.default_rng(seed + 1)
        print(f"cached {count} crops and their encoder features in {time.time() - t0:.0f} s", flush=True)

    def batch(self, n):
        idx = torch.from_numpy(self.rng.integers(0, len(self.x), n))
        x, t, w = (v[idx].float().to(self.device) for v in (self.x, self.t, self.w))
        feats = [f[idx].float().to(self.device) for f in self.feats]
        dims = [d for d, flip in ((-1, self.rng.random() < 0.5), (-2, self.rng.random() < 0.5)) if flip]
        if dims:
            x, t, w = (torch.flip(v, dims) for v in (x, t, w))
            feats = [torch.flip(f, dims) for f in feats]
        # The model wants (before..., after...) stacked along the batch.
        feats = [torch.cat([f[:, 0], f[:, 1]], 0) for f in feats]
        return x, t, w, feats


def finetune_schedule(steps):
    """Fine-tuning trained weights (train.py --init, adapt.py): no warm-up, cosine from the
    learning rate down to a tenth of it, as a LambdaLR factor."""
    return lambda s: 0.5 * (1 + math.cos(math.pi * s / max(1, steps))) * 0.9 + 0.1


def keep_batchnorm_frozen(model):
    """BatchNorm in eval mode whatever train_steps asks (model.train() would switch it to batch
    statistics). Adaptation (adapt.py) always keeps them, and a fine-tuning phase asks for it with
    --freeze-batchnorm: a checkpoint rebuilt from ONNX has its statistics folded into its weights by
    the export (the shipped surface average's first member), and small batches re-estimated the
    others' towards their own crops (the fused main network, 40 steps on a generated office:
    patrol check 0.974 -> 0.826 with them re-estimated, 0.961 kept; MODEL_CARD.md, "Adapting")."""
    plain_train = model.train

    def train(mode=True):
        plain_train(mode)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return model

    model.train = train


def start_run(args):
    """What every training or adaptation run sets first: fixed CPU threads, one seed for torch and
    numpy, the device (CUDA only when asked for and present) and the sidecar. Returns (device, spec)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    device = torch.device(args.device if args.device == "cpu" or torch.cuda.is_available() else "cpu")
    with open(args.spec) as f:
        return device, json.load(f)


def train_steps(model, maker, cache, opt, sched, steps, batch, device, log_every=100, smoothing=0.02):
    """The optimisation loop shared by training and adaptation (adapt.py): batches from the cache
    when there is one, else fresh from the batch maker; logs smoothed losses every log_every steps.
    Returns (wall seconds, CPU seconds)."""
    t0 = time.time()
    cpu0 = time.process_time()
    running = {}
    model.train()
    for step in range(1, steps + 1):
        if cache:
            x, t, w, feats = cache.batch(batch)
            logits = model.decode(x, feats)
        else:
            x, t, w = maker.batch(batch)
            x, t, w = (torch.from_numpy(a).to(device) for a in (x, t, w))
            logits = model.logits(x)
        loss, parts = losses(logits, t, w)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        for k, v in parts.items():
            running[k] = (1 - smoothing) * running.get(k, v) + smoothing * v
        if step % log_every == 0 or step == steps:
            rates = " ".join(f"{k} {v:.3f}" for k, v in sorted(running.items()))
            print(f"step {step}/{steps} {rates} lr {sched.get_last_lr()[0]:.5f} {time.time() - t0:.0f} s", flush=True)
    return time.time() - t0, time.process_time() - cpu0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--spec", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "change-detector.json"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--init", help="start from this checkpoint's weights (the second, fine-tuning phase of train.sh)")
    ap.add_argument("--mix", default="all", choices=["all", "aerial", "pair", "fused_aerial", "fused_aerial_tune", "fused_drone", "fused_drone_tune"], help="batch mixture (batches.MIXES): every flight kind, aerial tiles alone (the aerial-tile network), bare image pairs (the pair network), or aerial tiles / drone flights and real imagery with a baseline (the fused networks)")
    ap.add_argument("--arch", default="change", choices=["change", "pair", "fused", "averaged"], help="change: models/net.py from scratch; pair: the pretrained-encoder pair network (models/pair_net.py); fused: that encoder with the baseline and heights fused after it (models/fused_net.py); averaged: with --init, an average made by average_networks.py, its members fine-tuned together")
    ap.add_argument("--encoder", default=DEFAULT_ENCODER, help="with --arch pair or fused: the folder export-encoder.ts wrote")
    ap.add_argument("--deep-tap", help="with --arch pair: a fifth encoder tap at 1/32 (e.g. block_15_add; the encoder folder must hold it: export-encoder.ts --deep), fused into the 1/16 level")
    ap.add_argument("--tune-encoder-from", help="with --arch pair or fused: train the encoder's Keras blocks from this one on (e.g. block_10); default: encoder frozen")
    ap.add_argument("--paste-pairs", type=float, default=0.0, help="share of real-pair crops that get another real pair's changed roofs pasted in (batches.BatchMaker)")
    ap.add_argument("--encoder-lr-scale", type=float, default=1.0, help="with --tune-encoder-from: the tuned encoder blocks learn at this share of --lr (ImageNet features move slowly; at the full rate they overfit the development pairs)")
    ap.add_argument("--degrade", type=float, default=0.0, help="chance that each date of a real-pair crop is blurred and noised as a coarser sensor would see it (batches.BatchMaker._degrade)")
    ap.add_argument("--coarsen", type=float, default=0.0, help="chance that a crop's two images are seen as a sensor 1.5-4 times coarser than the model grid would give them (batches.BatchMaker._coarsen)")
    ap.add_argument("--swap-xbd", type=float, default=0.0, help="chance that an xBD pre/post pair is seen with its dates exchanged: destroyed buildings as new ones (batches.BatchMaker._xbd_pair)")
    ap.add_argument("--ignore-unmapped", action="store_true", help="no loss on raised, flat surface of real surface-model tiles that no labelled outline covers (batches.unmapped_roofs): a roof the labels leave out looks like a withheld one")
    ap.add_argument("--leave-out", default="", help="comma-separated source/name of exported samples not to train on (a cross-validation fold's held-out pairs, e.g. egy_bcd/val_1,levir_cd/val_27_0000_0256)")
    ap.add_argument("--cache", type=int, default=0, help="with --arch pair or fused: draw this many crops once, run the frozen encoder on them once, and train the decoder on those (flips only afterwards); 0: fresh crops every step")
    ap.add_argument("--surface-only", action="store_true", help="train the surface-model-only network: synthetic scenes as heights + baseline, and real surface-model tiles")
    ap.add_argument("--freeze-batchnorm", action="store_true", help="with --init: BatchNorm statistics stay the checkpoint's (keep_batchnorm_frozen)")
    ap.add_argument("--phase", help="with --init: the name of this phase in the training record (default: finetune under --mix all, else the mixture's name)")
    args = ap.parse_args()

    device, spec = start_run(args)
    samples = Samples(args.data, spec["channels"], leave_out=[n for n in args.leave_out.split(",") if n])
    print(f"samples: {samples.describe()}", flush=True)
    if "scene" not in samples.groups:
        raise SystemExit("no synthetic scenes in the exported data")
    maker = BatchMaker(samples, args.crop, args.seed, surface_only=args.surface_only, mix=args.mix, paste_pairs=args.paste_pairs, degrade=args.degrade, coarsen=args.coarsen, swap_xbd=args.swap_xbd, ignore_unmapped=args.ignore_unmapped)
    if (args.freeze_batchnorm or args.phase or args.arch == "averaged") and not args.init:
        raise SystemExit("--arch averaged, --freeze-batchnorm and --phase fine-tune a checkpoint: give it with --init (average_networks.py makes an average)")
    earlier = None
    if args.init:
        earlier = torch.load(args.init, map_location="cpu")
        if earlier.get("arch", "change") != args.arch:
            raise SystemExit(f"--init {args.init}: a network of arch {earlier.get('arch', 'change')}, not --arch {args.arch}")
    if args.deep_tap and (args.arch != "pair" or earlier):
        raise SystemExit("--deep-tap is for a new image-pair network (--arch pair, no --init)")
    form = served_form(earlier) if earlier else {}
    if args.deep_tap:
        form["encoder_taps"] = [*read_description(args.encoder)["taps"], args.deep_tap]
    model = build_model(args.arch, spec, args.encoder, args.tune_encoder_from, **form).to(device)
    if earlier:
        model.load_state_dict(earlier["state"])
    if args.freeze_batchnorm:
        keep_batchnorm_frozen(model)
    params = sum(p.numel() for p in model.parameters())
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(f"parameters: {params} ({sum(p.numel() for p in trainable)} trained), device {device}, threads {args.threads}, from {args.init or 'scratch'}", flush=True)
    encoder_params = {id(p) for p in getattr(model, "encoder", torch.nn.Module()).parameters()}
    groups = [
        {"params": [p for p in trainable if id(p) not in encoder_params], "lr": args.lr},
        {"params": [p for p in trainable if id(p) in encoder_params], "lr": args.lr * args.encoder_lr_scale},
    ]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], weight_decay=1e-4)
    warm = max(1, args.steps // 20)
    if earlier:
        schedule = finetune_schedule(args.steps)
    else:
        schedule = lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, args.steps - warm))) * 0.98 + 0.02  # noqa: E731
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    if args.cache and args.tune_encoder_from:
        raise SystemExit("--cache keeps the encoder's features fixed: it cannot be used with --tune-encoder-from")
    cache = FeatureCache(model, maker, args.cache, args.batch, device, args.seed) if args.cache else None
    wall, cpu = train_steps(model, maker, cache, opt, sched, args.steps, args.batch, device)
    phase = {"steps": args.steps, "lr": args.lr, "seed": args.seed, "mix": args.mix, "arch": args.arch, "cached_crops": args.cache, "paste_pairs": args.paste_pairs, "degrade": args.degrade, "coarsen": args.coarsen, "swap_xbd": args.swap_xbd, "ignore_unmapped": args.ignore_unmapped, "left_out": samples.left_out, "tune_encoder_from": args.tune_encoder_from, "encoder_lr_scale": args.encoder_lr_scale, "train_wall_s": round(wall), "train_cpu_s": round(cpu)}
    if earlier:
        # The first phase's record stays; this one is added as the fine-tuning phase.
        phase.update({"batch": args.batch, "crop_px": args.crop, "batchnorm_frozen": args.freeze_batchnorm})
        training = {**earlier["training"], (args.phase or ("finetune" if args.mix == "all" else args.mix)): phase}
        # A phase that read the held-out development tiles makes the whole network one that did.
        if samples.development_split == "all":
            training["development_split"] = "all"
    else:
        training = {
            **phase,
            "batch": args.batch,
            "crop_px": args.crop,
            "threads": args.threads,
            "device": str(device),
            "parameters": params,
            "samples": samples.describe(),
            "development_split": samples.development_split,
            "surface_only": args.surface_only,
            "torch": torch.__version__,
        }
    # An average keeps its member count, an ensemble its looks (model_from_checkpoint builds from them).
    torch.save({"state": model.state_dict(), "channels": spec["channels"], "arch": args.arch, **form, "training": training}, args.out)
    done = "fine-tuned" if earlier else "trained"
    print(f"{done} {args.steps} steps in {wall:.0f} s wall, {cpu:.0f} s CPU; saved {args.out}", flush=True)

if __name__ == "__main__":
    main()
