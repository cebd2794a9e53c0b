/** Tiny evaluation folders for tests: an image-pair folder (PNG, no georeferencing) and a surface-model folder. */
import fs from 'node:fs';
import path from 'node:path';
import gdal from '#pipeline/gdal.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';

/**
 * A square PNG (or, by the file's extension, a JPEG, BMP or GeoTIFF) of byte bands; `palette` gives
 * band 1 a colour table of [r, g, b] entries.
 */
export function writePng(file: string, bands: Uint8Array[], size: number, palette?: [number, number, number][]): void {
  const mem = gdal.drivers.get('MEM').create('', size, size, bands.length, 'Byte');
  try {
    bands.forEach((b, i) => mem.bands.get(i + 1).pixels.write(0, 0, size, size, b));
    if (palette) {
      const table = new gdal.ColorTable(gdal.GPI_RGB);
      palette.forEach(([r, g, b], i) => table.set(i, { c1: r, c2: g, c3: b, c4: 255 }));
      mem.bands.get(1).colorTable = table;
    }
    const driver = /\.jpe?g$/i.test(file) ? 'JPEG' : /\.tiff?$/i.test(file) ? 'GTiff' : /\.bmp$/i.test(file) ? 'BMP' : 'PNG';
    gdal.drivers.get(driver).createCopy(file, mem).close();
  } finally {
    mem.close();
  }
}

/** A/, B/, label/ with `count` 64 x 64 PNG pairs: a grey roof appears in B where label is 255. */
export function writePairsFolder(dir: string, count = 2, size = 64): void {
  for (const sub of ['A', 'B', 'label']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  for (let k = 0; k < count; k++) {
    const grass = () => Uint8Array.from({ length: size * size }, (_, i) => 90 + ((i * 7 + k) % 13));
    const a = [grass(), grass().map((v) => v + 30), grass().map((v) => v - 40)];
    const b = a.map((band) => band.slice());
    const label = new Uint8Array(size * size);
    for (let r = 20; r < 40; r++) {
      for (let c = 16 + k * 4; c < 40 + k * 4; c++) {
        b.forEach((band) => (band[r * size + c] = 180));
        label[r * size + c] = 255;
      }
    }
    writePng(path.join(dir, 'A', `p${k}.png`), a, size);
    writePng(path.join(dir, 'B', `p${k}.png`), b, size);
    writePng(path.join(dir, 'label', `p${k}.png`), [label], size);
  }
}

/** dsm/, mask/, mask_vec/ with one 0.25 m tile: flat ground and `buildings` box houses 6 m tall. */
export function writeSurfaceFolder(dir: string, buildings = 6, size = 200): void {
  for (const sub of ['dsm', 'mask', 'mask_vec']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const gsd = 0.25;
  const x0 = 500000;
  const y0 = 1000000;
  const dsm = new Float32Array(size * size).fill(12);
  const mask = new Uint8Array(size * size);
  const features = [];
  for (let k = 0; k < buildings; k++) {
    const c0 = 20 + (k % 3) * 60;
    const r0 = 20 + Math.floor(k / 3) * 90;
    for (let r = r0; r < r0 + 32; r++) {
      for (let c = c0; c < c0 + 40; c++) {
        dsm[r * size + c] = 18;
        mask[r * size + c] = 1;
      }
    }
    const [xa, xb, ya, yb] = [x0 + c0 * gsd, x0 + (c0 + 40) * gsd, y0 - r0 * gsd, y0 - (r0 + 32) * gsd];
    features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[xa, ya], [xb, ya], [xb, yb], [xa, yb], [xa, ya]]] } });
  }
  for (let i = 0; i < 400; i++) dsm[i] = -32767; // a strip of nodata
  const gt: [number, number, number, number, number, number] = [x0, gsd, 0, y0, 0, -gsd];
  writeGeoTiff(path.join(dir, 'dsm', 't1.tif'), { width: size, height: size, bands: [dsm], geoTransform: gt, srs: 32649, nodata: -32767 });
  writeGeoTiff(path.join(dir, 'mask', 't1.tif'), { width: size, height: size, bands: [mask], geoTransform: gt, srs: 32649 });
  fs.writeFileSync(path.join(dir, 'mask_vec', 't1.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
}

/**
 * An orthophoto for writeSurfaceFolder's tile in `<dir>/<sub>/t1.tif`, drawn from its mask/:
 * grey roofs on green ground, `factor` times finer than the surface model over the same extent
 * (orthophotos usually are); `shiftM` moves it east, to test the refusal of another grid.
 */
export function writeSurfaceRgb(dir: string, sub: 'rgb' | 'before_rgb', o: { factor?: number; shiftM?: number; roof?: [number, number, number] } = {}): void {
  const factor = o.factor ?? 2;
  const mask = readBand(path.join(dir, 'mask', 't1.tif'));
  const size = mask.size * factor;
  const [x0, dx, , y0, , dy] = mask.geoTransform;
  const roof = o.roof ?? [180, 180, 180];
  const ground = [70, 120, 50];
  const bands = [0, 1, 2].map((b) => Uint8Array.from({ length: size * size }, (_, i) => (mask.data[Math.floor(i / size / factor) * mask.size + Math.floor((i % size) / factor)] ? roof[b]! : ground[b]!)));
  fs.mkdirSync(path.join(dir, sub), { recursive: true });
  writeGeoTiff(path.join(dir, sub, 't1.tif'), { width: size, height: size, bands, geoTransform: [x0 + (o.shiftM ?? 0), dx / factor, 0, y0, 0, dy / factor], srs: 32649 });
}

/**
 * An earlier flight's surface model for writeSurfaceFolder's tile in `<dir>/before_dsm/t1.tif`:
 * the same heights, with the houses whose index `absent` names not yet built (ground there).
 */
export function writeBeforeDsm(dir: string, absent: (index: number) => boolean): void {
  const dsm = readBand(path.join(dir, 'dsm', 't1.tif'));
  const heights = Float32Array.from(dsm.data);
  const outlines = JSON.parse(fs.readFileSync(path.join(dir, 'mask_vec', 't1.geojson'), 'utf8')) as { features: { geometry: { coordinates: number[][][] } }[] };
  const [x0, dx, , y0, , dy] = dsm.geoTransform;
  outlines.features.forEach((f, k) => {
    if (!absent(k)) return;
    const xs = f.geometry.coordinates[0]!.map(([x]) => Math.round((x! - x0) / dx));
    const ys = f.geometry.coordinates[0]!.map(([, y]) => Math.round((y! - y0) / dy));
    for (let r = Math.min(...ys); r < Math.max(...ys); r++) for (let c = Math.min(...xs); c < Math.max(...xs); c++) heights[r * dsm.size + c] = 12;
  });
  fs.mkdirSync(path.join(dir, 'before_dsm'), { recursive: true });
  writeGeoTiff(path.join(dir, 'before_dsm', 't1.tif'), { width: dsm.size, height: dsm.size, bands: [heights], geoTransform: [...dsm.geoTransform], srs: 32649, nodata: -32767 });
}

function readBand(file: string): { size: number; data: ArrayLike<number>; geoTransform: [number, number, number, number, number, number] } {
  const ds = gdal.open(file);
  try {
    const size = ds.rasterSize.x;
    return { size, data: ds.bands.get(1).pixels.read(0, 0, size, size) as ArrayLike<number>, geoTransform: ds.geoTransform as [number, number, number, number, number, number] };
  } finally {
    ds.close();
  }
}
