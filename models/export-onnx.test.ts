/**
 * models/export_onnx.py export_network: the pretrained encoder's Keras zero-padding is written into
 * the stride-2 convolutions after it (fold_zero_pads), so that onnxruntime runs no Pad nodes, and
 * the exported network still gives torch's answer (with the deeper tap of train.py --deep-tap too). Checked on an image-pair network with a random
 * decoder over the real nsfwjs encoder, run by onnxruntime-node. Skipped where Debian's
 * python3-torch is missing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTorch, pythonJson } from './testing/one-pair-folder.js';

const run = promisify(execFile);
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-export-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * An image-pair network with a random decoder over the real encoder (with `deep`, the deeper fifth
 * tap of train.py --deep-tap), exported, and run by torch and by onnxruntime-node on `size` px:
 * the graph's Pad count and right/bottom-padded convolutions, and the largest difference.
 */
async function exportAndRun(deep: boolean, size: number) {
  const name = deep ? 'deep' : 'plain';
  const encoder = path.join(dir, `encoder-${name}`);
  await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', encoder, ...(deep ? ['--deep'] : [])], { cwd: path.resolve(import.meta.dirname, '..'), timeout: 120_000 });
  const graph = (await pythonJson(`
import json, collections, numpy as np, onnx, torch
from train import build_model
from mobilenet import read_description
from export_onnx import export_network
spec = json.load(open("change-detector.json"))
d = ${JSON.stringify(dir)} + "/${name}"
taps = [*read_description(${JSON.stringify(encoder)})["taps"], "block_15_add"] if ${deep ? 'True' : 'False'} else None
torch.manual_seed(7)
net = build_model("pair", spec, ${JSON.stringify(encoder)}, encoder_taps=taps).eval()
export_network(net, spec, d + ".onnx")
x = torch.rand(2, len(spec["channels"]), ${size}, ${size})
with torch.no_grad():
    y = net(x)
x.numpy().astype("<f4").tofile(d + "-input.f32"); y.numpy().astype("<f4").tofile(d + "-output.f32")
g = onnx.load(d + ".onnx").graph
ops = collections.Counter(n.op_type for n in g.node)
padded = sorted(list(a.ints) for n in g.node if n.op_type == "Conv" for a in n.attribute if a.name == "pads" and list(a.ints) == [0, 0, 1, 1])
print(json.dumps({"pads": ops["Pad"], "convs_padded_right_bottom": len(padded), "input": [2, len(spec["channels"]), ${size}, ${size}], "input_name": spec["input_name"], "output_name": spec["output_name"]}))`, 240_000)) as { pads: number; convs_padded_right_bottom: number; input: number[]; input_name: string; output_name: string };
  const read = (file: string) => {
    const bytes = fs.readFileSync(path.join(dir, file));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  };
  const session = await ort.InferenceSession.create(path.join(dir, `${name}.onnx`));
  const out = await session.run({ [graph.input_name]: new ort.Tensor('float32', read(`${name}-input.f32`), graph.input) });
  const got = out[graph.output_name]!.data as Float32Array;
  const want = read(`${name}-output.f32`);
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return { ...graph, worst };
}

describe.skipIf(!hasTorch)('an exported image-pair network (models/export_onnx.py)', () => {
  it('has its encoder pads inside its convolutions, and gives torch its answer', async () => {
    const exported = await exportAndRun(false, 96);
    // The encoder's four stride-2 blocks (Conv1, block_1, block_3, block_6) pad right and bottom.
    expect(exported).toMatchObject({ pads: 0, convs_padded_right_bottom: 4 });
    expect(exported.worst).toBeLessThan(1e-4);
  }, 300_000);

  it('with a deeper tap (train.py --deep-tap) too, on a chip whose 1/16 map is odd', async () => {
    // 80 px: 5 cells at 1/16, 3 at 1/32 (Keras pads up), brought back to 5 by size, not by a factor.
    const exported = await exportAndRun(true, 80);
    // block_13, the fifth stride-2 block, pads too.
    expect(exported).toMatchObject({ pads: 0, convs_padded_right_bottom: 5 });
    expect(exported.worst).toBeLessThan(1e-4);
  }, 300_000);
});
