/**
 * How 16-bit colour becomes 8-bit: one linear stretch for all bands, from 0 to a high percentile
 * of their values taken together. Per-band minimum-to-maximum (gdal_translate's bare -scale)
 * lets one saturated glint in one band darken that band and shift every colour; one shared range
 * keeps the colour balance, and the percentile keeps a few hot pixels from setting it. Pure.
 */

/** Share of valid samples at or below the stretch's top (the rest saturate at 255). */
export const STRETCH_PERCENTILE = 0.998;

/**
 * The value that maps to 255: the `percentile` of every band's valid samples together, at least 1.
 * @param bands samples of each colour band, same length
 * @param valid 1 where the samples hold imagery
 */
export function stretchMaximum(bands: readonly ArrayLike<number>[], valid: ArrayLike<number>, percentile = STRETCH_PERCENTILE): number {
  const values: number[] = [];
  for (const band of bands) for (let i = 0; i < valid.length; i++) if (valid[i]) values.push(band[i]!);
  if (!values.length) return 1;
  values.sort((a, b) => a - b);
  return Math.max(1, values[Math.min(values.length - 1, Math.floor(percentile * values.length))]!);
}
