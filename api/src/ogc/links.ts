/**
 * Links of OGC API – Features documents. Absolute URLs, since GIS clients (GDAL, QGIS) follow
 * `next` as given; paging links keep every other query parameter of the request.
 */

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

export const GEOJSON = 'application/geo+json';
export const JSON_TYPE = 'application/json';
export const OPENAPI_JSON = 'application/vnd.oai.openapi+json;version=3.0';

/** `url` with the query parameters in `changes` set (or removed where undefined). */
export function withQuery(url: string, changes: Record<string, string | number | undefined>): string {
  const result = new URL(url);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) result.searchParams.delete(name);
    else result.searchParams.set(name, String(value));
  }
  return result.toString();
}

export interface Page {
  offset: number;
  limit: number;
  returned: number;
  matched: number;
}

/** self, and next/prev where there is such a page, for the items request at `selfUrl`. */
export function pageLinks(selfUrl: string, page: Page): Link[] {
  const links: Link[] = [{ href: selfUrl, rel: 'self', type: GEOJSON, title: 'this page' }];
  if (page.offset + page.returned < page.matched) {
    links.push({ href: withQuery(selfUrl, { offset: page.offset + page.limit, limit: page.limit }), rel: 'next', type: GEOJSON, title: 'next page' });
  }
  if (page.offset > 0) {
    links.push({ href: withQuery(selfUrl, { offset: Math.max(0, page.offset - page.limit), limit: page.limit }), rel: 'prev', type: GEOJSON, title: 'previous page' });
  }
  return links;
}
