/**
 * Checks an uploaded flight's rasters before any work is spent on them, and says what is wrong in
 * words a drone operator (无人机飞手) can act on. Pure: it judges metadata read by the GDAL
 * adapter; reading itself (corrupt or truncated files) is the adapter's to report.
 */

export type AssetRole = 'orthophoto' | 'surface_model';

export interface RasterMetadata {
  width: number;
  height: number;
  bandCount: number;
  /** GDAL pixel type of band 1: Byte, UInt16, Int16, Float32... */
  dataType: string;
  /** null when the file carries no geotransform. */
  geoTransform: [number, number, number, number, number, number] | null;
  /** WKT of the CRS, or null when the file has none. */
  srsWkt: string | null;
  /** Whether GDAL could interpret the CRS (an unknown LOCAL_CS or broken WKT cannot be). */
  srsUsable: boolean;
  isGeographic: boolean;
  nodata: number | null;
  /** Bounds in lon/lat [west, south, east, north], when georeferenced. */
  lonLatBounds: [number, number, number, number] | null;
}

export interface FlightCheckLimits {
  /** Finest accepted ground resolution, metres. Default 0.01. */
  minGsdM?: number;
  /** Coarsest accepted ground resolution of an orthophoto, metres. Default 1.0. */
  maxOrthoGsdM?: number;
  /** Coarsest accepted ground resolution of a surface model, metres. Default 2.0. */
  maxDsmGsdM?: number;
  /** Largest accepted raster side, pixels. Default 200,000. */
  maxSidePx?: number;
  /** Smallest accepted raster side, pixels. Default 64. */
  minSidePx?: number;
  /** Largest covered area, km² (a district is a few hundred). Default 500. */
  maxAreaKm2?: number;
}

const ORTHO_TYPES = new Set(['Byte', 'UInt16']);
const DSM_TYPES = new Set(['Float32', 'Float64', 'Int16', 'Int32', 'UInt16']);
const NAMES: Record<AssetRole, string> = { orthophoto: 'orthophoto (正射影像)', surface_model: 'surface model (DSM)' };

/** Ground resolution in metres of a raster's pixel (degrees converted at its latitude). */
export function groundResolutionM(meta: Pick<RasterMetadata, 'geoTransform' | 'isGeographic' | 'lonLatBounds'>): number | null {
  if (!meta.geoTransform) return null;
  const [, a, b] = meta.geoTransform;
  const size = Math.hypot(a, b);
  if (!meta.isGeographic) return size;
  const lat = meta.lonLatBounds ? (meta.lonLatBounds[1] + meta.lonLatBounds[3]) / 2 : 0;
  return size * 111_320 * Math.cos((lat * Math.PI) / 180);
}

const IDENTITY = [0, 1, 0, 0, 0, 1];

const coordinate = (value: number) => String(Number(value.toPrecision(10)));

/**
 * Why a raster labelled in degrees (WGS 84, CGCS2000 geographic) cannot be placed, from its
 * corner coordinates: projected metres labelled as degrees, or latitude and longitude swapped.
 * null when the corners are longitude/latitude after all.
 */
export function degreesProblem(name: string, gt: [number, number, number, number, number, number], width: number, height: number): string | null {
  const corners = [[0, 0], [width, 0], [0, height], [width, height]].map(([c, r]) => [gt[0] + c! * gt[1] + r! * gt[2], gt[3] + c! * gt[4] + r! * gt[5]] as const);
  const inRange = (limit: number, pick: 0 | 1) => corners.every((p) => Math.abs(p[pick]) <= limit);
  if (inRange(180, 0) && inRange(90, 1)) return null;
  const [x, y] = corners[0]!;
  const at = `(x ${coordinate(x)}, y ${coordinate(y)})`;
  if (inRange(90, 0) && inRange(180, 1)) {
    return `The ${name} is labelled in degrees but its y values are not latitudes ${at}: latitude and longitude look swapped. Export it with longitude as x (east) and latitude as y (north).`;
  }
  return `The ${name} is labelled in degrees (such as WGS 84) but its coordinates ${at} are far outside longitude -180..180 and latitude -90..90: they look like metres of a projected system (a UTM or Gauss-Krüger zone) labelled with the wrong coordinate system. Export it again with the coordinate system its coordinates are in.`;
}

/** Problems with one raster, each a sentence for the operator; empty when it can be used. */
export function checkFlightRaster(role: AssetRole, meta: RasterMetadata, limits: FlightCheckLimits = {}): string[] {
  const { minGsdM = 0.01, maxOrthoGsdM = 1.0, maxDsmGsdM = 2.0, maxSidePx = 200_000, minSidePx = 64, maxAreaKm2 = 500 } = limits;
  const name = NAMES[role];
  const problems: string[] = [];
  if (!meta.geoTransform || meta.geoTransform.every((v, i) => v === IDENTITY[i]) || !meta.srsWkt) {
    problems.push(`The ${name} has no georeference (no coordinate system or no pixel-to-map transform). Export it as a georeferenced GeoTIFF from the photogrammetry software (a .tfw or .prj file beside it is not uploaded with it: the georeference must be inside the GeoTIFF).`);
  } else if (!meta.srsUsable) {
    // A file labelled in degrees whose coordinates are no longitude/latitude has the right CRS
    // name on the wrong numbers: "reproject to WGS 84" would send the operator in a circle.
    const degrees = meta.isGeographic ? degreesProblem(name, meta.geoTransform, meta.width, meta.height) : null;
    problems.push(degrees ?? `The ${name} uses a coordinate system that cannot be interpreted. Reproject it to CGCS2000 (EPSG:4490 or a Gauss-Krüger zone such as EPSG:4549) or WGS 84.`);
  }
  if (meta.width > maxSidePx || meta.height > maxSidePx) {
    problems.push(`The ${name} is ${meta.width} x ${meta.height} pixels, larger than the ${maxSidePx} pixel limit per side. Split the flight into tiles.`);
  } else if (meta.width < minSidePx || meta.height < minSidePx) {
    problems.push(`The ${name} is only ${meta.width} x ${meta.height} pixels; at least ${minSidePx} x ${minSidePx} is needed.`);
  }
  if (role === 'orthophoto') {
    if (meta.bandCount < 3 || meta.bandCount > 4) {
      problems.push(`The orthophoto has ${meta.bandCount} band(s); a colour RGB (3 bands) or RGBA (4 bands) image is needed.`);
    }
    if (!ORTHO_TYPES.has(meta.dataType)) {
      problems.push(`The orthophoto's pixels are ${meta.dataType}; 8-bit (Byte) or 16-bit (UInt16) colour is needed.`);
    }
  } else {
    if (meta.bandCount !== 1) problems.push(`The surface model has ${meta.bandCount} bands; a single band of heights in metres is needed.`);
    if (/^C(Int|Float)/.test(meta.dataType)) {
      problems.push(`The surface model's pixels are complex numbers (${meta.dataType}), as radar interferometry writes them; heights must be real numbers such as Float32 metres. Export the heights (the DSM) as Float32.`);
    } else if (!DSM_TYPES.has(meta.dataType)) {
      problems.push(`The surface model's pixels are ${meta.dataType}; heights must be numbers such as Float32 metres (an 8-bit image is a rendering, not a surface model).`);
    }
  }
  const gsd = groundResolutionM(meta);
  const maxGsd = role === 'orthophoto' ? maxOrthoGsdM : maxDsmGsdM;
  if (gsd !== null && !problems.length && (gsd < minGsdM || gsd > maxGsd)) {
    problems.push(`The ${name} has a ground resolution of ${gsd.toFixed(3)} m per pixel; between ${minGsdM} and ${maxGsd} m is accepted.`);
  }
  if (gsd !== null && !problems.length) {
    const areaKm2 = (meta.width * gsd * meta.height * gsd) / 1e6;
    if (areaKm2 > maxAreaKm2) problems.push(`The ${name} covers ${areaKm2.toFixed(0)} km², more than the ${maxAreaKm2} km² limit of one flight.`);
  }
  return problems;
}

/** Share of the orthophoto's bounds that the surface model covers, 0..1. */
export function overlapShare(ortho: [number, number, number, number], dsm: [number, number, number, number]): number {
  const w = Math.max(0, Math.min(ortho[2], dsm[2]) - Math.max(ortho[0], dsm[0]));
  const h = Math.max(0, Math.min(ortho[3], dsm[3]) - Math.max(ortho[1], dsm[1]));
  const area = (ortho[2] - ortho[0]) * (ortho[3] - ortho[1]);
  return area > 0 ? (w * h) / area : 0;
}

/** Problems with the pair: a surface model must cover the orthophoto. */
export function checkFlightPair(ortho: RasterMetadata, dsm: RasterMetadata, minOverlap = 0.5): string[] {
  if (!ortho.lonLatBounds || !dsm.lonLatBounds) return [];
  const share = overlapShare(ortho.lonLatBounds, dsm.lonLatBounds);
  if (share === 0) return ['The surface model does not overlap the orthophoto at all: check that both files belong to the same flight and use the right coordinate system.'];
  if (share < minOverlap) {
    return [`The surface model covers only ${(share * 100).toFixed(0)}% of the orthophoto; at least ${minOverlap * 100}% is needed.`];
  }
  return [];
}

/** What a read of every pixel of a surface model found (GDAL's exact statistics). */
export interface HeightSummary {
  /** Share of the pixels that hold a height: neither nodata nor NaN, 0..1. */
  validShare: number;
  /** Least and greatest height (±Infinity when the file holds infinities); null when there is none. */
  least: number | null;
  greatest: number | null;
}

/**
 * Heights a surface model can hold, metres: the Earth's surface runs from the Dead Sea shore
 * (-430 m) to Everest (8,849 m). A value outside is a fill value, a unit mistake or a broken
 * export (1e30, ±infinity), never a roof: read as a height it raises false candidates.
 */
export const POSSIBLE_HEIGHTS_M = { least: -500, greatest: 9000 } as const;

const metres = (value: number) => (Number.isFinite(value) ? `${Number(value.toPrecision(6))} m` : value > 0 ? 'infinity' : 'minus infinity');

/**
 * Problems with a surface model's heights, each a sentence for the operator; empty when they can
 * be used. A surface model without a single height would let the flight end "done" having seen
 * nothing, and count as patrol coverage.
 */
export function checkSurfaceHeights(summary: HeightSummary): string[] {
  if (summary.validShare === 0 || summary.least === null || summary.greatest === null) {
    return ['The surface model (DSM) holds no heights: every pixel is nodata or NaN. Export it again from the photogrammetry software, or create the flight without a surface model.'];
  }
  const { least, greatest } = POSSIBLE_HEIGHTS_M;
  if (summary.least < least || summary.greatest > greatest || !Number.isFinite(summary.least) || !Number.isFinite(summary.greatest)) {
    return [`The surface model (DSM) holds impossible heights, from ${metres(summary.least)} to ${metres(summary.greatest)}; heights on Earth lie between ${least} and ${greatest} m. Check the export's units and its nodata value (a fill value must be declared as nodata), and export it again.`];
  }
  return [];
}
