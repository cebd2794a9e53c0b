/**
 * Feature properties in a form GIS clients keep. GDAL (ogr2ogr, QGIS) takes a GeoJSON feature's
 * integer `id` as its FID, which a Shapefile or CSV export drops, so the id is repeated as the
 * property `id`; a list becomes GDAL's "(2:a,b)" in those formats, so lists are joined with "; "
 * (as in the candidate exports). Pure.
 */

/** Lists are joined with this, as in GET /api/candidates/export. */
export const LIST_SEPARATOR = '; ';

interface Feature {
  id?: unknown;
  properties?: Record<string, unknown> | null;
}

export function withGisProperties<T extends Feature>(feature: T): T {
  const properties: Record<string, unknown> = feature.id === undefined ? {} : { id: feature.id };
  for (const [key, value] of Object.entries(feature.properties ?? {})) {
    if (key === 'id') continue;
    properties[key] = Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null) ? value.join(LIST_SEPARATOR) : value;
  }
  return { ...feature, properties };
}
