/**
 * Mirror averaging at inference: a network is run on its chips as they are and mirrored, and the
 * answers, mirrored back, are averaged. Roofs and their changes have no handedness, so each mirror
 * is another honest look at the same ground; where a network is unsure the looks disagree and the
 * average is steadier than any one of them. Each look is a full network run: the sidecar turns it
 * on per network (MODEL_CARD.md, the aerial-tile network's "Two mirrored looks a chip").
 */

/** How many looks a chip gets: as it is; and mirrored left-right; and top-bottom and both. */
export type MirrorCount = 1 | 2 | 4;
export const MIRROR_COUNTS: readonly MirrorCount[] = [1, 2, 4];

/** The mirrors in the order they are taken: [left-right, top-bottom]. */
const MIRRORS: ReadonlyArray<readonly [boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

/**
 * Writes every square plane of side `size` in `src` (N x C x size x size, any N x C) into `out`,
 * each mirrored left-right and/or top-bottom. A mirror is its own inverse: mirroring the network's answer
 * to a mirrored chip puts it back on the chip's pixels.
 */
export function mirrorPlanes(src: Float32Array, out: Float32Array, size: number, leftRight: boolean, topBottom: boolean): void {
  const plane = size * size;
  if (src.length % plane !== 0 || out.length !== src.length) {
    throw new Error(`mirrorPlanes: ${src.length} values are not whole ${size} x ${size} planes, or out holds ${out.length}`);
  }
  for (let base = 0; base < src.length; base += plane) {
    for (let row = 0; row < size; row++) {
      const from = base + row * size;
      const to = base + (topBottom ? size - 1 - row : row) * size;
      if (!leftRight) {
        out.set(src.subarray(from, from + size), to);
        continue;
      }
      for (let col = 0; col < size; col++) out[to + size - 1 - col] = src[from + col]!;
    }
  }
}

/**
 * The average of `run`'s answers to the chips as they are and to the first `mirrors` - 1 mirrors,
 * each mirrored back. `run` maps an N x C x size x size batch to N x K x size x size answers.
 */
export async function mirrorAveraged(
  input: Float32Array,
  size: number,
  mirrors: MirrorCount,
  run: (chips: Float32Array) => Promise<Float32Array>,
): Promise<Float32Array> {
  const direct = await run(input);
  if (mirrors === 1) return direct;
  const sum = Float32Array.from(direct);
  const mirroredInput = new Float32Array(input.length);
  const answerBack = new Float32Array(direct.length);
  for (const [leftRight, topBottom] of MIRRORS.slice(1, mirrors)) {
    mirrorPlanes(input, mirroredInput, size, leftRight, topBottom);
    mirrorPlanes(await run(mirroredInput), answerBack, size, leftRight, topBottom);
    for (let i = 0; i < sum.length; i++) sum[i]! += answerBack[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= mirrors;
  return sum;
}
