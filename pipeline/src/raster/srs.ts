/**
 * Spatial reference systems for rasters: built from an EPSG code or WKT, and identified back to an
 * EPSG code when reading. Axis order is x = easting/longitude everywhere (see ../gdal.ts).
 */
import gdal, { type SpatialReference } from '../gdal.js';

/** An EPSG code (4549) or any definition GDAL understands (WKT, PROJ string, "EPSG:4549"). */
export type SrsInput = number | string;

/** Whether a reference system given as WKT is geographic (degrees), not projected. */
export function isGeographicWkt(wkt: string): boolean {
  return gdal.SpatialReference.fromWKT(wkt).isGeographic();
}

/** A reference system given as WKT, as a PROJ string (what PostGIS's ST_Transform takes). */
export function wktToProj4(wkt: string): string {
  return gdal.SpatialReference.fromWKT(wkt).toProj4();
}

export function toSpatialReference(srs: SrsInput): SpatialReference {
  if (typeof srs === 'number') return gdal.SpatialReference.fromEPSG(srs);
  const m = /^\s*EPSG:(\d+)\s*$/i.exec(srs);
  if (m) return gdal.SpatialReference.fromEPSG(Number(m[1]));
  return gdal.SpatialReference.fromUserInput(srs);
}

/** The EPSG code of a reference system, or null when it has none and cannot be identified. */
export function epsgCode(srs: SpatialReference | null): number | null {
  if (!srs) return null;
  const direct = readCode(srs);
  if (direct !== null) return direct;
  try {
    const copy = srs.clone();
    copy.autoIdentifyEPSG();
    return readCode(copy);
  } catch {
    return null;
  }
}

/**
 * The code at the root, or at the node of the system's own kind: a projected system without a code
 * of its own (a city grid on CGCS2000) must not be reported as its datum's geographic code.
 */
function readCode(srs: SpatialReference): number | null {
  for (const key of [null, srs.isGeographic() ? 'GEOGCS' : 'PROJCS']) {
    try {
      const name = srs.getAuthorityName(key);
      const code = srs.getAuthorityCode(key);
      if (name?.toUpperCase() === 'EPSG' && code) return Number(code);
    } catch {
      // no authority at this node
    }
  }
  return null;
}

export interface LonLatTransformer {
  toLonLat: (x: number, y: number) => [number, number];
  fromLonLat: (lon: number, lat: number) => [number, number];
}

/**
 * Transformers already built, by the system they were asked for: building one costs ~38 ms (the
 * WKT parsed, two PROJ pipelines set up), and a flight asks for its system's one six or seven
 * times (each upload inspected, its reduced raster and COG written, the footprint traced). A
 * worker meets few systems; the oldest is dropped past TRANSFORMERS_KEPT.
 */
const transformers = new Map<SrsInput, LonLatTransformer>();
const TRANSFORMERS_KEPT = 16;

/** Converts between a projected system and WGS 84 longitude/latitude (degrees, lon first). */
export function lonLatTransformer(srs: SrsInput): LonLatTransformer {
  let transformer = transformers.get(srs);
  if (!transformer) {
    transformer = buildLonLatTransformer(srs);
    if (transformers.size >= TRANSFORMERS_KEPT) transformers.delete(transformers.keys().next().value!);
    transformers.set(srs, transformer);
  }
  return transformer;
}

function buildLonLatTransformer(srs: SrsInput): LonLatTransformer {
  const projected = toSpatialReference(srs);
  const wgs84 = gdal.SpatialReference.fromEPSG(4326);
  const forward = new gdal.CoordinateTransformation(projected, wgs84);
  const inverse = new gdal.CoordinateTransformation(wgs84, projected);
  return {
    toLonLat: (x, y) => {
      const p = forward.transformPoint(x, y);
      return [p.x, p.y];
    },
    fromLonLat: (lon, lat) => {
      const p = inverse.transformPoint(lon, lat);
      return [p.x, p.y];
    },
  };
}
