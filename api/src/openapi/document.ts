/**
 * The OpenAPI document at /docs/json, as @fastify/swagger builds it from the routes' schemas, made
 * complete where a route's schema cannot say it: how to authenticate (bearer token, HTTP Basic
 * with a token, the viewer's cookie) and which routes need it (a route's `config.roles`), the
 * problem+json errors every route may answer, what each answers on success (responses.ts), and an
 * operationId for each operation. These are
 * added to the document only: they never change how a request is validated or a reply serialised.
 * api/src/openapi/openapi-lint.test.ts lints the result with Redocly and Spectral.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { MAX_LIMIT as OGC_MAX_LIMIT } from '../routes/ogc-items-routes.js';
import { problem, successResponsesOf } from './responses.js';

type Schema = Record<string, unknown>;

export const SECURITY_SCHEMES = {
  bearerToken: {
    type: 'http', scheme: 'bearer',
    description: 'An API token from POST /api/tokens: `Authorization: Bearer <token>`.',
  },
  basicToken: {
    type: 'http', scheme: 'basic',
    description: 'HTTP Basic with your user name and an API token as the password, for GIS clients without custom headers (QGIS "Basic", GDAL_HTTP_AUTH=BASIC). '
      + 'At POST /api/tokens the password itself is taken too, slowed down after failures as a login is.',
  },
  sessionCookie: {
    type: 'apiKey', in: 'cookie', name: 'lingwei_session',
    description: 'The viewer\'s session cookie, set by POST /api/login.',
  },
} as const;

/** Any one of the schemes will do. */
const LOGGED_IN = Object.keys(SECURITY_SCHEMES).map((scheme) => ({ [scheme]: [] }));

export const TAGS = [
  { name: 'accounts', description: 'Logging in, API tokens, sessions' },
  { name: 'candidates', description: 'Candidate illegal buildings (疑似违建图斑) and their evidence' },
  { name: 'review', description: 'Reviewers\' decisions and the field-check schedule' },
  { name: 'flights', description: 'Drone flights: upload, progress, rasters (tiles, COGs)' },
  { name: 'uploads', description: 'Resumable uploads of flight rasters (tus 1.0)' },
  { name: 'tiles', description: 'Vector tiles and map overlays' },
  { name: 'ogc', description: 'OGC API – Features (candidates, register, villages)' },
  { name: 'stac', description: 'STAC catalog of the flights' },
  { name: 'exports', description: 'Candidates as GeoPackage, GeoJSON, CSV' },
  { name: 'villages', description: 'Village assessments (零违村 verdicts)' },
  { name: 'reports', description: 'Weekly, monthly and quarterly reports and bulletins' },
  { name: 'models', description: 'Detection model versions and adaptation jobs' },
  { name: 'viewer', description: 'The web viewer\'s settings' },
];


/** The errors a route may answer, from what it declares: input (400), roles (401, 403), path parameters (404). */
function errorResponses(schema: Schema, route: RouteOptions): Record<string, unknown> {
  const roles = route.config?.roles;
  const hasInput = ['params', 'querystring', 'body', 'headers'].some((part) => schema[part] !== undefined);
  return {
    ...(hasInput ? { 400: problem('The request is not valid: the detail names the parameter and what it must be') } : {}),
    ...(roles ? {
      401: problem('Not logged in: no credentials, or a token that is unknown or has expired (WWW-Authenticate names Basic and Bearer)'),
      403: problem(`Not allowed: needs the role ${[...roles, 'admin'].join(' or ')}`),
    } : {}),
    ...(route.url.includes(':') ? { 404: problem('No such resource') } : {}),
  };
}

/** Who may use a route, from its `config.roles`: said in each operation's description. */
function whoMay(roles: readonly string[] | undefined): string {
  if (!roles) return 'Public: no credentials needed.';
  return roles.length ? `Roles: ${roles.join(', ')} (and admin).` : 'Role: admin.';
}

/** Per route: its security (none for a public route) and its error responses beside the declared ones. */
function describeRoute({ schema = {}, url, route }: { schema?: Schema; url: string; route: RouteOptions }): { schema: Schema; url: string } {
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const declaresSuccess = Object.keys(declared).some((status) => /^(2|3)/.test(status) || status === 'default');
  const documented = typeof route.method === 'string' ? successResponsesOf(route.method, url) : undefined;
  return {
    url,
    schema: {
      ...schema,
      description: [schema.description, whoMay(route.config?.roles)].filter(Boolean).join('\n\n'),
      security: route.config?.roles ? LOGGED_IN : [],
      response: {
        ...(declaresSuccess ? {} : documented ?? { 200: { description: 'Success', type: 'null' } }),
        ...errorResponses(schema, route),
        ...declared,
      },
    },
  };
}

/** `get /api/flights/{id}/events` -> getFlightsByIdEvents: stable, unique per method and path. */
export function operationIdOf(method: string, path: string): string {
  const words = path.split('/').filter((segment) => segment && segment !== 'api')
    .flatMap((segment) => (segment.startsWith('{') ? ['by', segment.slice(1, -1)] : segment.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return [method, ...words].map((word, i) => (i === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1))).join('');
}

interface Parameter { in: string; name: string; schema?: Schema; description?: string; style?: string; explode?: boolean }
type Operation = { operationId?: string; parameters?: Parameter[] };

/**
 * Whole-document conventions: each `bbox` is west,south,east,north, written as OpenAPI's form
 * style without explode (what the routes parse from their text); OGC API's `limit` has its
 * maximum (a larger one is taken as the maximum, as OGC API – Features requires, so the route's
 * schema cannot refuse it); every operation has an id.
 */
function describeDocument(document: { paths?: Record<string, Record<string, Operation>> }): typeof document {
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, shared] of Object.entries(operations)) {
      // A route of several methods (tus: HEAD, PATCH, DELETE) gives them one operation object.
      const operation = { ...shared, operationId: shared.operationId ?? operationIdOf(method, path) };
      operations[method] = operation;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && parameter.name === 'bbox') {
          parameter.style = 'form';
          parameter.explode = false;
          parameter.schema = { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } };
          parameter.description ??= 'west,south,east,north in degrees (WGS 84 longitude, latitude)';
        }
        if (parameter.in === 'query' && parameter.name === 'limit' && path.startsWith('/ogc/') && parameter.schema) {
          parameter.schema.maximum ??= OGC_MAX_LIMIT;
        }
      }
    }
  }
  return document;
}

/** The options @fastify/swagger is registered with; `publicBaseUrl` is the one server. */
export function openapiOptions(publicBaseUrl: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Lingwei (零违) API',
        version: '0.1.0',
        description: 'Finds new illegal buildings in drone flights and carries each from detection to demolition. '
          + 'Errors are application/problem+json. Log in with POST /api/login (cookie) or use an API token (POST /api/tokens) as Bearer or as HTTP Basic password.',
        contact: { name: 'Lingwei', url: `${publicBaseUrl}/docs` },
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      servers: [{ url: publicBaseUrl, description: 'this server (PUBLIC_BASE_URL)' }],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: LOGGED_IN,
      tags: TAGS,
    },
    transform: ({ schema, url, route }) => describeRoute({ schema: schema as Schema | undefined, url, route }),
    transformObject: (documentObject) => describeDocument((documentObject as { openapiObject: Parameters<typeof describeDocument>[0] }).openapiObject) as never,
  };
}
