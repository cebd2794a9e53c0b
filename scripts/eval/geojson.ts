/**
 * Polygons from GeoJSON files, as rings in the file's own coordinates (or transformed), for
 * baselines and truth outlines. MultiPolygons become one polygon per part; Z values are dropped.
 */
import fs from 'node:fs';
import type { PolygonRings } from '#pipeline/model/polygon-fill.js';

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
  return readPolygonsWithCrs(file, transform).features;
}

/**
 * As readPolygons, with the EPSG code the file declares in its (pre-RFC 7946) `crs` member, as
 * GDAL writes it; CRS84 counts as 4326. Null when it declares none.
 */
export function readPolygonsWithCrs(file: string, transform?: Transform): { features: PolygonFeature[]; epsg: number | null } {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not readable GeoJSON (${(error as Error).message})`, { cause: error });
  }
  return { features: polygonsOf(doc, transform, file), epsg: declaredEpsg(doc) };
}

function declaredEpsg(doc: unknown): number | null {
  const name = (doc as { crs?: { properties?: { name?: unknown } } } | null)?.crs?.properties?.name;
  if (typeof name !== 'string') return null;
  if (/CRS84$/i.test(name)) return 4326;
  const code = /EPSG:+(\d+)$/i.exec(name);
  return code ? Number(code[1]) : null;
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
