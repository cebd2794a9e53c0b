/**
 * The flights as a STAC 1.0 catalog (SpatioTemporal Asset Catalog), so GIS clients (QGIS's STAC
 * browser, pystac, GDAL) find every flight's orthophoto and surface model as Cloud Optimized
 * GeoTIFFs by place and date. Pure: flight rows and the API's base URL in, STAC JSON out.
 *
 * @example
 * stacCatalog('https://lingwei.example/api') // { type: 'Catalog', id: 'lingwei', links: [...] }
 */
import type { StacFlightRow } from '#db/sql/flights.js';

export const STAC_VERSION = '1.0.0';
export const COG_MEDIA_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';
const PROJECTION_EXTENSION = 'https://stac-extensions.github.io/projection/v1.1.0/schema.json';
const WEB_MAP_LINKS_EXTENSION = 'https://stac-extensions.github.io/web-map-links/v1.2.0/schema.json';

/**
 * What the catalog conforms to, on its root and at /conformance: a STAC API (Core, Collections,
 * Features: /collections/flights/items with bbox, datetime and limit) and OGC API – Features
 * (Core, GeoJSON). QGIS's STAC browser and pystac-client read it to find the items; static
 * crawlers follow the `child` and `item` links instead. There is no /search (Item Search).
 */
export const STAC_CONFORMANCE = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
  'https://api.stacspec.org/v1.0.0/ogcapi-features',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
];

/** The two COG kinds of a flight and how their URLs name them (tiles and downloads alike). */
export const FLIGHT_RASTERS = {
  orthophoto: { urlName: 'ortho', title: 'Orthophoto (正射影像)', tileFormat: 'webp' },
  surface_model: { urlName: 'dsm', title: 'Surface model (数字表面模型, DSM)', tileFormat: 'png' },
} as const;

export interface StacLink {
  rel: string;
  href: string;
  type?: string;
  title?: string;
}

/** URLs of the catalog, given the API's base (scheme, host and "/api", without a trailing slash). */
export function stacUrls(apiBase: string) {
  const root = `${apiBase}/stac`;
  const collection = `${root}/collections/flights`;
  return {
    root,
    conformance: `${root}/conformance`,
    collections: `${root}/collections`,
    // The OpenAPI document is served beside /api, at /docs/json.
    openapi: `${apiBase.replace(/\/api$/, '')}/docs/json`,
    collection,
    items: `${collection}/items`,
    item: (flightId: string) => `${collection}/items/${flightId}`,
    asset: (flightId: string, kind: keyof typeof FLIGHT_RASTERS) => `${apiBase}/flights/${flightId}/assets/${FLIGHT_RASTERS[kind].urlName}.tif`,
    thumbnail: (flightId: string) => `${apiBase}/flights/${flightId}/thumbnail.webp`,
    tiles: (flightId: string, kind: keyof typeof FLIGHT_RASTERS) =>
      `${apiBase}/flights/${flightId}/tiles/${FLIGHT_RASTERS[kind].urlName}/{z}/{x}/{y}.${FLIGHT_RASTERS[kind].tileFormat}`,
  };
}

const json = 'application/json';
const geojson = 'application/geo+json';

export function stacCatalog(apiBase: string): object {
  const urls = stacUrls(apiBase);
  return {
    type: 'Catalog',
    stac_version: STAC_VERSION,
    id: 'lingwei',
    title: 'Lingwei (零违) flights',
    description: 'Drone and aerial flights taken in by Lingwei: orthophotos and surface models as Cloud Optimized GeoTIFFs.',
    conformsTo: STAC_CONFORMANCE,
    links: [
      { rel: 'self', href: urls.root, type: json },
      { rel: 'root', href: urls.root, type: json },
      { rel: 'child', href: urls.collection, type: json, title: 'Flights (航飞)' },
      { rel: 'data', href: urls.collections, type: json, title: 'the collections' },
      { rel: 'conformance', href: urls.conformance, type: json, title: 'conformance classes' },
      { rel: 'service-desc', href: urls.openapi, type: 'application/vnd.oai.openapi+json;version=3.0', title: 'the API definition (OpenAPI 3)' },
    ],
  };
}

/** The collections (STAC API – Collections): the one collection of flights. */
export function stacCollections(apiBase: string, collection: object): object {
  const urls = stacUrls(apiBase);
  return {
    collections: [collection],
    links: [
      { rel: 'self', href: urls.collections, type: json },
      { rel: 'root', href: urls.root, type: json },
      { rel: 'parent', href: urls.root, type: json },
    ],
  };
}

/** The flights collection; `itemIds`: every catalogued flight, linked one by one (`item`) for crawlers that do not page `items`. */
export function flightsCollection(apiBase: string, extent: { bbox: readonly number[] | null; start: Date | null; end: Date | null }, itemIds: readonly string[] = []): object {
  const urls = stacUrls(apiBase);
  return {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: [],
    id: 'flights',
    title: 'Flights (航飞)',
    description: 'One item per flight that has been processed or holds Cloud Optimized GeoTIFFs: its orthophoto and, where flown, its surface model.',
    license: 'proprietary',
    extent: {
      // An empty catalog still has to state an extent: the whole world, open in time.
      spatial: { bbox: [extent.bbox ?? [-180, -90, 180, 90]] },
      temporal: { interval: [[extent.start?.toISOString() ?? null, extent.end?.toISOString() ?? null]] },
    },
    links: [
      { rel: 'self', href: urls.collection, type: json },
      { rel: 'root', href: urls.root, type: json },
      { rel: 'parent', href: urls.root, type: json },
      { rel: 'items', href: urls.items, type: geojson },
      ...itemIds.map((id) => ({ rel: 'item', href: urls.item(id), type: geojson })),
    ],
  };
}

/** EPSG code of a "EPSG:32651" CRS name, or null. */
function epsgOf(crs: string | null): number | null {
  const match = /^EPSG:(\d+)$/i.exec(crs ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * One flight as a STAC item. Its datetime is when it was flown; a flight registered without a
 * capture time falls back to when it was taken in (STAC needs one), and says so.
 */
export function flightItem(apiBase: string, flight: StacFlightRow): object {
  const urls = stacUrls(apiBase);
  const epsg = epsgOf(flight.cogs[0]?.crs ?? null);
  const assets: Record<string, object> = {};
  const tileLinks: StacLink[] = [];
  for (const cog of flight.cogs) {
    const raster = FLIGHT_RASTERS[cog.kind];
    assets[cog.kind] = {
      href: urls.asset(flight.id, cog.kind),
      type: COG_MEDIA_TYPE,
      title: raster.title,
      roles: ['data'],
      ...(cog.width && cog.height ? { 'proj:shape': [cog.height, cog.width] } : {}),
      ...(epsgOf(cog.crs) !== null ? { 'proj:epsg': epsgOf(cog.crs) } : {}),
    };
    tileLinks.push({ rel: 'xyz', href: urls.tiles(flight.id, cog.kind), type: `image/${raster.tileFormat}`, title: raster.title });
  }
  // A small picture of the orthophoto for STAC browsers' lists.
  if (flight.cogs.some((cog) => cog.kind === 'orthophoto')) {
    assets.thumbnail = { href: urls.thumbnail(flight.id), type: 'image/webp', title: 'Thumbnail (缩略图)', roles: ['thumbnail'] };
  }
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: [PROJECTION_EXTENSION, WEB_MAP_LINKS_EXTENSION],
    id: flight.id,
    collection: 'flights',
    geometry: flight.footprint ? JSON.parse(flight.footprint) : null,
    ...(flight.footprint && flight.bbox ? { bbox: flight.bbox } : {}),
    properties: {
      title: `Flight ${flight.id}`,
      datetime: (flight.captured_at ?? flight.created_at).toISOString(),
      ...(flight.captured_at ? {} : { 'lingwei:datetime_is_intake': true }),
      created: flight.created_at.toISOString(),
      updated: flight.updated_at.toISOString(),
      gsd: flight.gsd_m,
      operator: flight.operator,
      'proj:epsg': epsg,
      'lingwei:status': flight.status,
    },
    assets,
    links: [
      { rel: 'self', href: urls.item(flight.id), type: geojson },
      { rel: 'root', href: urls.root, type: json },
      { rel: 'parent', href: urls.collection, type: json },
      { rel: 'collection', href: urls.collection, type: json },
      ...tileLinks,
    ],
  };
}

/**
 * A page of items, with a `next` (and `prev`) link while more remain; `filter`: the query's bbox
 * and datetime as given, which the paging links carry on.
 */
export function flightItemCollection(
  apiBase: string, flights: StacFlightRow[], page: { limit: number; offset: number; matched: number }, filter: { bbox?: string; datetime?: string } = {},
): object {
  const urls = stacUrls(apiBase);
  const pageUrl = (offset: number) => {
    const query = new URLSearchParams({ limit: String(page.limit), offset: String(offset) });
    if (filter.bbox !== undefined) query.set('bbox', filter.bbox);
    if (filter.datetime !== undefined) query.set('datetime', filter.datetime);
    return `${urls.items}?${query}`;
  };
  return {
    type: 'FeatureCollection',
    features: flights.map((flight) => flightItem(apiBase, flight)),
    numberMatched: page.matched,
    numberReturned: flights.length,
    links: [
      { rel: 'self', href: pageUrl(page.offset), type: geojson },
      { rel: 'root', href: urls.root, type: json },
      { rel: 'parent', href: urls.collection, type: json },
      ...(page.offset + flights.length < page.matched ? [{ rel: 'next', href: pageUrl(page.offset + page.limit), type: geojson }] : []),
      ...(page.offset > 0 ? [{ rel: 'prev', href: pageUrl(Math.max(0, page.offset - page.limit)), type: geojson }] : []),
    ],
  };
}
