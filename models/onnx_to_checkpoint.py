"""Rebuilds a PyTorch checkpoint of a from-scratch network (models/net.py) from its ONNX file
(issue 19): every network shipped today brings its checkpoint beside its ONNX file, taken as it
is, but a model store of an earlier release holds its from-scratch main network as ONNX alone (its
training checkpoint was lost), and `npm run model -- adapt` fine-tunes from a checkpoint in
train.py's format: {"state", "channels", "arch", "training"}.

    /usr/bin/python3 models/onnx_to_checkpoint.py --network surface_only --out models/.cache/checkpoints/x.pt
    /usr/bin/python3 models/onnx_to_checkpoint.py --forward x.pt --input chips.f32 --shape 2,13,64,64 --output torch.f32

Why a rebuild is more than copying weights: export_onnx.py exports in eval mode with constant
folding, so every BatchNorm of models/net.py was folded into the convolution before it (the
initializers are a weight and a bias per convolution, named onnx::Conv_<k>; the 1x1 convolutions
without BatchNorm keep their names). The trained scale, shift and statistics cannot be told apart
any more. The rebuild gives each BatchNorm running mean 0 and running variance 1 - eps (so that
1 / sqrt(var + eps) is 1), the folded bias as its shift, and splits each output channel's folded
weight into the convolution's weight, at the size of a freshly initialised layer, times
BatchNorm's scale: in eval mode the network computes the ONNX function (to float rounding). In train
mode BatchNorm would normalise by batch statistics instead, a different function; adapt.py keeps
every network's BatchNorm layers in eval mode (statistics frozen; scale and shift still learn),
and records whether the checkpoint was rebuilt ("rebuilt_from_onnx").

Which convolution is which: the exporter names each node by its module path
(/e2/e2.1/conv/conv.0/Conv is e2.1.conv.0); the rebuild checks every node against the module it
names (shape, stride, padding, dilation, which input it reads) and that every initializer and
every tensor of the state dict is used exactly once. `--forward` runs a checkpoint on chips, so a
test can compare it with onnxruntime (scripts/model/adapt-checkpoint.test.ts).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from net import ChangeNet  # noqa: E402
from export_onnx import OTHER_NETWORKS  # noqa: E402
from train import model_from_checkpoint  # noqa: E402

# The sidecar's key for each network's ONNX file, as ChangeDetector names the networks.
ONNX_KEYS = {"main": "onnx", "surface_only": "surface_only_onnx", "aerial": "aerial_onnx"}
# The record's key under which it sits in the sidecar's training record ("main": the record itself).
RECORD_KEYS = {"main": None, "surface_only": "surface_only", "aerial": "aerial"}


def module_path(node_name):
    """The module a Conv node was exported from: /e2/e2.1/conv/conv.0/Conv -> e2.1.conv.0 (each scope
    is its module's name, children of a Sequential as <parent>.<index>)."""
    scopes = node_name.strip("/").split("/")[:-1]
    if not scopes:
        raise ValueError(f"{node_name}: no module scope in the node's name")
    qualified, local = scopes[0], scopes[0]
    for scope in scopes[1:]:
        qualified += scope[len(local):] if scope.startswith(local + ".") else "." + scope
        local = scope
    return qualified


def batchnorm_after(model, conv_name):
    """The BatchNorm that follows a convolution in its Sequential (conv_bn, Residual), or None."""
    parent_name, _, index = conv_name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    if not isinstance(parent, nn.Sequential) or not index.isdigit() or int(index) + 1 >= len(parent):
        return None
    nxt = parent[int(index) + 1]
    return (f"{parent_name}.{int(index) + 1}", nxt) if isinstance(nxt, nn.BatchNorm2d) else None


def attribute(node, name, default):
    import onnx.helper

    for a in node.attribute:
        if a.name == name:
            value = onnx.helper.get_attribute_value(a)
            return list(value) if isinstance(value, (list, tuple)) else value
    return default


def rebuild_state(onnx_path, channels):
    """A ChangeNet state dict computing the ONNX network's function in eval mode."""
    import onnx
    import onnx.numpy_helper

    graph = onnx.load(onnx_path).graph
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in graph.initializer}
    model = ChangeNet(channels)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    filled, used = set(), set()

    def put(key, value):
        if key not in state:
            raise ValueError(f"{onnx_path}: no tensor {key} in models/net.py's network")
        if key in filled:
            raise ValueError(f"{onnx_path}: {key} set twice")
        value = torch.as_tensor(np.array(value, dtype=np.float32))
        if tuple(value.shape) != tuple(state[key].shape):
            raise ValueError(f"{onnx_path}: {key} is {tuple(value.shape)} in the ONNX file, {tuple(state[key].shape)} in models/net.py")
        state[key] = value.to(state[key].dtype)
        filled.add(key)

    convs = [n for n in graph.node if n.op_type == "Conv"]
    for node in convs:
        name = module_path(node.name)
        try:
            conv = model.get_submodule(name)
        except AttributeError:
            conv = None
        if not isinstance(conv, nn.Conv2d):
            raise ValueError(f"{onnx_path}: node {node.name} names {name}, not a convolution of models/net.py")
        # The node's geometry must be the module's: a match by name alone could pair the wrong layers.
        geometry = {
            "strides": (attribute(node, "strides", [1, 1]), list(conv.stride)),
            "dilations": (attribute(node, "dilations", [1, 1]), list(conv.dilation)),
            "pads": (attribute(node, "pads", [0, 0, 0, 0]), list(conv.padding) * 2),
            "group": (attribute(node, "group", 1), conv.groups),
        }
        for what, (theirs, ours) in geometry.items():
            if theirs != ours:
                raise ValueError(f"{onnx_path}: node {node.name} has {what} {theirs}, {name} has {ours}")
        weight_name, bias_name = node.input[1], node.input[2] if len(node.input) > 2 else None
        used.update(n for n in (weight_name, bias_name) if n)
        put(f"{name}.weight", inits[weight_name])
        bias = inits[bias_name] if bias_name else np.zeros(conv.out_channels, np.float32)
        bn = batchnorm_after(model, name)
        if conv.bias is not None:
            put(f"{name}.bias", bias)
            if bn:
                raise ValueError(f"{name}: a convolution with a bias before a BatchNorm (not models/net.py's layout)")
            continue
        if not bn:
            raise ValueError(f"{onnx_path}: {name} has no bias and no BatchNorm after it; the folded bias has nowhere to go")
        bn_name, bn_module = bn
        # Each output channel's folded weight split into a direction at the scale of a freshly
        # initialised layer (He: rms sqrt(2 / fan_in)) and BatchNorm's scale: the same product,
        # but fine-tuning moves weights of a sensible size. Folded, the deep layers' weights are
        # 0.003-0.02 rms against 0.3 in the first: one learning rate moved some by their own size
        # in 200 steps and others not at all.
        folded = np.asarray(inits[weight_name], np.float32)
        fan_in = folded[0].size
        rms = np.sqrt((folded.reshape(folded.shape[0], -1) ** 2).mean(axis=1))
        scale = np.where(rms > 0, rms / np.sqrt(2.0 / fan_in), 1.0).astype(np.float32)
        filled.discard(f"{name}.weight")
        put(f"{name}.weight", folded / scale[:, None, None, None])
        # BatchNorm in eval mode: (x - 0) / sqrt((1 - eps) + eps) * scale + bias.
        put(f"{bn_name}.weight", scale)
        put(f"{bn_name}.bias", bias)
        put(f"{bn_name}.running_mean", np.zeros(conv.out_channels, np.float32))
        put(f"{bn_name}.running_var", np.full(conv.out_channels, 1.0 - bn_module.eps, np.float32))
        state[f"{bn_name}.num_batches_tracked"] = torch.zeros((), dtype=torch.long)
        filled.add(f"{bn_name}.num_batches_tracked")

    unused = sorted(set(inits) - used)
    if unused:
        raise ValueError(f"{onnx_path}: initializers the rebuild did not place: {unused[:5]}")
    missing = sorted(set(state) - filled)
    if missing:
        raise ValueError(f"{onnx_path}: tensors of models/net.py the ONNX file does not give: {missing[:5]}")
    return state


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def training_record(spec, network):
    """The network's training record as its checkpoint held it, from the sidecar (export_onnx.py
    wrote the sidecar's record from the checkpoint's)."""
    record = spec.get("training", {})
    main = {k: v for k, v in record.items() if k not in (*OTHER_NETWORKS, "adapt")}
    if network == "main":
        return main
    if network == "aerial":
        # The earlier aerial-tile network was fine-tuned from the from-scratch main one: its checkpoint held both records.
        return {**main, "aerial": record.get("aerial", {})}
    return dict(record.get(RECORD_KEYS[network], {}))


def rebuild(spec_path, network, onnx_path=None):
    with open(spec_path) as f:
        spec = json.load(f)
    if network not in ONNX_KEYS:
        raise SystemExit(f"--network {network}: one of {', '.join(ONNX_KEYS)} (the image-pair network ships its checkpoint)")
    if onnx_path is None:
        if not spec.get(ONNX_KEYS[network]):
            raise SystemExit(f"{spec_path}: names no {ONNX_KEYS[network]}")
        onnx_path = os.path.join(os.path.dirname(os.path.abspath(spec_path)), spec[ONNX_KEYS[network]])
    state = rebuild_state(onnx_path, spec["channels"])
    training = training_record(spec, network)
    training["rebuilt_from_onnx"] = {
        "onnx": os.path.basename(onnx_path),
        "sha256": sha256(onnx_path),
        "network": network,
        "batchnorm": "folded by the export; rebuilt with mean 0, variance 1 - eps, the folded bias as shift and each channel's weight scale as BatchNorm's scale; keep it in eval mode",
    }
    return {"state": state, "channels": spec["channels"], "arch": "change", "training": training}


def is_rebuilt(checkpoint):
    """Whether a checkpoint's BatchNorm layers hold folded weights (rebuilt here, or adapted from one)."""
    return "rebuilt_from_onnx" in checkpoint.get("training", {})


def forward(checkpoint_path, input_path, shape, output_path, spec_path):
    """Runs a checkpoint (eval mode) on float32 chips and writes its probabilities, float32."""
    ck = torch.load(checkpoint_path, map_location="cpu")
    with open(spec_path) as f:
        spec = json.load(f)
    # Rebuilt checkpoints and those shipped beside their ONNX files (train.py's format); the
    # networks over the pretrained encoder read its RGB normalisation from the sidecar.
    model = model_from_checkpoint(ck, {**spec, "channels": ck["channels"]})
    model.eval()
    x = torch.from_numpy(np.fromfile(input_path, dtype="<f4").reshape(shape))
    with torch.no_grad():
        model(x).numpy().astype("<f4").tofile(output_path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default=os.path.join(HERE, "change-detector.json"))
    ap.add_argument("--network", choices=sorted(ONNX_KEYS), help="which of the sidecar's networks to rebuild")
    ap.add_argument("--onnx", help="the ONNX file (default: the sidecar's file of --network, beside it)")
    ap.add_argument("--out", help="where to write the checkpoint")
    ap.add_argument("--forward", help="a checkpoint to run on --input instead")
    ap.add_argument("--input")
    ap.add_argument("--shape", help="N,C,H,W of --input")
    ap.add_argument("--output")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.forward:
        forward(args.forward, args.input, [int(v) for v in args.shape.split(",")], args.output, args.spec)
        return
    if not (args.network and args.out):
        raise SystemExit("give --network and --out (or --forward)")
    checkpoint = rebuild(args.spec, args.network, args.onnx)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    # Written under another name and renamed: two adaptations rebuilding at once never read half a file.
    tmp = f"{args.out}.{os.getpid()}.tmp"
    torch.save(checkpoint, tmp)
    os.replace(tmp, args.out)
    print(json.dumps({"out": args.out, **checkpoint["training"]["rebuilt_from_onnx"]}))


if __name__ == "__main__":
    main()
