/**
 * The conversion's proof, reference side: nsfwjs's own Keras MobileNetV2 run by TensorFlow.js
 * (@tensorflow/tfjs-layers on the pure JavaScript CPU backend, decoding the package's quantised
 * weights itself) on a fixed image, writing the image and the tap layers' outputs for
 * models/encoder/check_parity.py to compare with the PyTorch encoder.
 *
 *   npx tsx models/encoder/tfjs-reference.ts --out <dir>
 * writes <dir>/input.f32 (1 x 3 x S x S, RGB 0..1) and <dir>/<tap>.f32 (1 x C x h x w), both
 * channels first, and <dir>/reference.json with the shapes.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readNsfwjsMobileNet } from './nsfwjs-mobilenet.js';
import { ENCODER_TAPS } from './taps.js';

/** The model's declared input size (Keras batch_input_shape 224 x 224). */
const SIZE = 224;

/**
 * A fixed test image with roof-like structure: smooth colour gradients, rectangles of several
 * colours and a deterministic hash noise, RGB in 0..1, channels last. Pure, no randomness.
 */
export function fixedImage(size = SIZE): Float32Array {
  const img = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const hash = Math.sin(x * 12.9898 + y * 78.233) * 43758.5453;
      const noise = (hash - Math.floor(hash) - 0.5) * 0.1;
      const inRoof = (x % 56 > 12 && x % 56 < 44 && y % 48 > 8 && y % 48 < 36) as boolean;
      const base = [0.35 + 0.3 * (x / size), 0.4 + 0.2 * Math.sin(y / 17), 0.3 + 0.25 * (y / size)];
      const roof = [0.75, 0.35 + 0.1 * ((x >> 5) % 2), 0.3];
      for (let c = 0; c < 3; c++) img[(y * size + x) * 3 + c] = Math.min(1, Math.max(0, (inRoof ? roof[c]! : base[c]!) + noise));
    }
  }
  return img;
}

function toChannelsFirst(data: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(k * h + y) * w + x] = data[(y * w + x) * c + k]!;
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('usage: tfjs-reference.ts --out <dir>');
  await tf.setBackend('cpu');
  const files = readNsfwjsMobileNet();
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: files.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: files.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: files.weightData.slice().buffer,
    }),
  );
  const taps = ENCODER_TAPS.map((name) => model.getLayer(name).output as tfl.SymbolicTensor);
  const trunk = tfl.model({ inputs: model.inputs, outputs: taps });
  const image = fixedImage();
  const outputs = trunk.predict(tf.tensor4d(image, [1, SIZE, SIZE, 3])) as tf.Tensor[];
  fs.mkdirSync(values.out, { recursive: true });
  fs.writeFileSync(path.join(values.out, 'input.f32'), toChannelsFirst(image, SIZE, SIZE, 3));
  const shapes: Record<string, number[]> = {};
  for (const [i, name] of ENCODER_TAPS.entries()) {
    const [, h, w, c] = outputs[i]!.shape as [number, number, number, number];
    fs.writeFileSync(path.join(values.out, `${name}.f32`), toChannelsFirst(await outputs[i]!.data() as Float32Array, h, w, c));
    shapes[name] = [1, c, h, w];
  }
  fs.writeFileSync(path.join(values.out, 'reference.json'), JSON.stringify({ size: SIZE, taps: ENCODER_TAPS, shapes }, null, 1));
  console.log(`tfjs reference: ${ENCODER_TAPS.length} taps of nsfwjs MobileNetV2 on a ${SIZE}x${SIZE} fixed image -> ${values.out}`);
}

main().catch((e: unknown) => {
  console.error(`tfjs-reference: ${(e as Error).message}`);
  process.exit(2);
});
