"""The image-pair network: a Siamese pretrained encoder (MobileNetV2 of npm's nsfwjs, see
models/encoder/) over the before and after orthophotos, and a small decoder trained here.

Why: a network trained from scratch on generated roofs does not see real ones (on LEVIR-CD it
scored below a colour difference). ImageNet features know real texture; the decoder learns which
feature differences are a building change.

Input and output are those of the main network (models/net.py): N x C x H x W in the sidecar's
channel order and normalisation, N x 2 x H x W probabilities (new or grown structure, demolished).
The network reads the two orthophotos and their validity masks; heights and the baseline are not
used (it is served for bare image pairs, where they are absent).

Per scale (1/2, 1/4, 1/8, 1/16) the two dates' features are fused as [before, after, |after -
before|] by a 1x1 convolution (a fifth tap at 1/32 joins the 1/16 level when the encoder reads one:
train.py --deep-tap, tried and not shipped); a U-Net decoder brings the fused maps back to full resolution,
where a thin branch over the colour difference keeps outlines sharp. The encoder is frozen
(its BatchNorm statistics too): eleven development pairs cannot retrain ImageNet features.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from net import conv_bn, up2

ENCODER_WIDTHS = (16, 24, 32, 96)
FUSED_WIDTHS = (16, 24, 32, 64)
# A fifth tap at 1/32 (train.py --deep-tap, e.g. block_15_add: 160 channels), fused to this width.
DEEP_FUSED_WIDTH = 96


def tap_widths(encoder):
    """The channels of the encoder's taps, from one small forward pass (in eval mode, so that no
    BatchNorm statistic moves)."""
    was_training = encoder.training
    encoder.eval()
    with torch.no_grad():
        widths = tuple(f.shape[1] for f in encoder(torch.zeros(1, 3, 64, 64)))
    encoder.train(was_training)
    return widths


def _blocks_from(encoder, first):
    """Names of the encoder's layers from Keras block `first` on (layers are named block_<n>_...)."""
    if not first:
        return set()
    start = int(first.split("_")[1])
    return {name for name in encoder.layers.keys() if name.startswith("block_") and int(name.split("_")[1]) >= start}


def conv1_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PairNet(nn.Module):
    def __init__(self, channels, encoder, rgb_norm, tune_from=None):
        super().__init__()
        ix = {n: i for i, n in enumerate(channels)}
        self.after_rgb = [ix["after_r"], ix["after_g"], ix["after_b"]]
        self.before_rgb = [ix["before_r"], ix["before_g"], ix["before_b"]]
        self.i_after_v = ix["after_rgb_valid"]
        self.i_before_v = ix["before_rgb_valid"]
        # The input's channels with the two dates exchanged (images and their validity).
        order = list(range(len(channels)))
        for a, b in zip([*self.after_rgb, self.i_after_v], [*self.before_rgb, self.i_before_v]):
            order[a], order[b] = b, a
        self.dates_swapped = order
        # Normalised value -> 0..1, the encoder's input (nsfwjs divides 8-bit values by 255).
        self.rgb_std = float(rgb_norm["std"]) * float(rgb_norm["scale"]) * 255.0
        self.rgb_mean = float(rgb_norm["mean"]) * float(rgb_norm["scale"]) * 255.0
        self.encoder = encoder
        # tune_from: the first Keras block whose weights train (e.g. "block_10"), at the trainer's
        # rate; the blocks before it, and every BatchNorm statistic, stay frozen. None: all frozen.
        tuned = _blocks_from(encoder, tune_from)
        for name, p in self.encoder.named_parameters():
            p.requires_grad_(name.split(".")[1] in tuned)
        self.tune_encoder = bool(tuned)
        widths = tap_widths(encoder)
        if widths[:4] != ENCODER_WIDTHS or len(widths) > 5:
            raise ValueError(f"the encoder's taps are {widths} channels wide, not {ENCODER_WIDTHS} and at most one deeper")
        fused_widths = FUSED_WIDTHS + ((DEEP_FUSED_WIDTH,) if len(widths) == 5 else ())
        self.fuse = nn.ModuleList(conv1_bn(3 * c, d) for c, d in zip(widths, fused_widths))
        f2, f4, f8, f16 = FUSED_WIDTHS
        if len(widths) == 5:
            # The deep tap's level: what the 1/32 features say joins the 1/16 ones.
            self.d32 = conv_bn(DEEP_FUSED_WIDTH, DEEP_FUSED_WIDTH)
            self.l32 = nn.Conv2d(DEEP_FUSED_WIDTH, f16, 1)
        self.d16 = conv_bn(f16, f16)
        self.l16 = nn.Conv2d(f16, f8, 1)
        self.d8 = conv_bn(f8, f8)
        self.l8 = nn.Conv2d(f8, f4, 1)
        self.d4 = conv_bn(f4, f4)
        self.l4 = nn.Conv2d(f4, f2, 1)
        self.d2 = conv_bn(f2, f2)
        self.l2 = nn.Conv2d(f2, 8, 1)
        self.full = conv_bn(12, 8)
        self.d1 = conv_bn(8, 8)
        self.head = nn.Conv2d(8, 2, 1)

    def train(self, mode=True):
        super().train(mode)
        self.encoder.eval()
        return self

    def _images(self, x):
        va = x[:, self.i_after_v : self.i_after_v + 1]
        vb = x[:, self.i_before_v : self.i_before_v + 1]
        a = (x[:, self.after_rgb] * self.rgb_std + self.rgb_mean) * va
        b = (x[:, self.before_rgb] * self.rgb_std + self.rgb_mean) * vb
        return a, b, va, vb

    def features(self, x):
        """The frozen encoder's taps over both dates, before first: the part the trainer may
        compute once per crop and cache (train.py --cache)."""
        a, b, _, _ = self._images(x)
        if self.tune_encoder and self.training:
            return self.encoder(torch.cat([b, a], 0))
        with torch.no_grad():
            return self.encoder(torch.cat([b, a], 0))

    def logits(self, x):
        return self.decode(x, self.features(x))

    def decode(self, x, feats):
        return self._decode(x, feats, None)

    def _decode(self, x, feats, side):
        """The decoder over both dates' taps. `side` (the fused network's baseline and heights, at
        full resolution) joins every scale, brought down by `self.side`, and the full-resolution
        branch; the image-pair network has none."""
        a, b, va, vb = self._images(x)
        n = x.shape[0]
        s = side
        fused = []
        for k, (f, fuse) in enumerate(zip(feats, self.fuse)):
            fb, fa = f[:n], f[n:]
            parts = [fb, fa, (fa - fb).abs()]
            if side is not None:
                s = self.side[k](s)
                parts.append(s)
            fused.append(fuse(torch.cat(parts, 1)))
        g2, g4, g8, g16 = fused[:4]
        if len(fused) == 5:
            # Sized to the 1/16 map: Keras's stride-2 padding rounds odd sizes up.
            g16 = g16 + F.interpolate(self.l32(self.d32(fused[4])), size=g16.shape[-2:], mode="bilinear", align_corners=False)
        d = self.d16(g16)
        d = self.d8(g8 + up2(self.l16(d)))
        d = self.d4(g4 + up2(self.l8(d)))
        d = self.d2(g2 + up2(self.l4(d)))
        both = va * vb
        full = [a, b, (a - b) * both, va, vb, both] + ([side] if side is not None else [])
        d = self.d1(self.full(torch.cat(full, 1)) + up2(self.l2(d)))
        return self.head(d)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))

    def move_decision(self, shift):
        """Moves where the served 0.5 falls: the head's logits by `shift` (decision_bias.py)."""
        with torch.no_grad():
            self.head.bias += shift


class PairEnsemble(nn.Module):
    """Several image-pair decoders trained apart (other seeds, same recipe) over the one frozen
    encoder, served as the mean of their probabilities. Why: the encoder is shared, so a second
    decoder adds about a quarter to a chip's time, not a second network's; what one seed
    calls change and the other does not is mostly a false alarm (as for the surface network's
    average, MODEL_CARD.md). The members hold the same encoder module, so the state and the ONNX
    file carry its weights once and serving runs it once.

    `date_swap` (True or "new"; "both"): every decoder (one is then enough) also reads the pair
    with its dates exchanged (the encoder's taps are reused, only the decoders run again), and
    what that look calls demolished joins the mean of what the pair calls new: a roof that appears
    is one that vanishes when the dates are exchanged, and the two heads weigh that evidence
    differently (on the development pairs the second look was worth 0.05 pixel F1 on LEVIR-CD;
    MODEL_CARD.md, image-pair network, "Both dates' sides"). With "new" the demolished map keeps
    the direct look alone: the exchanged look reads a destroyed building as one rising from
    rubble, which no training pair shows unless xBD's pairs are exchanged in training too
    (train.py --swap-xbd); served there without that, it took xBD's demolition recall from 0.80
    to 0.62. "both" gives the demolished map the second look as well (what the exchanged look
    calls new), for decoders trained so.

    `decision_shift` (0 until decision_bias.py sets it) moves the mean's logit, so that the served
    0.5 is where the ensemble's own best threshold was. `logits` is that shifted logit, for
    train.py's losses (adapt.py fine-tunes the decoders together)."""

    def __init__(self, channels, encoder, rgb_norm, members, date_swap=False):
        super().__init__()
        if members < (1 if date_swap else 2):
            raise ValueError(f"an ensemble needs at least two decoders, or one reading both dates' sides; not {members}")
        self.nets = nn.ModuleList(PairNet(channels, encoder, rgb_norm) for _ in range(members))
        self.date_swap = {False: "", None: "", True: "new"}.get(date_swap, date_swap)
        if self.date_swap not in ("", "new", "both"):
            raise ValueError(f"date_swap is False, True (\"new\") or \"both\", not {date_swap!r}")
        self.register_buffer("decision_shift", torch.zeros(()))

    def features(self, x):
        return self.nets[0].features(x)

    def _mean(self, x, feats):
        mean = torch.stack([torch.sigmoid(net.decode(x, feats)) for net in self.nets]).mean(0)
        if not self.date_swap:
            return mean
        # The encoder's taps hold the before date first, then the after date: exchanged halves.
        n = x.shape[0]
        swapped = [torch.cat([f[n:], f[:n]], 0) for f in feats]
        xs = x[:, self.nets[0].dates_swapped]
        exchanged = torch.stack([torch.sigmoid(net.decode(xs, swapped)) for net in self.nets]).mean(0)
        # Exchanged, what vanished is new and what appeared is demolished.
        vanished, appeared = exchanged[:, 1:2], exchanged[:, :1]
        if self.date_swap == "both":
            return (mean + torch.cat([vanished, appeared], 1)) / 2
        return torch.cat([(mean[:, :1] + vanished) / 2, mean[:, 1:]], 1)

    def decode(self, x, feats):
        return torch.logit(self._mean(x, feats), eps=1e-6) + self.decision_shift

    def logits(self, x):
        return self.decode(x, self.features(x))

    def forward(self, x):
        # sigmoid(logit(mean) + shift), written without logit (no ONNX operator for it); exactly
        # the mean while the shift is 0.
        mean = self._mean(x, self.features(x))
        odds = torch.exp(self.decision_shift)
        return mean * odds / (mean * odds + 1 - mean)

    def move_decision(self, shift):
        with torch.no_grad():
            self.decision_shift += shift
