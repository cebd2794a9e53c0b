"""The fused network: the image-pair network's frozen pretrained encoder (models/pair_net.py) over
both orthophotos, with the baseline (footprint, height, validity) and the surface model (height
above ground, validity, height above the baseline) fused after it, for inputs that carry them:
aerial tiles with a baseline, and drone flights.

Why: the networks trained from scratch for these inputs learned the generator (on real pairs they
were at a colour difference), while the same encoder under the pair network reached three times
that. The baseline and the heights are maps the encoder was not trained on, so they do not go
through it: a small strided convolution stack brings them to each of the encoder's scales, where
they join the two dates' features in the per-scale fusion, and to the full-resolution branch.

Input and output are those of the main network (models/net.py): N x C x H x W in the sidecar's
channel order and normalisation, N x 2 x H x W probabilities (new or grown structure, demolished),
so the pipeline serves it in place of the network it replaces.
"""
import torch
import torch.nn as nn

from net import conv_bn
from pair_net import ENCODER_WIDTHS, FUSED_WIDTHS, PairNet, conv1_bn

# The non-image channels, and their widths at 1/2, 1/4, 1/8 and 1/16 of the input.
SIDE_CHANNELS = ("baseline_height", "baseline_footprint", "baseline_valid", "after_height", "after_dsm_valid")
SIDE_WIDTHS = (8, 16, 16, 16)


class FusedNet(PairNet):
    def __init__(self, channels, encoder, rgb_norm, tune_from=None):
        super().__init__(channels, encoder, rgb_norm, tune_from)
        ix = {n: i for i, n in enumerate(channels)}
        self.side_ix = [ix[n] for n in SIDE_CHANNELS]
        self.i_after_h, self.i_base_h = ix["after_height"], ix["baseline_height"]
        self.i_dsm_v, self.i_base_v = ix["after_dsm_valid"], ix["baseline_valid"]
        cside = len(SIDE_CHANNELS) + 1  # and the height above the baseline
        widths = (cside,) + SIDE_WIDTHS
        self.side = nn.ModuleList(conv_bn(widths[k], widths[k + 1], 2) for k in range(len(SIDE_WIDTHS)))
        self.fuse = nn.ModuleList(conv1_bn(3 * c + s, d) for c, s, d in zip(ENCODER_WIDTHS, SIDE_WIDTHS, FUSED_WIDTHS))
        self.full = conv_bn(12 + cside, 8)

    def _side(self, x):
        both_h = x[:, self.i_dsm_v : self.i_dsm_v + 1] * x[:, self.i_base_v : self.i_base_v + 1]
        dh = (x[:, self.i_after_h : self.i_after_h + 1] - x[:, self.i_base_h : self.i_base_h + 1]) * both_h
        return torch.cat([x[:, self.side_ix], dh], 1)

    def decode(self, x, feats):
        return self._decode(x, feats, self._side(x))
