/**
 * models/average_networks.py: two ChangeNets trained apart become one network whose output is the
 * mean of theirs (the shipped surface-model-only network is such an average; its ONNX file is
 * checked against torch by pipeline/src/model/parity.test.ts). Checked here on small random
 * networks: the mean, the record, the member count that train.model_from_checkpoint rebuilds it
 * from, the rebuilt member's mark that keeps adapt.py's BatchNorm frozen, and the refusals.
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

const average = (out: string, ...members: string[]) => run(PYTHON, ['average_networks.py', '--out', path.join(dir, out), ...members.map((m) => path.join(dir, m))], { cwd: HERE, env: TORCH_ENV, timeout: 120_000 });

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
    await pythonJson(`
import torch
d = ${JSON.stringify(dir)}
c = torch.load(d + "/a.pt"); c["arch"] = "pair"; torch.save(c, d + "/pair.pt")
print("{}")`, 120_000);
    await expect(average('mixed.pt', 'a.pt', 'pair.pt')).rejects.toThrow(/only from-scratch ChangeNets \(arch change\) are averaged, not pair/);
  }, 120_000);
});
