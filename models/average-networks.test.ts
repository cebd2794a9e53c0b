/**
 * models/average_networks.py: two ChangeNets trained apart become one network whose output is the
 * mean of theirs (the shipped surface-model-only network is such an average; its ONNX file is
 * checked against torch by pipeline/src/model/parity.test.ts). Checked here on small random
 * networks: the mean, the record, the member count that train.model_from_checkpoint rebuilds it
 * from, the rebuilt member's mark that keeps adapt.py's BatchNorm frozen, and the refusals; for
 * image-pair decoders, the ensemble over one encoder and its reading of both dates' sides.
 * Skipped where Debian's python3-torch is missing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, TORCH_ENV, hasTorch, pythonJson } from './testing/one-pair-folder.js';

const run = promisify(execFile);
const HERE = path.resolve(import.meta.dirname);
let dir: string;


beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-average-'));
  if (!hasTorch) return;
  // Two members from other seeds; the second marked as rebuilt from ONNX, as the shipped
  // surface network's first member is, and as having read every development tile.
  await pythonJson(`
import json, torch
from net import ChangeNet
spec = json.load(open("change-detector.json"))
for seed, name, extra in [(1, "a.pt", {}), (2, "b.pt", {"rebuilt_from_onnx": {"onnx": "x.onnx"}, "development_split": "all"})]:
    torch.manual_seed(seed)
    net = ChangeNet(spec["channels"])
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
    torch.save({"state": net.state_dict(), "channels": spec["channels"], "arch": "change", "training": {"seed": seed, **extra}}, ${JSON.stringify(dir)} + "/" + name)
print("{}")`, 120_000);
}, 120_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const average = (out: string, ...members: string[]) => run(PYTHON, ['average_networks.py', '--out', path.join(dir, out), ...members.map((m) => (m.startsWith('--') ? m : path.join(dir, m)))], { cwd: HERE, env: TORCH_ENV, timeout: 120_000 });
/** average_networks.py --date-swap: image-pair decoders that also read the exchanged dates. */
const averageBothSides = (out: string, ...members: string[]) => average(out, '--date-swap', ...members);

describe.skipIf(!hasTorch)('an averaged network (models/average_networks.py)', () => {
  it('serves the mean of its members and records each of them', async () => {
    const { stdout } = await average('avg.pt', 'a.pt', 'b.pt');
    expect(stdout).toMatch(/averaged 2 networks \(\d+ parameters\)/);
    const result = (await pythonJson(`
import json, torch
from net import ChangeNet
from train import model_from_checkpoint
spec = json.load(open("change-detector.json"))
d = ${JSON.stringify(dir)}
avg = torch.load(d + "/avg.pt")
model = model_from_checkpoint(avg, spec).eval()
members = []
for name in ["a.pt", "b.pt"]:
    net = ChangeNet(spec["channels"]); net.load_state_dict(torch.load(d + "/" + name)["state"]); members.append(net.eval())
torch.manual_seed(3)
x = torch.rand(2, len(spec["channels"]), 64, 64)
with torch.no_grad():
    y, a, b = model(x), members[0](x), members[1](x)
    apart = float((a - b).abs().max())
    worst = float((y - (a + b) / 2).abs().max())
    logit_back = float((torch.sigmoid(model.logits(x)) - y).abs().max())
t = avg["training"]
print(json.dumps({"arch": avg["arch"], "members": avg["members"], "seeds": [m["seed"] for m in t["members"]], "top_seeds": t["seeds"], "top_seed": t.get("seed"), "rebuilt": "rebuilt_from_onnx" in t, "split": t["development_split"], "worst": worst, "apart": apart, "logit_back": logit_back}))`, 120_000)) as Record<string, unknown>;
    // No single run's figures at the top level: they are each member's.
    expect(result).toMatchObject({ arch: 'averaged', members: 2, seeds: [1, 2], top_seeds: [1, 2], top_seed: null, rebuilt: true, split: 'all' });
    // The members differ by far more than the average's distance from their mean.
    expect(result.apart as number).toBeGreaterThan(0.01);
    expect(result.worst as number).toBeLessThan(1e-6);
    expect(result.logit_back as number).toBeLessThan(1e-5);
  }, 180_000);

  it('refuses a single network and networks of another architecture', async () => {
    await expect(average('one.pt', 'a.pt')).rejects.toThrow(/at least two checkpoints/);
    await expect(averageBothSides('swap-change.pt', 'a.pt')).rejects.toThrow(/for image-pair networks/);
    await pythonJson(`
import torch
d = ${JSON.stringify(dir)}
c = torch.load(d + "/a.pt"); c["arch"] = "pair"; torch.save(c, d + "/pair.pt")
print("{}")`, 120_000);
    await expect(average('mixed.pt', 'a.pt', 'pair.pt')).rejects.toThrow(/each with its own kind, not pair/);
  }, 120_000);
});

describe.skipIf(!hasTorch)('an ensemble of image-pair decoders over one encoder (models/pair_net.py PairEnsemble)', () => {
  let encoder: string;
  /** What every check below starts from: the sidecar, the test's folder and its encoder. */
  const pairPreamble = () => `from train import model_from_checkpoint
spec = json.load(open("change-detector.json"))
d = ${JSON.stringify(dir)}
enc = ${JSON.stringify(encoder)}`;
  beforeAll(async () => {
    encoder = path.join(dir, 'encoder');
    await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', encoder], { cwd: path.dirname(HERE), timeout: 120_000 });
    // Two pair networks as train.py saves them, decoders from other seeds; a third whose encoder
    // was tuned (one weight moved) and a fourth whose decision point was moved already.
    await pythonJson(`
import json, torch
from train import build_model
spec = json.load(open("change-detector.json"))
d = ${JSON.stringify(dir)}
for seed, name in [(1, "p1.pt"), (2, "p2.pt"), (3, "tuned.pt"), (4, "moved.pt")]:
    torch.manual_seed(seed)
    net = build_model("pair", spec, ${JSON.stringify(path.join(dir, 'encoder'))})
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d) and m.weight.requires_grad:
            m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
    state = net.state_dict()
    if name == "tuned.pt":
        k = next(k for k in state if k.startswith("encoder.") and k.endswith("weight"))
        state[k] = state[k] + 0.01
    training = {"seed": seed, "arch": "pair", "parameters": 1}
    if name == "moved.pt":
        training["decision_bias"] = {"threshold": 0.55}
    torch.save({"state": state, "channels": spec["channels"], "arch": "pair", "training": training}, d + "/" + name)
print("{}")`, 180_000);
  }, 300_000);

  it('serves the mean of its decoders over one encoder, moves its decision point, and stores the encoder once', async () => {
    const { stdout } = await average('pairs.pt', 'p1.pt', 'p2.pt');
    expect(stdout).toMatch(/averaged 2 networks \(\d+ parameters\)/);
    const result = (await pythonJson(`
import io, json, math, torch
${pairPreamble()}
ens = torch.load(d + "/pairs.pt")
model = model_from_checkpoint(ens, spec, enc).eval()
members = [model_from_checkpoint(torch.load(d + "/" + n), spec, enc).eval() for n in ("p1.pt", "p2.pt")]
torch.manual_seed(5)
x = torch.randn(2, len(spec["channels"]), 64, 64)
with torch.no_grad():
    y, a, b = model(x), members[0](x), members[1](x)
    worst = float((y - (a + b) / 2).abs().max())
    apart = float((a - b).abs().max())
    model.move_decision(0.4)
    moved = model(x)
    want = torch.sigmoid(torch.logit((a + b) / 2, eps=1e-6) + 0.4)
    moved_worst = float((moved - want).abs().max())
    logit_back = float((torch.sigmoid(model.logits(x)) - moved).abs().max())
single = sum(p.numel() for p in members[0].parameters())
decoder = sum(p.numel() for p in members[0].parameters() if p.requires_grad)
saved = io.BytesIO(); torch.save(model.state_dict(), saved)
one = io.BytesIO(); torch.save(members[0].state_dict(), one)
t = ens["training"]
print(json.dumps({"arch": ens["arch"], "members": ens["members"], "kind": t["arch"], "seeds": t["seeds"], "parameters": t["parameters"], "want_parameters": single + decoder, "counted": sum(p.numel() for p in model.parameters()), "worst": worst, "apart": apart, "moved_worst": moved_worst, "logit_back": logit_back, "bytes_ratio": saved.tell() / one.tell()}))`, 180_000)) as Record<string, number | string | number[]>;
    expect(result).toMatchObject({ arch: 'pair', members: 2, kind: 'pair_ensemble', seeds: [1, 2] });
    // What serving costs: the encoder once and both decoders.
    expect(result.parameters).toBe(result.want_parameters);
    expect(result.counted).toBe(result.want_parameters);
    expect(result.apart as number).toBeGreaterThan(0.01);
    expect(result.worst as number).toBeLessThan(1e-5);
    expect(result.moved_worst as number).toBeLessThan(1e-5);
    expect(result.logit_back as number).toBeLessThan(1e-4);
    // The encoder (most of the weights) is saved once, not once per decoder.
    expect(result.bytes_ratio as number).toBeLessThan(1.5);
  }, 240_000);

  it('with --date-swap also reads each pair with its dates exchanged: new = mean of the direct new and the exchanged demolished, demolished = the direct look (both maps so with --both-maps)', async () => {
    await average('plain-ens.pt', 'p1.pt', 'p2.pt');
    const { stdout } = await averageBothSides('swap-ens.pt', 'p1.pt', 'p2.pt');
    expect(stdout).toMatch(/averaged 2 networks/);
    // One decoder may be served this way too (PAIR_SEEDS=31).
    await averageBothSides('swap-one.pt', 'p1.pt');
    // Both maps from both sides (decoders trained with train.py --swap-xbd).
    await averageBothSides('swap-both.pt', '--both-maps', 'p1.pt', 'p2.pt');
    const result = (await pythonJson(`
import json, torch
from train import served_form
${pairPreamble()}
ck = torch.load(d + "/swap-ens.pt")
model = model_from_checkpoint(ck, spec, enc).eval()
plain = model_from_checkpoint(torch.load(d + "/plain-ens.pt"), spec, enc).eval()
one_ck = torch.load(d + "/swap-one.pt")
both_ck = torch.load(d + "/swap-both.pt")
both = model_from_checkpoint(both_ck, spec, enc).eval()
one = model_from_checkpoint(one_ck, spec, enc).eval()
single = model_from_checkpoint(torch.load(d + "/p1.pt"), spec, enc).eval()
ch = spec["channels"]
# The dates exchanged by name, not by the network's own index list.
names = {"after_r": "before_r", "after_g": "before_g", "after_b": "before_b", "after_rgb_valid": "before_rgb_valid"}
names.update({v: k for k, v in names.items()})
order = [ch.index(names.get(n, n)) for n in ch]
torch.manual_seed(6)
x = torch.randn(2, len(ch), 64, 64)
xs = x[:, order]
def looks(served, direct, exchanged):
    return {"new": float((served[:, 0] - (direct[:, 0] + exchanged[:, 1]) / 2).abs().max()),
            "demolished": float((served[:, 1] - direct[:, 1]).abs().max())}
with torch.no_grad():
    y, p, ps = model(x), plain(x), plain(xs)
    o, s1, s1s = one(x), single(x), single(xs)
    yb = both(x)
print(json.dumps({"form": served_form(ck), "recorded": ck["training"].get("date_swap"), "one_form": served_form(one_ck),
    "ensemble": looks(y, p, ps), "one": looks(o, s1, s1s),
    "both_form": served_form(both_ck), "both_new": looks(yb, p, ps)["new"],
    "both_demolished": float((yb[:, 1] - (p[:, 1] + ps[:, 0]) / 2).abs().max()),
    # How far the second look moves the new map: the checks above could fail.
    "second_look": float((p[:, 0] - ps[:, 1]).abs().max())}))`, 180_000)) as Record<string, unknown>;
    expect(result).toMatchObject({ form: { members: 2, date_swap: true }, recorded: true, one_form: { members: 1, date_swap: true } });
    for (const served of [result.ensemble, result.one] as Array<{ new: number; demolished: number }>) {
      expect(served.new).toBeLessThan(1e-5);
      expect(served.demolished).toBeLessThan(1e-6);
    }
    expect(result.second_look as number).toBeGreaterThan(0.01);
    // --both-maps: the demolished map is the mean of the direct demolished and the exchanged new.
    expect(result).toMatchObject({ both_form: { members: 2, date_swap: 'both' } });
    expect(result.both_new as number).toBeLessThan(1e-5);
    expect(result.both_demolished as number).toBeLessThan(1e-5);
  }, 240_000);

  it('keeps a deeper tap its decoders read (train.py --deep-tap), and refuses to mix it with decoders that do not', async () => {
    const deep = path.join(dir, 'encoder-deep');
    await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', deep, '--deep'], { cwd: path.dirname(HERE), timeout: 120_000 });
    await pythonJson(`
import json, torch
from train import build_model
spec = json.load(open("change-detector.json"))
d = ${JSON.stringify(dir)}
taps = ["expanded_conv_project_BN", "block_2_add", "block_5_add", "block_12_add", "block_15_add"]
for seed in (1, 2):
    torch.manual_seed(seed)
    net = build_model("pair", spec, ${JSON.stringify(deep)}, encoder_taps=taps)
    torch.save({"state": net.state_dict(), "channels": spec["channels"], "arch": "pair", "encoder_taps": taps, "training": {"seed": seed, "arch": "pair", "parameters": 1}}, f"{d}/deep{seed}.pt")
print("{}")`, 180_000);
    await averageBothSides('deep-ens.pt', 'deep1.pt', 'deep2.pt');
    const result = (await pythonJson(`
import json, torch
from train import served_form
${pairPreamble()}
deep = ${JSON.stringify(deep)}
ck = torch.load(d + "/deep-ens.pt")
model = model_from_checkpoint(ck, spec, deep).eval()
torch.manual_seed(7)
x = torch.randn(2, len(spec["channels"]), 64, 64)
with torch.no_grad():
    taps = model.features(x)
    served = model(x)
try:
    model_from_checkpoint(ck, spec, enc)
    refusal = None
except ValueError as e:
    refusal = str(e)
print(json.dumps({"form": served_form(ck), "taps": len(taps), "deep_channels": taps[-1].shape[1], "shape": list(served.shape), "refusal": refusal}))`, 180_000)) as Record<string, unknown>;
    expect(result).toMatchObject({ form: { members: 2, date_swap: true, encoder_taps: expect.arrayContaining(['block_15_add']) }, taps: 5, deep_channels: 160, shape: [2, 2, 64, 64] });
    // A folder without the deeper block cannot build it: said, not read wrong.
    expect(result.refusal).toMatch(/holds no layer block_15_add/);
    await expect(average('mixed-taps.pt', 'p1.pt', 'deep1.pt')).rejects.toThrow(/read other encoder taps/);
  }, 300_000);

  it('refuses decoders over different encoders and a network whose decision point was moved', async () => {
    await expect(average('tuned-ens.pt', 'p1.pt', 'tuned.pt')).rejects.toThrow(/encoders differ/);
    await expect(average('moved-ens.pt', 'p1.pt', 'moved.pt')).rejects.toThrow(/no decision point moved/);
  }, 120_000);
});
