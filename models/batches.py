"""Training batches from the exported samples (models/data/export.ts writes them).

Inputs arrive already normalised by the TypeScript preprocessing; this module only crops,
augments and decides which inputs a training example "has", by blanking channels and their
availability masks exactly as the TypeScript chip builder does for an absent input (zeros).
Augmentation: flips and quarter turns, colour response changes per date, a small extra
misregistration of the new flight, surface-model noise and bias, and the flight kinds:

  drone         after RGB + after DSM + baseline (+ before RGB half of the time)
  rgb_baseline  after RGB + before RGB + baseline
  dsm_baseline  after DSM + baseline (no imagery)
  rgb_pair      after RGB + before RGB, no baseline (bare image pairs, LEVIR-CD style)
  rgb_after     after RGB + baseline only

Real samples keep the inputs they have: image pairs are rgb_pair, drone surface models are
dsm_baseline with a random share of buildings withheld from the baseline per draw.

Changes are rare (a few percent of a village's pixels, a fraction of a percent of a forested
drone tile), so most crops are centred near a change (scenes) or a building (surface models);
the rest are drawn anywhere, so that empty ground is seen too.
"""
import glob
import json
import os

import numpy as np

# Batch mixtures: the share of each sample group in the batches, and of each flight kind among
# the synthetic scenes' crops.
#   all     the from-scratch network (the main one until 2026-12-06; the surface-model-only
#           network's members with --surface-only): every flight kind it may be handed.
#   aerial  the earlier aerial-tile network (fine-tuned from that one): after RGB + before RGB +
#           baseline alone. The zero shares keep the draws, and so the batches, those of the
#           five-way mixture it was first trained with.
MIXES = {
    "all": (
        {"scene": 0.52, "surface": 0.3, "pair": 0.09, "xbd_pair": 0.03, "single": 0.06},
        [("drone", 0.45), ("rgb_baseline", 0.15), ("dsm_baseline", 0.20), ("rgb_pair", 0.12), ("rgb_after", 0.08)],
    ),
    "aerial": (
        {"scene": 1.0, "surface": 0.0, "pair": 0.0, "xbd_pair": 0.0, "single": 0.0},
        [("drone", 0.0), ("rgb_baseline", 1.0), ("dsm_baseline", 0.0), ("rgb_pair", 0.0), ("rgb_after", 0.0)],
    ),
    #   pair    the image-pair network (models/pair_net.py): bare before/after pairs. Real pairs
    #           most, real single-date buildings pasted into real ground next, generated scenes
    #           least (they teach the generator's look, which is what failed on real imagery).
    "pair": (
        {"scene": 0.15, "surface": 0.0, "pair": 0.45, "xbd_pair": 0.15, "single": 0.25},
        [("rgb_pair", 1.0)],
    ),
    #   adapt   fine-tuning a shipped network on an office's own labelled pairs (models/adapt.py,
    #           npm run model -- adapt): those pairs, no generated scenes; with the office's
    #           database (--from-db), its blocks' baseline and register buildings pasted into its
    #           own ground too (single samples; absent, the pairs are drawn alone as before).
    #           An office's surface-model tiles are adapted on alone (one layout per adaptation).
    "adapt": (
        {"scene": 0.0, "surface": 1.0, "pair": 0.75, "xbd_pair": 0.0, "single": 0.25},
        [("rgb_pair", 1.0)],
    ),
    #   fused_aerial  the fused network for aerial tiles (models/fused_net.py): generated scenes
    #           as after RGB + before RGB + baseline half of the batches, and the pair network's
    #           real imagery with a baseline (REAL_BASELINE_MIXES) for the rest.
    "fused_aerial": (
        {"scene": 0.5, "surface": 0.0, "pair": 0.25, "xbd_pair": 0.1, "single": 0.15},
        [("rgb_baseline", 1.0)],
    ),
    #   fused_aerial_tune  its second phase (train.py --init): the same with generated aerial
    #           tiles in three crops of four, where the first phase left false alarms.
    "fused_aerial_tune": (
        {"scene": 0.75, "surface": 0.0, "pair": 0.12, "xbd_pair": 0.05, "single": 0.08},
        [("rgb_baseline", 1.0)],
    ),
    #   fused_drone  the fused network in the main network's place: generated scenes as the
    #           inputs the main network was trained for (drone flights with and without the earlier
    #           orthophoto, an image alone with the baseline; first patrols go to the surface
    #           network since the sixth session), real surface models for real
    #           heights, and the pair network's real imagery with a baseline.
    "fused_drone": (
        {"scene": 0.55, "surface": 0.1, "pair": 0.15, "xbd_pair": 0.05, "single": 0.15},
        [("drone", 0.8), ("rgb_after", 0.2)],
    ),
    #   fused_drone_tune  its second phase (train.py --init), as fused_aerial_tune is the aerial
    #           one's: generated scenes in four crops of five.
    "fused_drone_tune": (
        {"scene": 0.8, "surface": 0.05, "pair": 0.07, "xbd_pair": 0.03, "single": 0.05},
        [("drone", 0.8), ("rgb_after", 0.2)],
    ),
}
# Mixtures whose real image samples get a baseline, as the networks they train are served with
# one: an empty one (known, no building) for real pairs, whose labels name no buildings standing
# before; for single-date images, the image's own buildings (a true baseline of the earlier date).
REAL_BASELINE_MIXES = {"fused_aerial", "fused_aerial_tune", "fused_drone", "fused_drone_tune"}
# Share of crops centred near a change (scenes) or a building (surface models).
FOCUS = {"scene": 0.6, "surface": 0.85}


# A structure of this many pixels or fewer (about 100 m² at 0.5 m) is drawn as a crop centre as
# often as any larger one: small sheds and extensions are what the model misses, and centring
# crops on changed pixels uniformly let the few large halls fill most crops.
SMALL_OBJECT_PX = 400


def coarse_view(n, factor):
    """The matrix that takes n pixels on the model grid to a sensor `factor` times coarser and
    back (area average down, bilinear up, as the pipeline resamples coarse imagery to its grid):
    an n x n operator, applied along one axis of a plane."""
    m = int(np.ceil(n / factor))
    down = np.zeros((m, n), np.float32)
    for j in range(m):
        lo, hi = j * factor, min((j + 1) * factor, n)
        for i in range(int(lo), int(np.ceil(hi))):
            down[j, i] = min(i + 1, hi) - max(i, lo)
    down /= down.sum(1, keepdims=True)
    c = np.clip((np.arange(n) + 0.5) / factor - 0.5, 0, m - 1)
    j0 = np.floor(c).astype(int)
    t = (c - j0).astype(np.float32)
    up = np.zeros((n, m), np.float32)
    up[np.arange(n), j0] += 1 - t
    up[np.arange(n), np.minimum(j0 + 1, m - 1)] += t
    return up @ down


def gaussian_blur(plane, sigma):
    """A separable Gaussian blur of one plane, edges repeated (numpy only, as the trainer's other
    augmentations)."""
    r = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k = (k / k.sum()).astype(np.float32)
    out = plane
    for axis in (0, 1):
        padded = np.pad(out, [(r, r) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        n = out.shape[axis]
        out = sum(k[j] * np.take(padded, np.arange(j, j + n), axis=axis) for j in range(2 * r + 1))
    return out


def component_labels(mask, max_iterations=400):
    """4-connected components of a boolean mask by label propagation (numpy only, no scipy)."""
    labels = np.where(mask, np.arange(1, mask.size + 1, dtype=np.int64).reshape(mask.shape), 0)
    for _ in range(max_iterations):
        grown = labels.copy()
        np.maximum(grown[1:], labels[:-1], out=grown[1:])
        np.maximum(grown[:-1], labels[1:], out=grown[:-1])
        np.maximum(grown[:, 1:], labels[:, :-1], out=grown[:, 1:])
        np.maximum(grown[:, :-1], labels[:, 1:], out=grown[:, :-1])
        grown[~mask] = 0
        if np.array_equal(grown, labels):
            break
        labels = grown
    return labels


def plane_residual(height):
    """Root-mean-square residual of the least-squares plane through each pixel's 3 x 3
    neighbourhood (edges repeated), in the units of `height`. Over a symmetric 3 x 3 window the
    plane's coefficients are the mean and the x / y moments over 6, so no solve is needed."""
    z = np.pad(height.astype(np.float64), 1, mode="edge")
    n, m = height.shape
    win = lambda dy, dx: z[1 + dy : 1 + dy + n, 1 + dx : 1 + dx + m]
    offsets = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    mean = sum(win(dy, dx) for dy, dx in offsets) / 9
    sq = sum(win(dy, dx) ** 2 for dy, dx in offsets) / 9
    bx = sum(dx * win(dy, dx) for dy, dx in offsets) / 6
    by = sum(dy * win(dy, dx) for dy, dx in offsets) / 6
    return np.sqrt(np.maximum(sq - mean**2 - (bx**2 + by**2) * 6 / 9, 0)).astype(np.float32)


def dilate(mask, px):
    """A square (2 px + 1 wide) dilation of a boolean mask (numpy only)."""
    n, m = mask.shape
    padded = np.pad(mask, px)
    grown = np.zeros_like(mask)
    for dy in range(2 * px + 1):
        for dx in range(2 * px + 1):
            grown |= padded[dy : dy + n, dx : dx + m]
    return grown


# Raised surface with no outline in a surface-model tile's labels (unmapped_roofs below): over
# 2 m above the ground, at least 1 m from any labelled building, at least 15 m² on the 0.5 m grid,
# and mostly flat (3 x 3 plane residual at most 5 cm), as roofs are and most tree crowns are not.
UNMAPPED_RAISED_M = 2.0
UNMAPPED_MARGIN_PX = 2
UNMAPPED_MIN_PX = 60
UNMAPPED_FLAT_M = 0.05
UNMAPPED_FLAT_SHARE = 0.6


def unmapped_roofs(s):
    """Pixels of a surface-model sample that look like a roof the labels leave out. Such a roof
    may be a house the labellers missed or one built after them; in training it is the same
    evidence as a withheld house, and a target of "no change" there teaches the network to doubt
    both (BatchMaker ignore_unmapped: no loss there instead)."""
    p, a = s["plane"], s["array"]
    height = a[p["after_height"]].astype(np.float32) * 10  # normalised in units of 10 m
    valid = a[p["after_dsm_valid"]] > 0.5
    labelled = a[p["instance"]] > 0.5
    raised = (height >= UNMAPPED_RAISED_M) & valid & ~dilate(labelled, UNMAPPED_MARGIN_PX)
    flat = plane_residual(height) <= UNMAPPED_FLAT_M
    labels = component_labels(raised, max_iterations=2000)
    ids, inverse, counts = np.unique(labels.ravel(), return_inverse=True, return_counts=True)
    flat_counts = np.bincount(inverse, weights=flat.ravel(), minlength=len(ids))
    keep = (ids > 0) & (counts >= UNMAPPED_MIN_PX) & (flat_counts >= UNMAPPED_FLAT_SHARE * counts)
    return keep[inverse].reshape(labels.shape)


def focus_points(s):
    """Pixels worth centring a crop on, with draw probabilities: changed pixels of scenes, building
    pixels of surface models; every object at most SMALL_OBJECT_PX large weighs the same in all."""
    p = s["plane"]
    if s["kind"] == "scene":
        mask = (s["array"][p["target_new"]] > 0.5) | (s["array"][p["target_demolished"]] > 0.5)
        labels = component_labels(mask)
    elif s["kind"] == "surface":
        labels = s["array"][p["instance"]].astype(np.float32).round().astype(np.int64)
    else:
        return None
    rows, cols = np.nonzero(labels)
    if not len(rows):
        return None
    ids = labels[rows, cols]
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    prob = 1.0 / np.maximum(counts[inverse], SMALL_OBJECT_PX)
    return np.stack([rows, cols], 1), prob / prob.sum()


class Samples:
    def __init__(self, data_dir, channels, leave_out=()):
        self.channels = list(channels)
        # "source/name" of samples to skip (train.py --leave-out: a cross-validation fold's
        # held-out pairs); every one must be in the export, so that a typo cannot train on all.
        leave_out = set(leave_out)
        self.left_out = sorted(leave_out)
        self.ch = {n: i for i, n in enumerate(self.channels)}
        self.samples = []
        # "all" when the export read the held-out development tiles too (export.ts
        # --development-split all); recorded with the network so the scoreboard marks them.
        self.development_split = "train"
        for index_file in sorted(glob.glob(os.path.join(data_dir, "index-*.json"))):
            with open(index_file) as f:
                index = json.load(f)
            if index["channels"] != self.channels:
                raise SystemExit(f"{index_file}: exported with other channels; re-export the data")
            if index.get("development_split") == "all":
                self.development_split = "all"
            for s in index["samples"]:
                key = f"{s.get('source')}/{s['name']}"
                if key in leave_out:
                    leave_out.discard(key)
                    continue
                raw = np.fromfile(os.path.join(data_dir, s["file"]), dtype=np.float16)
                s["array"] = raw.reshape(len(s["planes"]), s["height"], s["width"])
                s["plane"] = {n: i for i, n in enumerate(s["planes"])}
                s["focus"] = focus_points(s)
                self.samples.append(s)
        if leave_out:
            raise SystemExit(f"--leave-out: not in {data_dir}: {', '.join(sorted(leave_out))} (give source/name, e.g. egy_bcd/val_1)")
        self.groups = {}
        for s in self.samples:
            group = s["kind"] if s["kind"] != "pair" else ("xbd_pair" if s["source"] == "xbd" else "pair")
            self.groups.setdefault(group, []).append(s)

    def describe(self):
        return {g: len(v) for g, v in sorted(self.groups.items())}


class BatchMaker:
    """Draws batches; every random choice comes from one seeded generator (reproducible)."""

    def __init__(self, samples, crop, seed, surface_only=False, mix="all", paste_pairs=0.0, degrade=0.0, coarsen=0.0, swap_xbd=0.0, withhold=(0.2, 0.6, 0.7), ignore_unmapped=False):
        self.s = samples
        self.crop = crop
        self.rng = np.random.default_rng(seed)
        # Surface-model tiles: the share of buildings withheld per draw lies between withhold[0]
        # and withhold[1]; a crop showing none withheld gets one with chance withhold[2].
        self.withhold = withhold
        # surface_only: the surface-model-only network (train.py --surface-only) sees heights and
        # the baseline alone, half synthetic scenes, half real surface-model tiles.
        self.surface_only = surface_only
        # Share of real-pair crops that get another real pair's changed roofs pasted in.
        self.paste_pairs = paste_pairs
        # Chance that each date of a real-pair crop is degraded to a coarser, blurrier image.
        self.degrade = degrade
        # Chance that a crop's images (both dates) are seen as a coarser sensor would give them.
        self.coarsen = coarsen
        # Chance that an xBD pre/post pair is seen with its dates exchanged (_xbd_pair).
        self.swap_xbd = swap_xbd
        # No loss on surface-model tiles' raised flat surface outside every label (unmapped_roofs).
        self.ignore_unmapped = ignore_unmapped
        weights, self.modes = MIXES[mix]
        self.real_baseline = mix in REAL_BASELINE_MIXES
        if surface_only:
            weights = {"scene": 0.5, "surface": 0.5}
        groups = [g for g in weights if g in samples.groups]
        w = np.array([weights[g] for g in groups])
        self.groups = groups
        self.group_p = w / w.sum()

    def batch(self, n):
        C = len(self.s.channels)
        x = np.zeros((n, C, self.crop, self.crop), np.float32)
        # Targets: new, demolished, any-change; weights for directional and for any-change loss.
        t = np.zeros((n, 3, self.crop, self.crop), np.float32)
        w = np.zeros((n, 2, self.crop, self.crop), np.float32)
        for i in range(n):
            group = self.groups[self.rng.choice(len(self.groups), p=self.group_p)]
            getattr(self, "_" + group)(self.rng.choice(self.s.groups[group]), x[i], t[i], w[i])
            if self.coarsen and self.rng.random() < self.coarsen:
                self._coarsen(x[i])
            self._geometry(x[i], t[i], w[i])
        return x, t, w

    # --- sample kinds -------------------------------------------------------------------------

    def _window(self, s, focus=0.0):
        H, W = s["height"], s["width"]
        focus_at = s.get("focus")
        if focus_at is not None and self.rng.random() < focus:
            pts, prob = focus_at
            r, c = pts[self.rng.choice(len(pts), p=prob)]
            jitter = self.crop // 3
            r0 = int(np.clip(r - self.crop // 2 + self.rng.integers(-jitter, jitter + 1), 0, max(0, H - self.crop)))
            c0 = int(np.clip(c - self.crop // 2 + self.rng.integers(-jitter, jitter + 1), 0, max(0, W - self.crop)))
        else:
            r0 = int(self.rng.integers(0, max(1, H - self.crop + 1)))
            c0 = int(self.rng.integers(0, max(1, W - self.crop + 1)))
        return r0, c0, min(self.crop, H), min(self.crop, W)

    def _inputs(self, s, win, x):
        r0, c0, h, w = win
        a = s["array"]
        for name, i in self.s.ch.items():
            x[i, :h, :w] = a[s["plane"][name], r0 : r0 + h, c0 : c0 + w]
        return h, w

    def _plane(self, s, name, win):
        r0, c0, h, w = win
        return s["array"][s["plane"][name], r0 : r0 + h, c0 : c0 + w].astype(np.float32)

    def _scene(self, s, x, t, w):
        win = self._window(s, FOCUS["scene"])
        h, wd = self._inputs(s, win, x)
        t[0, :h, :wd] = self._plane(s, "target_new", win)
        t[1, :h, :wd] = self._plane(s, "target_demolished", win)
        weight = self._plane(s, "weight", win)
        if self.surface_only:
            mode = "dsm_baseline"
        else:
            mode = self.modes[self.rng.choice(len(self.modes), p=[p for _, p in self.modes])][0]
        drop = {
            "drone": ["before"] if self.rng.random() < 0.5 else [],
            "rgb_baseline": ["dsm"],
            "dsm_baseline": ["after_rgb", "before"],
            "rgb_pair": ["dsm", "baseline"],
            "rgb_after": ["dsm", "before"],
        }[mode]
        self._drop(x, drop)
        if "dsm" in drop:
            # Rooftop additions and added floors look alike from above: not learnable without heights.
            weight = weight * (1 - self._plane(s, "height_only", win))
        w[0, :h, :wd] = weight
        w[1, :h, :wd] = 0
        self._photometric(x)

    def _surface(self, s, x, t, w):
        win = self._window(s, FOCUS["surface"])
        h, wd = self._inputs(s, win, x)
        inst = self._plane(s, "instance", win).round().astype(np.int32)
        areas = s["extra"]["area_m2"]
        low, high, force = self.withhold
        share = self.rng.uniform(low, high)
        withheld = np.array([False] + [self.rng.random() < share for _ in areas])
        # Most crops withhold at least one of the buildings they show: positives are what is rare.
        present = np.unique(inst[inst > 0])
        if len(present) and not withheld[present].any() and self.rng.random() < force:
            withheld[self.rng.choice(present)] = True
        small = np.array([False] + [a < 10 for a in areas])
        held = withheld[inst]
        x[self.s.ch["baseline_height"], :h, :wd][held] = 0
        x[self.s.ch["baseline_footprint"], :h, :wd][held] = 0
        dsm_valid = x[self.s.ch["after_dsm_valid"], :h, :wd]
        t[0, :h, :wd] = held & ~small[inst]
        weight = np.where(held & small[inst], 0.0, 1.0) * np.where(held & (dsm_valid < 0.5), 0.0, 1.0)
        if self.ignore_unmapped:
            if "unmapped" not in s:
                s["unmapped"] = unmapped_roofs(s)
            r0, c0 = win[0], win[1]
            weight = np.where(s["unmapped"][r0 : r0 + h, c0 : c0 + wd], 0.0, weight)
        w[0, :h, :wd] = weight
        w[1, :h, :wd] = 0
        self._heights(x)

    def _pair(self, s, x, t, w):
        win = self._window(s)
        h, wd = self._inputs(s, win, x)
        t[2, :h, :wd] = self._plane(s, "target_change", win)
        w[1, :h, :wd] = self._plane(s, "weight", win)
        if self.paste_pairs and self.rng.random() < self.paste_pairs:
            self._paste_changed_roofs(x, t, h, wd)
        if self.rng.random() < 0.5:
            self._swap_dates(x, t)
        if self.degrade:
            self._degrade(x)
        self._real_baseline(x, h, wd)
        self._photometric(x)

    def _degrade(self, x):
        """Each date, by chance, as a coarser sensor would have seen it: Gaussian blur of 0.6 to
        1.6 px (an image of 1.5 to 3 times the ground resolution brought to the model grid) and
        sensor noise. Real archives mix sharp and soft dates (Google Earth mosaics, 1.5 m aerial
        sets); the development pairs are all sharp, so without this the network learns that a
        sharpness difference is a change."""
        ch = self.s.ch
        for prefix in ("after", "before"):
            if self.rng.random() >= self.degrade:
                continue
            sigma = self.rng.uniform(0.6, 1.6)
            noise = self.rng.uniform(0.0, 0.05)
            for name in ("_r", "_g", "_b"):
                i = ch[prefix + name]
                x[i] = gaussian_blur(x[i], sigma) + self.rng.normal(0, noise, x[i].shape).astype(np.float32)

    def _coarsen(self, x):
        """Both dates as a sensor 1.5 to 4 times coarser than the model grid would give them,
        brought back to the grid (0.75-2 m imagery read at 0.5 m: 1.5 m aerial archives, 0.8-2 m
        satellite scenes). The development pairs are all sharp (0.25-0.5 m); a network that has
        only seen those reads coarse pairs as no change (MODEL_CARD.md, image-pair network)."""
        factor = self.rng.uniform(1.5, 4.0)
        rows, cols = coarse_view(x.shape[1], factor), coarse_view(x.shape[2], factor)
        for name in ("after_r", "after_g", "after_b", "before_r", "before_g", "before_b"):
            i = self.s.ch[name]
            x[i] = rows @ x[i] @ cols.T

    def _paste_changed_roofs(self, x, t, h, wd):
        """Real roofs into real ground: the changed buildings of another real pair, cut from its
        after image (where its change mask says so, in blocks so that not all come), pasted into
        this crop's after image under a colour gain of their own, and marked as change. Real
        pairs hold few changes each; this shows the network every real roof in every real
        context, which is what eleven pairs cannot do alone."""
        other = self.s.groups["pair"][self.rng.integers(len(self.s.groups["pair"]))]
        win2 = self._window(other)
        _, _, h2, w2 = win2
        hh, ww = min(h, h2), min(wd, w2)
        roof = self._plane(other, "target_change", win2)[:hh, :ww] > 0.5
        blocks = self.rng.random((hh // 16 + 1, ww // 16 + 1)) < 0.7
        roof &= np.kron(blocks, np.ones((16, 16), bool))[:hh, :ww]
        if not roof.any():
            return
        ch = self.s.ch
        gain = self.rng.uniform(0.85, 1.15, 3)
        for k, name in enumerate(("after_r", "after_g", "after_b")):
            src = self._plane(other, name, win2)[:hh, :ww]
            x[ch[name], :hh, :ww][roof] = src[roof] * gain[k]
        t[2, :hh, :ww][roof] = 1.0

    def _xbd_pair(self, s, x, t, w):
        win = self._window(s)
        h, wd = self._inputs(s, win, x)
        t[0, :h, :wd] = self._plane(s, "target_new", win)
        t[1, :h, :wd] = self._plane(s, "target_demolished", win)
        w[0, :h, :wd] = self._plane(s, "weight", win)
        # Exchanged, a destroyed building is one that rises where the earlier date shows rubble
        # or ground: new roofs in xBD's many contexts, and a demolished map that has seen both
        # directions (for pair_net.PairEnsemble date_swap "both"; tried, not shipped:
        # MODEL_CARD.md, "xBD pairs exchanged in training").
        if self.swap_xbd and self.rng.random() < self.swap_xbd:
            self._swap_dates(x, t)
        self._real_baseline(x, h, wd)
        self._photometric(x)

    def _single(self, s, x, t, w):
        """Single-date labels made into a change pair: buildings of another crop pasted in."""
        win = self._window(s)
        h, wd = self._inputs(s, win, x)
        own = self._plane(s, "buildings", win)
        other = self.s.groups["single"][self.rng.integers(len(self.s.groups["single"]))]
        win2 = self._window(other)
        r0, c0, h2, w2 = win2
        hh, ww = min(h, h2), min(wd, w2)
        paste = self._plane(other, "buildings", win2)[:hh, :ww]
        keep = paste > 0.5
        # Keep a random subset of the pasted buildings' pixels by blocks, so not every building comes.
        blocks = self.rng.random((hh // 16 + 1, ww // 16 + 1)) < 0.6
        keep &= np.kron(blocks, np.ones((16, 16), bool))[:hh, :ww]
        ch = self.s.ch
        before = [ch["before_r"], ch["before_g"], ch["before_b"]]
        after = [ch["after_r"], ch["after_g"], ch["after_b"]]
        # The exported single-date image sits in the after channels: copy it to before, paste into after.
        x[before] = x[after]
        x[ch["before_rgb_valid"]] = x[ch["after_rgb_valid"]]
        for i in after:
            src = other["array"][other["plane"][self.s.channels[i]], r0 : r0 + hh, c0 : c0 + ww].astype(np.float32)
            x[i, :hh, :ww][keep] = src[keep]
        t[0, :hh, :ww] = keep & (own[:hh, :ww] < 0.5)
        w[0, :h, :wd] = 1
        swapped = self.rng.random() < 0.5
        if swapped:
            self._swap_dates(x, t)
        if self.real_baseline:
            # The earlier date's buildings: the image's own, and the pasted ones when the dates
            # were swapped (they are then what was demolished).
            standing = own > 0.5
            if swapped:
                standing[:hh, :ww] |= keep
            self._real_baseline(x, h, wd, standing)
        self._photometric(x)

    def _real_baseline(self, x, h, wd, footprint=None):
        """With a REAL_BASELINE_MIXES mixture: the crop's baseline known (valid) over the sample,
        holding `footprint` (boolean, h x wd) at one height drawn per crop (3 to 12 m, the
        sidecar's 0.1 per metre), or no building at all."""
        if not self.real_baseline:
            return
        ch = self.s.ch
        x[ch["baseline_valid"], :h, :wd] = 1
        if footprint is None:
            return
        x[ch["baseline_footprint"], :h, :wd] = footprint
        x[ch["baseline_height"], :h, :wd] = footprint * self.rng.uniform(0.3, 1.2)

    # --- augmentations ------------------------------------------------------------------------

    def _drop(self, x, what):
        ch = self.s.ch
        groups = {
            "after_rgb": ["after_r", "after_g", "after_b", "after_rgb_valid"],
            "before": ["before_r", "before_g", "before_b", "before_rgb_valid"],
            "dsm": ["after_height", "after_dsm_valid"],
            "baseline": ["baseline_height", "baseline_footprint", "baseline_valid"],
        }
        for g in what:
            for name in groups[g]:
                x[ch[name]] = 0

    def _swap_dates(self, x, t):
        ch = self.s.ch
        for a, b in [("after_r", "before_r"), ("after_g", "before_g"), ("after_b", "before_b"), ("after_rgb_valid", "before_rgb_valid")]:
            x[[ch[a], ch[b]]] = x[[ch[b], ch[a]]]
        t[[0, 1]] = t[[1, 0]]

    def _photometric(self, x):
        ch = self.s.ch
        for prefix in ("after", "before"):
            idx = [ch[prefix + "_r"], ch[prefix + "_g"], ch[prefix + "_b"]]
            valid = x[ch[prefix + "_rgb_valid"]] > 0.5
            if not valid.any():
                continue
            gain = self.rng.uniform(0.75, 1.25) * self.rng.uniform(0.92, 1.08, 3)
            offset = self.rng.uniform(-0.35, 0.35) + self.rng.uniform(-0.1, 0.1, 3)
            for k, i in enumerate(idx):
                x[i] = np.where(valid, x[i] * gain[k] + offset[k], 0)
        self._heights(x)

    def _heights(self, x):
        ch = self.s.ch
        valid = x[ch["after_dsm_valid"]] > 0.5
        if valid.any():
            # Surface-model bias (0.3 m) and noise (0.15 m), in normalised units of 10 m.
            noise = self.rng.normal(0, 0.015, valid.shape).astype(np.float32) + self.rng.normal(0, 0.03)
            x[ch["after_height"]] = np.where(valid, x[ch["after_height"]] + noise, 0)

    def _geometry(self, x, t, w):
        ch = self.s.ch
        # Extra misregistration of the new flight (the generator's drift comes on top): up to 1 px.
        if self.rng.random() < 0.5:
            dy, dx = self.rng.integers(-1, 2, 2)
            after = [ch[n] for n in ("after_r", "after_g", "after_b", "after_rgb_valid", "after_height", "after_dsm_valid")]
            x[after] = np.roll(x[after], (int(dy), int(dx)), axis=(1, 2))
        k = int(self.rng.integers(4))
        flip = self.rng.random() < 0.5
        for arr in (x, t, w):
            a = np.rot90(arr, k, axes=(1, 2))
            if flip:
                a = a[:, :, ::-1]
            arr[...] = a
