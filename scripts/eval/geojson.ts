/**
 * Polygons from GeoJSON files, as rings in the file's own coordinates (or transformed), for
 * baselines and truth outlines. MultiPolygons become one polygon per part; Z values are dropped.
 */
import fs from 'node:fs';
import type { PolygonRings } from '../../pipeline/src/model/polygon-fill.js';

export interface PolygonFeature {
  properties: Record<string, unknown>;
  /** Every part of the feature's geometry (one for a Polygon). */
  parts: PolygonRings[];
}

interface GeoJsonFeature {
  type?: string;
  properties?: Record<string, unknown> | null;
  geometry?: { type?: string; coordinates?: unknown } | null;
}

export type Transform = (x: number, y: number) => [number, number];

export function readPolygons(file: string, transform?: Transform): PolygonFeature[] {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not readable GeoJSON (${(error as Error).message})`, { cause: error });
  }
  return polygonsOf(doc, transform, file);
}

/** Polygon features of a parsed GeoJSON FeatureCollection. */
export function polygonsOf(collection: unknown, transform?: Transform, what = 'GeoJSON'): PolygonFeature[] {
  const doc = collection as { type?: string; features?: GeoJsonFeature[] };
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) throw new Error(`${what}: not a GeoJSON FeatureCollection`);
  const ring = (coords: number[][]) => coords.map((p) => (transform ? transform(p[0]!, p[1]!) : [p[0]!, p[1]!]));
  return doc.features.flatMap((f) => {
    const g = f.geometry;
    if (!g) return [];
    let parts: PolygonRings[];
    if (g.type === 'Polygon') parts = [(g.coordinates as number[][][]).map(ring)];
    else if (g.type === 'MultiPolygon') parts = (g.coordinates as number[][][][]).map((poly) => poly.map(ring));
    else return [];
    return [{ properties: f.properties ?? {}, parts }];
  });
}
