/**
 * The pretrained image encoder's source: the Keras MobileNetV2 that npm's `nsfwjs` (MIT) ships
 * inside its package (dist/models/mobilenet_v2: a Keras 2.2.4 model, ImageNet-initialised, whose
 * layers up to block_10 were frozen while nsfwjs fine-tuned the top, so the early blocks this
 * project uses hold ImageNet weights). Nothing is downloaded: the files are read from
 * node_modules at training time.
 *
 * Format: `model.min.js` is a UMD module exporting { modelTopology, weightsManifest }; the shard
 * is a UMD module exporting the weights as one base64 string of uint8 values, each weight
 * quantised per tensor: real value = min + scale * q.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** Names of the layers feeding this one (Keras's inbound_nodes, first call only). */
  inputs: string[];
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization: { min: number; scale: number; dtype: 'uint8' };
}

export interface KerasModelFiles {
  modelTopology: { keras_version: string; model_config: { config: { layers: RawLayer[] } } };
  weightSpecs: WeightSpec[];
  /** The quantised weights, concatenated in weightSpecs order. */
  weightData: Uint8Array;
}

interface RawLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, object][][];
}

const require = createRequire(import.meta.url);

/** The nsfwjs package folder (its exports map hides package.json, so walk up from its entry). */
export function nsfwjsPackageDir(): string {
  let entry: string;
  try {
    entry = require.resolve('nsfwjs');
  } catch {
    throw new Error('npm package nsfwjs is missing: run `npm ci` (it is a devDependency: the pretrained encoder comes from it)');
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (path.basename(dir) === 'nsfwjs' && fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`cannot find the nsfwjs package folder above ${entry}`);
}

/** The folder of the shipped Keras MobileNetV2 inside node_modules, with a clear error when absent. */
export function nsfwjsModelDir(): string {
  const dir = path.join(nsfwjsPackageDir(), 'dist', 'models', 'mobilenet_v2');
  if (!fs.existsSync(path.join(dir, 'model.min.js'))) throw new Error(`${dir}/model.min.js not found: nsfwjs changed its layout`);
  return dir;
}

export function readNsfwjsMobileNet(dir = nsfwjsModelDir()): KerasModelFiles {
  const model = require(path.join(dir, 'model.min.js')) as { modelTopology: KerasModelFiles['modelTopology']; weightsManifest: { paths: string[]; weights: WeightSpec[] }[] };
  if (model.weightsManifest.length !== 1) throw new Error(`expected one weight group, found ${model.weightsManifest.length}`);
  const group = model.weightsManifest[0]!;
  const shards = group.paths.map((p) => Buffer.from(require(path.join(dir, `${p}.min.js`)) as string, 'base64'));
  const weightData = new Uint8Array(Buffer.concat(shards));
  const expected = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  for (const w of group.weights) {
    if (w.quantization?.dtype !== 'uint8') throw new Error(`${w.name}: expected uint8 quantisation`);
  }
  if (weightData.length !== expected) throw new Error(`weights hold ${weightData.length} bytes, the manifest ${expected}`);
  return { modelTopology: model.modelTopology, weightSpecs: group.weights, weightData };
}

/** The layers in the file's (topological) order, each with the names of its inputs. */
export function kerasLayers(files: KerasModelFiles): KerasLayer[] {
  return files.modelTopology.model_config.config.layers.map((l) => ({
    name: l.name,
    class_name: l.class_name,
    config: l.config,
    inputs: (l.inbound_nodes[0] ?? []).map((n) => n[0]),
  }));
}

/** Every weight dequantised to float32 (min + scale * q), by Keras name ("block_1_expand/kernel"). */
export function dequantise(files: KerasModelFiles): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const w of files.weightSpecs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = files.weightData.subarray(offset, offset + n);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = w.quantization.min + w.quantization.scale * q[i]!;
    out.set(w.name, { shape: w.shape, data });
    offset += n;
  }
  return out;
}

/** The layers needed to compute `taps` (their ancestors), in file order. */
export function layersUpTo(layers: KerasLayer[], taps: string[]): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    const layer = byName.get(name);
    if (!layer) throw new Error(`no layer ${name} in the model`);
    needed.add(name);
    layer.inputs.forEach(visit);
  };
  taps.forEach(visit);
  return layers.filter((l) => needed.has(l.name));
}
