/**
 * What the routes answer when they succeed (and the errors particular to one), for the OpenAPI
 * document only: the routes send their replies as they build them (no response schema of
 * fastify's strips or reorders their fields), so the schemas live here, open to fields not named,
 * and openapi-responses.test.ts checks the real replies against them. Keyed by method and route
 * URL as the route declares it.
 */

type Schema = Record<string, unknown>;

const binary = { type: 'string', format: 'binary' } as const;
const text = { type: 'string' } as const;
const id = { type: 'string', pattern: '^[0-9]+$', description: 'a row number, as text' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string', description: 'what went wrong, for a person' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'what to do about it' },
  },
};

/** An error answer: every route's errors are problem details. */
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } } });
const THROTTLED = problem('Too many failed logins for this account or from this address: wait Retry-After seconds');

const LINK: Schema = {
  type: 'object', required: ['href', 'rel'],
  properties: { href: { type: 'string', format: 'uri' }, rel: text, type: text, title: text },
};
const LINKS: Schema = { type: 'array', items: LINK };

const GEOMETRY: Schema = {
  type: 'object', nullable: true, required: ['type'],
  properties: { type: { type: 'string', enum: ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'] } },
};
const FEATURE: Schema = {
  type: 'object', required: ['type', 'geometry', 'properties'],
  properties: { type: { type: 'string', enum: ['Feature'] }, id: { oneOf: [{ type: 'integer' }, { type: 'string' }] }, geometry: GEOMETRY, properties: { type: 'object', nullable: true }, links: LINKS },
};
const FEATURE_COLLECTION: Schema = {
  type: 'object', required: ['type', 'features'],
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] }, features: { type: 'array', items: FEATURE },
    numberMatched: { type: 'integer', minimum: 0 }, numberReturned: { type: 'integer', minimum: 0 }, timeStamp: dateTime, links: LINKS,
  },
};

const USER: Schema = {
  type: 'object', required: ['id', 'username', 'role'],
  properties: { id, username: text, role: { type: 'string', enum: ['operator', 'reviewer', 'assessor', 'admin'] }, display_name: { type: 'string', nullable: true } },
};
const TOKEN_LISTING: Schema = {
  type: 'object', required: ['id', 'username', 'kind', 'created_at', 'expires_at'],
  properties: { id, username: text, kind: { type: 'string', enum: ['cookie', 'bearer'] }, label: { type: 'string', nullable: true }, created_at: dateTime, expires_at: dateTime, current: { type: 'boolean' } },
};

const json = (description: string, schema: Schema) => ({ description, content: { 'application/json': { schema } } });
const geojson = (description: string, schema: Schema) => ({ description, content: { 'application/geo+json': { schema } } });
const media = (description: string, ...types: string[]) => ({ description, content: Object.fromEntries(types.map((type) => [type, { schema: binary }])) });
const object = (required: string[], properties: Schema): Schema => ({ type: 'object', required, properties });

const REPORT = {
  description: 'The report: JSON (figures), CSV, a printable HTML page or PDF, as `format` asks',
  content: {
    'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: text }, 'text/html': { schema: text }, 'application/pdf': { schema: binary },
  },
};
const OGC_COLLECTION: Schema = object(['id', 'links'], { id: text, title: text, description: text, itemType: text, crs: { type: 'array', items: text }, extent: { type: 'object' }, links: LINKS });

export const SUCCESS_RESPONSES: Record<string, Record<string, unknown>> = {
  'POST /api/login': {
    200: json('Logged in: the session cookie is set', object(['user'], { user: USER })),
    401: problem('Wrong user name or password'), 429: THROTTLED,
  },
  'POST /api/logout': { 200: json('Logged out', object(['ok'], { ok: { type: 'boolean' } })) },
  'GET /api/me': { 200: json('The user the credentials belong to', object(['user'], { user: USER })) },
  'POST /api/tokens': {
    201: json('The token, shown this once', object(['token', 'id', 'expires_at', 'expires_in_days'], {
      token: { type: 'string', description: 'send as `Authorization: Bearer <token>` or as the HTTP Basic password' }, id, expires_at: dateTime,
      expires_in_days: { type: 'number' }, limited_by: { type: 'string', description: 'present when the asking session ends sooner than `days`' },
    })),
    429: THROTTLED,
  },
  'GET /api/tokens': { 200: json('Your live sessions and tokens', object(['tokens'], { tokens: { type: 'array', items: TOKEN_LISTING } })) },
  'DELETE /api/tokens/:id': { 204: { description: 'Revoked', type: 'null' } },
  'GET /api/admin/tokens': { 200: json('Live sessions and tokens', object(['tokens'], { tokens: { type: 'array', items: TOKEN_LISTING } })) },
  'DELETE /api/admin/users/:username/tokens': { 200: json('How many were revoked', object(['revoked'], { revoked: { type: 'integer', minimum: 0 } })) },
  'GET /api/candidates': { 200: geojson('Candidates, most urgent first', FEATURE_COLLECTION) },
  'GET /api/candidates/:id': { 200: geojson('The candidate with its dossier in the properties', FEATURE) },
  'POST /api/candidates/:id/review': {
    200: json('The decision is recorded', object(['id', 'status', 'version'], { id, status: text, version: { type: 'integer' } })),
    409: problem('Someone else changed the candidate first: `current` holds its status and version now; nothing was changed'),
  },
  'GET /ogc': { 200: json('The landing page', object(['links'], { title: text, description: text, links: LINKS })) },
  'GET /ogc/conformance': { 200: json('The conformance classes', object(['conformsTo'], { conformsTo: { type: 'array', items: text } })) },
  'GET /ogc/collections': { 200: json('The collections', object(['links', 'collections'], { links: LINKS, collections: { type: 'array', items: OGC_COLLECTION } })) },
  'GET /api/flights': { 200: json('Flights, newest first', object(['flights'], { flights: { type: 'array', items: object(['id', 'status'], { id, status: text }) } })) },
  'POST /api/flights': {
    201: json('The flight is created and queued; Location is its address', object(['id', 'url', 'events', 'duplicate'], { id, url: text, events: text, duplicate: { type: 'boolean' } })),
    200: json('These files already made this flight (same checksums): nothing new is queued', object(['id', 'url', 'events', 'duplicate'], { id, url: text, events: text, duplicate: { type: 'boolean' } })),
    409: problem('An upload is not complete: resume it first'),
    422: problem('The files cannot make a flight (checksum, raster checks): `problems` says why'),
  },
  'GET /api/flights/covering': { 200: json('The flight to show under the box, or null', object(['flight'], { flight: { type: 'object', nullable: true } })) },
  'GET /api/flights/:id': { 200: json('The flight', object(['id', 'status'], { id, status: text })) },
  'GET /api/flights/:id/events': { 200: { description: 'Progress events until the flight is done or failed', content: { 'text/event-stream': { schema: text } } } },
  'GET /api/tiles/:layer/:z/:x/:y': { 200: media('The tile (empty when nothing is in it)', 'application/vnd.mapbox-vector-tile'), 304: { description: 'Not modified (ETag)', type: 'null' } },
  'GET /api/flights/:id/tiles/:asset/:z/:x/:y': {
    200: media('The tile, in the format its extension names', 'image/webp', 'image/png', 'image/jpeg'),
    204: { description: 'The tile is wholly outside the flight', type: 'null' },
    304: { description: 'Not modified (ETag)', type: 'null' },
  },
  'GET /api/flights/:id/assets/:file': {
    200: media('The Cloud Optimized GeoTIFF', 'image/tiff; application=geotiff; profile=cloud-optimized'),
    206: media('The byte ranges asked for', 'image/tiff; application=geotiff; profile=cloud-optimized'),
    307: { description: 'A presigned URL of the object (S3 raster store)', type: 'null' },
  },
  'GET /api/flights/:id/thumbnail.webp': { 200: media('A small picture of the orthophoto', 'image/webp') },
  'GET /api/candidates/:id/evidence/:flightId/:which': { 200: media('The evidence chip', 'image/webp') },
  'GET /api/exports/candidates.gpkg': { 200: media('The GeoPackage', 'application/geopackage+sqlite3') },
  'GET /api/exports/candidates.geojson': { 200: geojson('The candidates', FEATURE_COLLECTION) },
  'GET /api/exports/candidates.csv': { 200: { description: 'The candidates, UTF-8 with BOM', content: { 'text/csv': { schema: text } } } },
  'GET /api/stac': { 200: json('The STAC catalog', object(['type', 'stac_version', 'id', 'links'], { type: text, stac_version: text, id: text, links: LINKS })) },
  'GET /api/stac/conformance': { 200: json('The conformance classes', object(['conformsTo'], { conformsTo: { type: 'array', items: text } })) },
  'GET /api/stac/collections': { 200: json('The collections', object(['collections', 'links'], { collections: { type: 'array', items: { type: 'object' } }, links: LINKS })) },
  'GET /api/stac/collections/flights': { 200: json('The flights collection', object(['type', 'id', 'links'], { type: text, id: text, extent: { type: 'object' }, links: LINKS })) },
  'GET /api/stac/collections/flights/items': { 200: geojson('STAC items of the flights', FEATURE_COLLECTION) },
  'GET /api/stac/collections/flights/items/:flightId': { 200: geojson('The flight\'s STAC item', FEATURE) },
  'GET /api/villages': {
    200: json('Villages', object(['numberMatched', 'numberReturned', 'villages'], {
      numberMatched: { type: 'integer' }, numberReturned: { type: 'integer' }, villages: { type: 'array', items: object(['id', 'code', 'name'], { id, code: text, name: text }) },
    })),
  },
  'GET /api/villages/:id/assessment': { 200: json('The assessment', { type: 'object' }) },
  'GET /api/villages/:id/assessment.html': { 200: { description: 'The printable page', content: { 'text/html': { schema: text } } } },
  'GET /api/villages/:id/assessment.pdf': { 200: media('The PDF', 'application/pdf') },
  'GET /api/schedule': { 200: json('Field checks', object(['schedules'], { schedules: { type: 'array', items: { type: 'object' } } })) },
  'GET /api/overlays/:overlay': { 200: geojson('The overlay\'s features in the box', FEATURE_COLLECTION) },
  'GET /api/reports/weekly/:week': { 200: REPORT },
  'GET /api/reports/monthly/:month': { 200: REPORT },
  'GET /api/reports/quarterly/:quarter': { 200: REPORT },
  'GET /api/reports/stored': { 200: json('Stored reports, newest period first', object(['reports', 'matched'], { reports: { type: 'array', items: { type: 'object' } }, matched: { type: 'integer' } })) },
  'GET /api/reports/stored/:id': { 200: REPORT },
  'GET /api/models': { 200: json('Model versions, the one serving, promotions and adaptation jobs', object(['served', 'versions', 'promotions', 'jobs'], { served: text, versions: { type: 'array', items: { type: 'object' } }, promotions: { type: 'array', items: { type: 'object' } }, jobs: { type: 'array', items: { type: 'object' } } })) },
  'POST /api/models/adapt': { 202: json('The adaptation job is queued', object(['job'], { job: text, data: { type: 'object' } })) },
  'GET /api/models/jobs/:id': { 200: json('The job', { type: 'object' }) },
  'POST /api/models/versions/:version/promote': { 200: json('The promotion', { type: 'object' }), 409: problem('Promotion refused: the version scores worse than the one serving (send force to promote anyway)') },
  'POST /api/models/rollback': { 200: json('Rolled back', object(['from', 'to', 'message'], { from: text, to: text, message: text })), 409: problem('Nothing to roll back') },
  'GET /api/viewer-config': { 200: json('The viewer\'s settings', object(['basemap'], { basemap: { type: 'object', nullable: true } })) },
};

/** The OGC API and STAC documents whose paths are made per collection. */
export function successResponsesOf(method: string, url: string): Record<string, unknown> | undefined {
  const known = SUCCESS_RESPONSES[`${method} ${url}`];
  if (known) return known;
  if (method !== 'GET') return undefined;
  if (/^\/ogc\/collections\/[a-z]+$/.test(url)) return { 200: json('The collection', OGC_COLLECTION) };
  if (/^\/ogc\/collections\/[a-z]+\/items$/.test(url)) return { 200: geojson('A page of features', FEATURE_COLLECTION) };
  if (/^\/ogc\/collections\/[a-z]+\/items\/:featureId$/.test(url)) return { 200: geojson('The feature', FEATURE) };
  return undefined;
}
