/**
 * The one reader of vector files: any format and CRS GDAL knows, features handed out one at a
 * time as lon/lat (EPSG:4326) WKB, so a 1,000,000-building layer never sits in memory.
 * CGCS2000 (EPSG:4490) and its Gauss-Krüger projections are transformed like any other CRS; GDAL
 * treats CGCS2000 and WGS84 as coincident (they differ by centimetres).
 */
import fs from 'node:fs';
import gdal, { type Dataset, type Layer } from '../gdal.js';

export interface VectorFeature {
  /** 0-based position of the feature in its layer. */
  index: number;
  properties: Record<string, unknown>;
  /** ISO WKB, 2D, EPSG:4326 lon/lat; null for a feature without geometry. */
  wkb: Buffer | null;
}

export interface VectorSource {
  layerName: string;
  /** Name of the layer's CRS as GDAL reports it, e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 120E". */
  crsName: string;
  /** Feature count when the driver knows it cheaply, else null. */
  featureCount: number | null;
  features(): Iterable<VectorFeature>;
  close(): void;
}

export class VectorSourceError extends Error {
  override name = 'VectorSourceError';
}


export function openVectorSource(file: string, layerName?: string): VectorSource {
  if (!fs.existsSync(file)) throw new VectorSourceError(`${file}: no such file`);
  let dataset: Dataset;
  try {
    dataset = gdal.open(file);
  } catch (error) {
    throw new VectorSourceError(`${file}: GDAL cannot read it as a vector file (${(error as Error).message})`);
  }
  if (dataset.layers.count() === 0) {
    dataset.close();
    throw new VectorSourceError(`${file}: has no vector layer (is it a raster?)`);
  }
  let layer: Layer;
  try {
    layer = layerName === undefined ? dataset.layers.get(0) : dataset.layers.get(layerName);
  } catch {
    const names = Array.from({ length: dataset.layers.count() }, (_, i) => dataset.layers.get(i).name);
    dataset.close();
    throw new VectorSourceError(`${file}: no layer named ${layerName} (layers: ${names.join(', ')})`);
  }
  const layerSrs = layer.srs;
  if (!layerSrs) {
    const name = layer.name;
    dataset.close();
    throw new VectorSourceError(`${file}: layer ${name} has no coordinate reference system (for a Shapefile, add its .prj)`);
  }
  const target = gdal.SpatialReference.fromEPSG(4326);
  const transform = layerSrs.isSame(target) ? null : new gdal.CoordinateTransformation(layerSrs, target);
  const countGuess = layer.features.count(false);

  return {
    layerName: layer.name,
    crsName: layerSrs.getAttrValue('PROJCS') ?? layerSrs.getAttrValue('GEOGCS') ?? 'unknown',
    featureCount: countGuess >= 0 ? countGuess : null,
    *features() {
      let index = 0;
      for (let feature = layer.features.first(); feature; feature = layer.features.next()) {
        const geometry = feature.getGeometry();
        let wkb: Buffer | null = null;
        if (geometry && !geometry.isEmpty()) {
          if (transform) geometry.transform(transform);
          geometry.flattenTo2D();
          wkb = geometry.toWKB('LSB', 'ISO');
        }
        yield { index, properties: feature.fields.toObject(), wkb };
        index += 1;
      }
    },
    close() {
      dataset.close();
    },
  };
}
