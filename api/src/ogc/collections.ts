/**
 * The documents of OGC API – Features, Part 1 (Core, GeoJSON, OpenAPI 3.0) that describe the
 * service: landing page, conformance, and one description per collection. Pure: the extents come in.
 */
import { GEOJSON, JSON_TYPE, OPENAPI_JSON, type Link } from './links.js';

export const COLLECTION_IDS = ['candidates', 'register', 'villages'] as const;
export type CollectionId = (typeof COLLECTION_IDS)[number];

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const GREGORIAN = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian';

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

/** What each collection is, and what `datetime` filters on (null: it has no time and ignores it). */
export const COLLECTIONS: Record<CollectionId, { title: string; description: string; time: string | null }> = {
  candidates: {
    title: 'Candidates (疑似违建图斑)',
    description: 'Flagged changes from drone flights, with status, change type, priority and triage reasons, most urgent first.',
    time: 'the span the candidate was seen in, first_seen_at to last_seen_at',
  },
  register: {
    title: 'Stock register (存量违建台账)',
    description: 'Registered stock illegal buildings: category, disposal measure, status, street and village.',
    time: 'registered_on (a Shanghai day)',
  },
  villages: {
    title: 'Villages and communities (居村)',
    description: 'Administrative villages and communities, with their code and street/town.',
    time: null,
  },
};

export interface Extent {
  /** [west, south, east, north] in CRS84; null: the collection is empty. */
  bbox: number[] | null;
  start?: string | null;
  end?: string | null;
}

export function landingPage(base: string): object {
  return {
    title: 'Lingwei (零违) OGC API – Features',
    description: 'Candidates, the stock register and villages for GIS clients (QGIS, GDAL). Send a token from POST /api/tokens as Bearer, or as the password of HTTP Basic with your user name (QGIS "Basic" authentication).',
    links: [
      { href: `${base}/ogc`, rel: 'self', type: JSON_TYPE, title: 'this document' },
      { href: `${base}/ogc/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'conformance classes' },
      { href: `${base}/ogc/collections`, rel: 'data', type: JSON_TYPE, title: 'the collections' },
      { href: `${base}/docs/json`, rel: 'service-desc', type: OPENAPI_JSON, title: 'the API definition (OpenAPI 3)' },
      { href: `${base}/docs`, rel: 'service-doc', type: 'text/html', title: 'the API documentation' },
    ] satisfies Link[],
  };
}

export function collectionDocument(base: string, id: CollectionId, extent: Extent): object {
  const { title, description, time } = COLLECTIONS[id];
  const url = `${base}/ogc/collections/${id}`;
  const spatial = extent.bbox ? { spatial: { bbox: [extent.bbox], crs: CRS84 } } : {};
  const temporal = time && (extent.start || extent.end) ? { temporal: { interval: [[extent.start ?? null, extent.end ?? null]], trs: GREGORIAN } } : {};
  return {
    id, title, description: time ? `${description} datetime filters on ${time}.` : `${description} No time: datetime is ignored.`,
    itemType: 'feature',
    crs: [CRS84],
    storageCrs: CRS84,
    ...(extent.bbox || temporal.temporal ? { extent: { ...spatial, ...temporal } } : {}),
    links: [
      { href: url, rel: 'self', type: JSON_TYPE, title },
      { href: `${url}/items`, rel: 'items', type: GEOJSON, title: `${title}: features` },
    ] satisfies Link[],
  };
}
