"""Exports the trained checkpoint to ONNX with a parity fixture (run by models/train.sh).

    /usr/bin/python3 models/export_onnx.py --checkpoint models/.cache/checkpoint.pt --data models/.cache/data
    /usr/bin/python3 models/export_onnx.py --checkpoint models/.cache/checkpoint-surface.pt --data models/.cache/data --surface-only
    /usr/bin/python3 models/export_onnx.py --checkpoint models/.cache/checkpoint-aerial.pt --data models/.cache/data --aerial

Writes models/change-detector.onnx (sigmoid included: outputs are probabilities; the files go
beside --spec), the parity fixture models/parity/ (two small input chips cut from the training data and torch's outputs on
them, checked against onnxruntime by pipeline/src/model/parity.test.ts), and the sidecar's
`training` record. With --surface-only: the surface-model-only network, as it is served (models/net.py
HeightsOnly: its image channels, always zero there, left out of the graph), to the sidecar's
`surface_only_onnx`, models/parity-surface/ and the record's `surface_only` entry. With --aerial:
the aerial-tile network, to the sidecar's `aerial_onnx`, models/parity-aerial/ and the record's
`aerial` entry.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from batches import BatchMaker, Samples  # noqa: E402
from net import HeightsOnly  # noqa: E402
from train import DEFAULT_ENCODER, model_from_checkpoint  # noqa: E402


# The training record's entries of the networks other than the main one (whose record is the top level).
OTHER_NETWORKS = ("surface_only", "aerial", "pair")


def export_network(model, spec, onnx_path):
    """The network to ONNX as the pipeline loads it: the sidecar's input and output names, any
    batch and chip size, opset 13, sigmoid included (outputs are probabilities)."""
    model.eval()
    dummy = torch.zeros(1, len(spec["channels"]), spec["chip_px"], spec["chip_px"])
    torch.onnx.export(
        model,
        dummy,
        onnx_path,
        input_names=[spec["input_name"]],
        output_names=[spec["output_name"]],
        dynamic_axes={spec["input_name"]: {0: "n", 2: "h", 3: "w"}, spec["output_name"]: {0: "n", 2: "h", 3: "w"}},
        opset_version=13,
        do_constant_folding=True,
    )
    fold_zero_pads(model, onnx_path)


def fold_zero_pads(model, onnx_path):
    """Writes the pretrained encoder's Keras zero-padding (models/encoder/mobilenet.py ZeroPad, before
    each stride-2 convolution) into that convolution's own `pads` and drops the Pad node. Why: torch
    1.13 exports the pad widths through a chain of operators, so onnxruntime cannot see them as
    constants and does not fuse them; the separate Pad nodes cost about a fifth of the image-pair
    network's kernel time. The convolution pads with the same zeros: the output is the same (parity
    fixtures check it). A Pad whose widths or consumer are not what this expects stays as it is."""
    import onnx
    from onnx import helper
    from mobilenet import ZeroPad  # on the path train.py set

    widths = {name.rsplit(".", 1)[-1]: m.pad for name, m in model.named_modules() if isinstance(m, ZeroPad)}
    if not widths:
        return
    graph_model = onnx.load(onnx_path)
    graph = graph_model.graph
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    folded = []
    for node in graph.node:
        if node.op_type != "Pad" or node.name.count("/") < 2:
            continue
        # Named after the module that made it: /encoder/block_1_pad/Pad.
        layer = node.name.split("/")[-2]
        users = consumers.get(node.output[0], [])
        if layer not in widths or len(users) != 1 or users[0].op_type != "Conv":
            continue
        conv = users[0]
        attrs = {a.name: a for a in conv.attribute}
        if list(attrs["pads"].ints if "pads" in attrs else [0, 0, 0, 0]) != [0, 0, 0, 0] or "auto_pad" in attrs:
            continue
        left, right, top, bottom = widths[layer]
        if "pads" in attrs:
            conv.attribute.remove(attrs["pads"])
        conv.attribute.append(helper.make_attribute("pads", [top, left, bottom, right]))
        conv.input[0] = node.input[0]
        folded.append(node)
    for node in folded:
        graph.node.remove(node)
    if folded:
        # What fed only the dropped pads (their widths' operator chain) goes too.
        onnx.save(prune_unused(graph_model), onnx_path)


def prune_unused(graph_model):
    """The model without nodes whose outputs nothing reads (and the graph does not return)."""
    graph = graph_model.graph
    while True:
        read = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
        dead = [node for node in graph.node if not any(o in read for o in node.output)]
        if not dead:
            return graph_model
        for node in dead:
            graph.node.remove(node)


def write_parity(model, maker, folder):
    """Parity fixture in `folder`: two chips from the batch maker and torch's outputs on them, for
    pipeline/src/model/parity.test.ts (or the model store) to check onnxruntime against."""
    x, _, _ = maker.batch(2)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy()
    os.makedirs(folder, exist_ok=True)
    x.astype("<f4").tofile(os.path.join(folder, "input.f32"))
    y.astype("<f4").tofile(os.path.join(folder, "output.f32"))
    with open(os.path.join(folder, "parity.json"), "w") as f:
        json.dump({"input_shape": list(x.shape), "output_shape": list(y.shape), "dtype": "float32 little-endian", "max_abs_diff": 1e-4}, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--spec", default=os.path.join(HERE, "change-detector.json"))
    ap.add_argument("--surface-only", action="store_true", help="export the surface-model-only network")
    ap.add_argument("--aerial", action="store_true", help="export the aerial-tile network")
    ap.add_argument("--pair", action="store_true", help="export the image-pair network (pretrained encoder)")
    ap.add_argument("--encoder", default=DEFAULT_ENCODER, help="with --pair: the folder export-encoder.ts wrote")
    args = ap.parse_args()
    torch.set_num_threads(2)
    with open(args.spec) as f:
        spec = json.load(f)
    ck = torch.load(args.checkpoint, map_location="cpu")
    if ck["channels"] != spec["channels"]:
        raise SystemExit("checkpoint channels differ from the sidecar's")
    model = model_from_checkpoint(ck, spec, args.encoder)
    model.eval()

    if args.surface_only:
        spec.setdefault("surface_only_onnx", "change-detector-surface.onnx")
    if args.aerial:
        spec.setdefault("aerial_onnx", "change-detector-aerial.onnx")
    if args.pair:
        spec.setdefault("pair_onnx", "change-detector-pair.onnx")
    # Which sidecar key, parity folder and training-record entry this export writes.
    kind = "surface_only" if args.surface_only else "aerial" if args.aerial else "pair" if args.pair else "main"
    onnx_key, parity_dir, mix = {
        "main": ("onnx", "parity", "fused_drone" if ck.get("arch") == "fused" else "all"),
        "surface_only": ("surface_only_onnx", "parity-surface", "all"),
        "aerial": ("aerial_onnx", "parity-aerial", "fused_aerial" if ck.get("arch") == "fused" else "aerial"),
        "pair": ("pair_onnx", "parity-pair", "pair"),
    }[kind]
    # Beside the sidecar (models/ by default; a test's copy elsewhere).
    out_dir = os.path.dirname(os.path.abspath(args.spec))
    onnx_path = os.path.join(out_dir, spec[onnx_key])
    # The surface network reads heights alone: exported without the channels it is never given.
    export_network(HeightsOnly(model) if args.surface_only else model, spec, onnx_path)
    # Parity fixture: two 64 x 64 chips of real training content, fixed seed.
    samples = Samples(args.data, spec["channels"])
    write_parity(model, BatchMaker(samples, 64, 7, surface_only=args.surface_only, mix=mix), os.path.join(out_dir, parity_dir))

    training = dict(ck["training"])
    training["onnx_bytes"] = os.path.getsize(onnx_path)
    if args.surface_only:
        spec["training"] = {**spec.get("training", {}), "surface_only": training}
    elif args.pair:
        spec["training"] = {**spec.get("training", {}), "pair": training}
    elif args.aerial:
        # The main network's phases are in the record already; this adds the aerial phase.
        # A network fine-tuned from the main one adds its phase to the main record ("aerial");
        # one trained on its own (the fused network) brings a record of its own.
        own = training["aerial"] if "aerial" in training else training
        spec["training"] = {**spec.get("training", {}), "aerial": {**own, "onnx_bytes": training["onnx_bytes"]}}
    else:
        # The main network's record is the top level: replaced whole (an earlier main network's
        # phases, such as its fine-tuning, must not stay beside the new one's), keeping the other
        # networks' entries.
        # train.py's own "surface_only" flag would take the surface network's key: left out.
        own = {k: v for k, v in training.items() if k not in OTHER_NETWORKS}
        others = {k: v for k, v in spec.get("training", {}).items() if k in OTHER_NETWORKS}
        spec["training"] = {**own, **others}
    with open(args.spec, "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(f"exported {onnx_path} ({training['onnx_bytes']} bytes, {training['parameters']} parameters) and the parity fixture")


if __name__ == "__main__":
    main()
