"""The pretrained RGB encoder in PyTorch: the Keras MobileNetV2 of npm's nsfwjs (MIT), layer by
layer, from the description and float32 weights that models/encoder/export-encoder.ts writes.

Keras names map one to one: each Keras layer becomes one module of the same name (dots are not
allowed in module names; Keras uses none). Weight layouts are converted: Conv2D kernels
[kh, kw, in, out] -> [out, in, kh, kw]; depthwise [kh, kw, in, 1] -> [in, 1, kh, kw]. Keras's
stride-2 blocks pad right and bottom by one (ZeroPadding2D) and then convolve "valid"; PyTorch
does the same with an explicit pad. BatchNorm keeps Keras's epsilon (1e-3).

Input: N x 3 x H x W, RGB in 0..1 (nsfwjs divides 8-bit values by 255). Output: the tap layers'
outputs, in the order of the description's "taps".
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ZeroPad(nn.Module):
    def __init__(self, padding):
        super().__init__()
        (top, bottom), (left, right) = padding
        self.pad = (left, right, top, bottom)

    def forward(self, x):
        return F.pad(x, self.pad)


class ReLU6(nn.Module):
    def __init__(self, max_value):
        super().__init__()
        self.max_value = float(max_value)

    def forward(self, x):
        return torch.clamp(x, 0.0, self.max_value)


def _same_padding(config):
    if config["padding"] == "valid":
        return 0
    k = config["kernel_size"]
    if config.get("strides", [1, 1]) != [1, 1] or k[0] % 2 == 0:
        raise ValueError(f"{config['name']}: 'same' padding is only supported for stride 1 and odd kernels")
    return k[0] // 2


def _needed(layers, taps):
    """The description's layers that the taps depend on, in the description's order."""
    inputs = {layer["name"]: layer["inputs"] for layer in layers}
    missing = [t for t in taps if t not in inputs]
    if missing:
        raise ValueError(f"the encoder description holds no layer {', '.join(missing)} (export-encoder.ts --deep writes the deeper blocks)")
    needed, todo = set(), list(taps)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(inputs[name])
    return [layer for layer in layers if layer["name"] in needed]


class KerasMobileNet(nn.Module):
    def __init__(self, description, weights, taps=None):
        super().__init__()
        self.taps = list(taps or description["taps"])
        self.graph = []
        self.layers = nn.ModuleDict()
        for layer in _needed(description["layers"], self.taps):
            name, kind, cfg = layer["name"], layer["class_name"], layer["config"]
            self.graph.append((name, kind, layer["inputs"]))
            if kind == "Conv2D":
                kh, kw, cin, cout = weights[name + "/kernel"].shape
                m = nn.Conv2d(cin, cout, (kh, kw), tuple(cfg["strides"]), _same_padding(cfg), bias=cfg["use_bias"])
                m.weight.data = torch.from_numpy(weights[name + "/kernel"].transpose(3, 2, 0, 1).copy())
                if cfg["use_bias"]:
                    m.bias.data = torch.from_numpy(weights[name + "/bias"].copy())
            elif kind == "DepthwiseConv2D":
                kh, kw, cin, mult = weights[name + "/depthwise_kernel"].shape
                m = nn.Conv2d(cin, cin * mult, (kh, kw), tuple(cfg["strides"]), _same_padding(cfg), groups=cin, bias=cfg["use_bias"])
                m.weight.data = torch.from_numpy(weights[name + "/depthwise_kernel"].transpose(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw).copy())
                if cfg["use_bias"]:
                    m.bias.data = torch.from_numpy(weights[name + "/bias"].copy())
            elif kind == "BatchNormalization":
                gamma = weights[name + "/gamma"]
                m = nn.BatchNorm2d(len(gamma), eps=cfg["epsilon"])
                m.weight.data = torch.from_numpy(gamma.copy())
                m.bias.data = torch.from_numpy(weights[name + "/beta"].copy())
                m.running_mean.data = torch.from_numpy(weights[name + "/moving_mean"].copy())
                m.running_var.data = torch.from_numpy(weights[name + "/moving_variance"].copy())
            elif kind == "ReLU":
                m = ReLU6(cfg["max_value"])
            elif kind == "ZeroPadding2D":
                m = ZeroPad(cfg["padding"])
            elif kind in ("InputLayer", "Add"):
                continue
            else:
                raise ValueError(f"{name}: Keras layer {kind} is not supported")
            self.layers[name] = m

    def forward(self, x):
        values = {}
        for name, kind, inputs in self.graph:
            if kind == "InputLayer":
                values[name] = x
            elif kind == "Add":
                values[name] = values[inputs[0]] + values[inputs[1]]
            else:
                values[name] = self.layers[name](values[inputs[0]])
        return [values[t] for t in self.taps]


def read_description(folder):
    """<folder>/mobilenet_v2.json: the layers, their weights' places and the taps, without the weights."""
    with open(os.path.join(folder, "mobilenet_v2.json")) as f:
        return json.load(f)


def load_encoder(folder, taps=None):
    """The encoder from <folder>/mobilenet_v2.json + .bin, in eval mode (BatchNorm statistics
    frozen), with the layers its taps need: the description's taps, or `taps` (layers the
    description holds, e.g. a deeper block that it carries beyond its own taps)."""
    description = read_description(folder)
    flat = np.fromfile(os.path.join(folder, "mobilenet_v2.bin"), dtype=np.float32)
    weights = {}
    for w in description["weights"]:
        n = int(np.prod(w["shape"]))
        weights[w["name"]] = flat[w["offset"] : w["offset"] + n].reshape(w["shape"])
    return KerasMobileNet(description, weights, taps).eval(), description
