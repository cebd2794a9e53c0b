"""The change-detection network: a small UNet over the stacked inputs of both dates.

Input: N x C x H x W in the channel order of change-detector.json (H, W multiples of 16).
Output: N x 2 x H x W probabilities (new or grown structure, demolished), sigmoid applied.

Two fixed, parameter-free comparisons are added before the first convolution, because they are
what a change is: the colour difference after - before (where both images exist) and the height
difference after - baseline (where both exist). The encoder works at 1/2 to 1/16 of the input
resolution for speed; a thin full-resolution branch keeps outlines sharp.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, stride=1, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Residual(nn.Module):
    def __init__(self, ch, dilation=1):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(ch, ch, 3, 1, padding=dilation, dilation=dilation, bias=False),
            nn.BatchNorm2d(ch),
            nn.ReLU(inplace=True),
            nn.Conv2d(ch, ch, 3, 1, padding=1, bias=False),
            nn.BatchNorm2d(ch),
        )

    def forward(self, x):
        return F.relu(x + self.conv(x))


def up2(x):
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


class ChangeNet(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.names = list(channels)
        ix = {n: i for i, n in enumerate(self.names)}
        self.after_rgb = [ix["after_r"], ix["after_g"], ix["after_b"]]
        self.before_rgb = [ix["before_r"], ix["before_g"], ix["before_b"]]
        self.i_after_h = ix["after_height"]
        self.i_base_h = ix["baseline_height"]
        self.i_after_v = ix["after_rgb_valid"]
        self.i_before_v = ix["before_rgb_valid"]
        self.i_dsm_v = ix["after_dsm_valid"]
        self.i_base_v = ix["baseline_valid"]
        cin = len(self.names) + 4
        w = (24, 48, 64, 96)
        self.full = conv_bn(cin, 8)
        self.e1 = nn.Sequential(conv_bn(cin, w[0], 2), conv_bn(w[0], w[0]))
        self.e2 = nn.Sequential(conv_bn(w[0], w[1], 2), Residual(w[1]))
        self.e3 = nn.Sequential(conv_bn(w[1], w[2], 2), Residual(w[2]), Residual(w[2], 2))
        self.e4 = nn.Sequential(conv_bn(w[2], w[3], 2), Residual(w[3], 2), Residual(w[3], 4))
        self.l4 = nn.Conv2d(w[3], w[2], 1)
        self.d3 = conv_bn(w[2], w[2])
        self.l3 = nn.Conv2d(w[2], w[1], 1)
        self.d2 = conv_bn(w[1], w[1])
        self.l2 = nn.Conv2d(w[1], w[0], 1)
        self.d1 = conv_bn(w[0], w[0])
        self.l1 = nn.Conv2d(w[0], 8, 1)
        self.d0 = conv_bn(8, 8)
        self.head = nn.Conv2d(8, 2, 1)

    def logits(self, x):
        a = x[:, self.after_rgb]
        b = x[:, self.before_rgb]
        both_rgb = x[:, self.i_after_v : self.i_after_v + 1] * x[:, self.i_before_v : self.i_before_v + 1]
        z = torch.cat([x, (a - b) * both_rgb, self.height_difference(x)], 1)
        return self.from_first(self.full(z), self.e1(z))

    def height_difference(self, x):
        """The surface's height minus the baseline's, where both are known (0 elsewhere)."""
        both_h = x[:, self.i_dsm_v : self.i_dsm_v + 1] * x[:, self.i_base_v : self.i_base_v + 1]
        return (x[:, self.i_after_h : self.i_after_h + 1] - x[:, self.i_base_h : self.i_base_h + 1]) * both_h

    def from_first(self, f0, f1):
        """The logits from the full-resolution branch and the first encoder stage."""
        f2 = self.e2(f1)
        f3 = self.e3(f2)
        f4 = self.e4(f3)
        d = self.d3(f3 + up2(self.l4(f4)))
        d = self.d2(f2 + up2(self.l3(d)))
        d = self.d1(f1 + up2(self.l2(d)))
        d = self.d0(f0 + up2(self.l1(d)))
        return self.head(d)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class AveragedNets(nn.Module):
    """Several ChangeNets trained apart (other seeds), served as one: the mean of their
    probabilities. Why: on the real surface models one network's object F1 moved by 0.2 between
    seeds of the same recipe; the mean of two keeps what both are sure of and scored higher on the
    training and the held-out tiles alike (MODEL_CARD.md, surface-model-only network). `logits`
    is the logit of that mean, so that train.py's losses fine-tune the members together (adapt)."""

    def __init__(self, channels, members):
        super().__init__()
        if members < 2:
            raise ValueError(f"an average needs at least two networks, not {members}")
        self.nets = nn.ModuleList(ChangeNet(channels) for _ in range(members))

    def forward(self, x):
        return torch.stack([net(x) for net in self.nets]).mean(0)

    def logits(self, x):
        return torch.logit(self.forward(x), eps=1e-6)


def first_conv_on(block, keep):
    """`block` (conv_bn, or a stage that starts with one) with its first convolution reading only the
    input channels `keep`: the same function wherever the other channels are zero."""
    conv, rest = (block[0], list(block)[1:])
    if isinstance(conv, nn.Sequential):  # a stage: its first conv_bn, then the rest of the stage
        return nn.Sequential(first_conv_on(conv, keep), *rest)
    narrow = nn.Conv2d(len(keep), conv.out_channels, conv.kernel_size, conv.stride, padding=conv.padding, dilation=conv.dilation, bias=conv.bias is not None)
    narrow.weight.data = conv.weight.data[:, keep].clone()
    if conv.bias is not None:
        narrow.bias.data = conv.bias.data.clone()
    return nn.Sequential(narrow, *rest)


class HeightsOnly(nn.Module):
    """A surface-model-only network (ChangeNet or AveragedNets) as it is served: heights and the
    baseline, its colour channels, their difference and the image masks always zero (the detector
    sets any orthophoto aside). Then 11 of the 17 channels its first convolutions read are zero;
    this computes the same probabilities (to float rounding) from the other six, stacked once for
    every member. Why: 19% less time a chip for the average of three (22.1 against 27.0 ms in
    onnxruntime-node, 2 threads), which a first patrol pays 144 times a km². export_onnx.py
    --surface-only exports this in place of the network; the channels it does not read are ignored."""

    HEIGHT_CHANNELS = ("after_height", "baseline_height", "baseline_footprint", "after_dsm_valid", "baseline_valid")

    def __init__(self, model):
        super().__init__()
        self.members = model.nets if isinstance(model, AveragedNets) else nn.ModuleList([model])
        names = self.members[0].names
        self.read = [names.index(n) for n in self.HEIGHT_CHANNELS]
        # In ChangeNet.logits' stack: the inputs, the colour difference (3), the height difference.
        keep = self.read + [len(names) + 3]
        self.full = nn.ModuleList(first_conv_on(net.full, keep) for net in self.members)
        self.e1 = nn.ModuleList(first_conv_on(net.e1, keep) for net in self.members)

    def forward(self, x):
        z = torch.cat([x[:, self.read], self.members[0].height_difference(x)], 1)
        return torch.stack([torch.sigmoid(m.from_first(full(z), e1(z))) for m, full, e1 in zip(self.members, self.full, self.e1)]).mean(0)
