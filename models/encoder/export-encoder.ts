/**
 * Writes the pretrained encoder for the PyTorch trainer: the Keras MobileNetV2 layers of nsfwjs up
 * to the taps the change network reads (ENCODER_TAPS), as a JSON description plus the dequantised
 * float32 weights, to <out>/mobilenet_v2.json and <out>/mobilenet_v2.bin. Run by models/train.sh.
 *
 *   npx tsx models/encoder/export-encoder.ts [--out models/.cache/encoder] [--deep]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dequantise, kerasLayers, layersUpTo, nsfwjsModelDir, nsfwjsPackageDir, readNsfwjsMobileNet } from './nsfwjs-mobilenet.js';
import { DEEP_TAP, ENCODER_TAPS } from './taps.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'models/.cache/encoder' }, deep: { type: 'boolean', default: false } } });
const out = values.out;
const taps = [...ENCODER_TAPS];
// --deep: the layers up to DEEP_TAP too (a pair network may read it: train.py --deep-tap); the
// description's own taps stay ENCODER_TAPS, so the other networks build the same encoder.
const layerTaps = values.deep ? [...taps, DEEP_TAP] : taps;
const dir = nsfwjsModelDir();
const files = readNsfwjsMobileNet(dir);
const layers = layersUpTo(kerasLayers(files), layerTaps);
const weights = dequantise(files);
const index: { name: string; shape: number[]; offset: number }[] = [];
const chunks: Buffer[] = [];
let offset = 0;
for (const layer of layers) {
  for (const [name, w] of weights) {
    if (!name.startsWith(`${layer.name}/`)) continue;
    index.push({ name, shape: w.shape, offset });
    chunks.push(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength));
    offset += w.data.length;
  }
}
const pkg = JSON.parse(fs.readFileSync(path.join(nsfwjsPackageDir(), 'package.json'), 'utf8')) as { name: string; version: string; license: string };
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'mobilenet_v2.bin'), Buffer.concat(chunks));
fs.writeFileSync(
  path.join(out, 'mobilenet_v2.json'),
  JSON.stringify(
    {
      source: `npm ${pkg.name}@${pkg.version} (${pkg.license}), dist/models/mobilenet_v2, Keras ${files.modelTopology.keras_version}`,
      input: 'RGB in 0..1 (nsfwjs divides 8-bit values by 255), channels last in Keras, first here',
      taps,
      layers: layers.map((l) => ({ name: l.name, class_name: l.class_name, inputs: l.inputs, config: l.config })),
      weights: index,
    },
    null,
    1,
  ),
);
const parameters = index.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
console.log(`encoder: ${layers.length} Keras layers up to ${layerTaps.join(', ')}, ${parameters} parameters -> ${out}`);
