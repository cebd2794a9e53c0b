/**
 * Whole-image looks at a raster on a reduced read (the colour stretch's sample, the footprint of
 * valid pixels), as ingest takes them before any full-resolution work.
 */
import gdal, { type RasterBand } from '../gdal.js';
import { lonLatTransformer } from './srs.js';
import type { GeoTransform } from './write-geotiff.js';

/** What the footprint needs to know of the raster it traces (an inspected upload or reduced raster). */
export interface FootprintSource {
  width: number;
  height: number;
  geoTransform: GeoTransform | null;
  srsWkt: string | null;
}

/**
 * The reduced read that ingest's whole-image looks (the colour stretch, the footprint) take: every
 * `step`-th pixel, at most 1024 a side, which GDAL serves from the overviews when there are some.
 */
export function reducedRead(width: number, height: number): { step: number; width: number; height: number } {
  const step = Math.max(1, Math.ceil(Math.max(width, height) / 1024));
  return { step, width: Math.ceil(width / step), height: Math.ceil(height / step) };
}

/** Colour bands 1-3 and their validity, as a reduced read (reducedRead), off the main thread. */
export async function readColourSample(path: string): Promise<[Float32Array[], Uint8Array]> {
  const dataset = await gdal.openAsync(path);
  try {
    // Everything synchronous is asked before the first read (gdal-async's ASYNCIO.md).
    const { x: width, y: height } = dataset.rasterSize;
    const reduced = reducedRead(width, height);
    const size = { buffer_width: reduced.width, buffer_height: reduced.height };
    const bands = [1, 2, 3].map((b) => dataset.bands.get(b));
    const mask = bands[0]!.getMaskBand()!;
    const read = (band: RasterBand, data_type: string) => band.pixels.readAsync(0, 0, width, height, undefined, { ...size, data_type });
    const [valid, ...colours] = await Promise.all([read(mask, gdal.GDT_Byte), ...bands.map((band) => read(band, gdal.GDT_Float32))]);
    return [colours as Float32Array[], valid as Uint8Array];
  } finally {
    dataset.close();
  }
}

/**
 * The footprint of valid pixels as lon/lat polygons (GeoJSON MultiPolygon coordinates; none when no
 * pixel is valid), traced on a small overview:
 * valid where the mask (alpha or nodata) says so and, for colour, where the pixel is not the black
 * collar that photogrammetry software puts around an orthophoto.
 */
export function validPixelPolygons(cogPath: string, meta: FootprintSource): number[][][][] {
  const dataset = gdal.open(cogPath);
  try {
    const { step: scale, width: w, height: h } = reducedRead(meta.width, meta.height);
    const valid = new Uint8Array(w * h).fill(1);
    for (let b = 1; b <= Math.min(3, dataset.bands.count()); b += 1) {
      const band = dataset.bands.get(b);
      const mask = band.getMaskBand()!.pixels.read(0, 0, meta.width, meta.height, undefined, { buffer_width: w, buffer_height: h, data_type: gdal.GDT_Byte }) as Uint8Array;
      for (let i = 0; i < valid.length; i += 1) if (!mask[i]) valid[i] = 0;
    }
    if (dataset.bands.count() >= 3) {
      const sum = new Uint16Array(w * h);
      for (let b = 1; b <= 3; b += 1) {
        const values = dataset.bands.get(b).pixels.read(0, 0, meta.width, meta.height, undefined, { buffer_width: w, buffer_height: h, data_type: gdal.GDT_Byte }) as Uint8Array;
        for (let i = 0; i < sum.length; i += 1) sum[i]! += values[i]!;
      }
      for (let i = 0; i < sum.length; i += 1) if (sum[i]! < 6) valid[i] = 0;
    }
    const gt = meta.geoTransform!;
    const mem = gdal.open('footprint', 'w', 'MEM', w, h, 1, gdal.GDT_Byte);
    const footprintTransform = [gt[0], gt[1] * scale, gt[2] * scale, gt[3], gt[4] * scale, gt[5] * scale];
    mem.geoTransform = footprintTransform;
    mem.bands.get(1).pixels.write(0, 0, w, h, valid);
    const vectors = gdal.open('footprint-vectors', 'w', 'Memory');
    const layer = vectors.layers.create('footprint', null, gdal.wkbPolygon);
    layer.fields.add(new gdal.FieldDefn('valid', gdal.OFTInteger));
    gdal.polygonize({ src: mem.bands.get(1), mask: mem.bands.get(1), dst: layer, pixValField: 0, connectedness: 8 });
    const { toLonLat } = lonLatTransformer(meta.srsWkt!);
    const polygons: number[][][][] = [];
    const minimumPixels = (w * h) / 10_000;
    for (const feature of layer.features) {
      const geometry = feature.getGeometry() as unknown as { getArea(): number; toJSON(): string };
      if (geometry.getArea() / Math.abs(footprintTransform[1]! * footprintTransform[5]!) < minimumPixels) continue; // specks
      const { coordinates } = JSON.parse(geometry.toJSON()) as { coordinates: number[][][] };
      polygons.push(coordinates.map((ring) => ring.map(([x, y]) => toLonLat(x!, y!))));
    }
    mem.close();
    vectors.close();
    return polygons;
  } finally {
    dataset.close();
  }
}
