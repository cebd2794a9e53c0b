/**
 * The viewer's optional online basemap, read from the environment (pure: the environment is passed
 * in). Offline by default: with nothing set the viewer requests nothing outside the API. An XYZ
 * template ({z}/{x}/{y}) or a WMTS GetTile template in the Web Mercator tile matrix set (KVP or
 * RESTful, {TileMatrix}/{TileRow}/{TileCol}) for the imagery, optionally a second one for labels
 * drawn above the flights' orthophotos (Tianditu's img_w + cia_w is the documented example), `{s}`
 * spread over LINGWEI_BASEMAP_SUBDOMAINS. Served to the viewer by GET /api/viewer-config; the
 * viewer's Content-Security-Policy admits exactly these origins.
 */

export interface BasemapConfig {
  /** Tile URL templates of the imagery, {z}/{x}/{y} (one per subdomain). */
  imagery: string[];
  /** Tile URL templates of the labels layer, drawn over the flights' imagery; empty: none. */
  labels: string[];
  /** Shown in the map's corner, as the provider's terms ask (e.g. "© 天地图"). */
  attribution: string | null;
  /** The provider's deepest zoom; the map scales its tiles beyond it. */
  maxzoom: number;
  /** Every origin the templates reach (for the Content-Security-Policy). */
  origins: string[];
}

const WMTS_NAMES: Record<string, string> = { tilematrix: '{z}', tilerow: '{y}', tilecol: '{x}' };

/** A template with WMTS placeholders ({TileMatrix}, {TileRow}, {TileCol}, any case) as {z}/{y}/{x}. */
export function asXyzTemplate(template: string): string {
  return template.replace(/\{(TileMatrix|TileRow|TileCol)\}/gi, (_whole, name: string) => WMTS_NAMES[name.toLowerCase()]!);
}

function templates(name: string, raw: string, subdomains: string[]): string[] {
  const xyz = asXyzTemplate(raw.trim());
  const example = 'https://tiles.example/{z}/{x}/{y}.png, or a WMTS GetTile URL with {TileMatrix}, {TileRow} and {TileCol}';
  let url: URL;
  try {
    url = new URL(xyz.replace(/\{[a-z]+\}/gi, '0'));
  } catch {
    throw new Error(`${name} must be an absolute URL template such as ${example}, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  if (!['{z}', '{x}', '{y}'].every((token) => xyz.includes(token))) throw new Error(`${name} must contain {z}, {x} and {y} (or {TileMatrix}, {TileCol} and {TileRow}); such as ${example}, got ${JSON.stringify(raw)}`);
  if (xyz.includes('{s}') && !subdomains.length) throw new Error(`${name} has {s}: set LINGWEI_BASEMAP_SUBDOMAINS too, e.g. 0,1,2,3,4,5,6,7`);
  return xyz.includes('{s}') ? subdomains.map((s) => xyz.replaceAll('{s}', s)) : [xyz];
}

const originOf = (template: string) => new URL(template.replace(/\{[a-z]+\}/gi, '0')).origin;

/** The basemap the environment configures, or null (offline). */
export function loadBasemapConfig(env: NodeJS.ProcessEnv = process.env): BasemapConfig | null {
  const raw = env.LINGWEI_BASEMAP_URL?.trim();
  if (!raw) {
    if (env.LINGWEI_BASEMAP_LABELS_URL?.trim()) throw new Error('LINGWEI_BASEMAP_LABELS_URL needs LINGWEI_BASEMAP_URL (the imagery under the labels)');
    return null;
  }
  const subdomains = (env.LINGWEI_BASEMAP_SUBDOMAINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const imagery = templates('LINGWEI_BASEMAP_URL', raw, subdomains);
  const labels = env.LINGWEI_BASEMAP_LABELS_URL?.trim() ? templates('LINGWEI_BASEMAP_LABELS_URL', env.LINGWEI_BASEMAP_LABELS_URL, subdomains) : [];
  const maxzoomRaw = env.LINGWEI_BASEMAP_MAXZOOM?.trim();
  const maxzoom = maxzoomRaw ? Number(maxzoomRaw) : 18;
  if (!Number.isInteger(maxzoom) || maxzoom < 1 || maxzoom > 24) throw new Error(`LINGWEI_BASEMAP_MAXZOOM must be a whole number from 1 to 24, got ${JSON.stringify(maxzoomRaw)}`);
  return {
    imagery,
    labels,
    attribution: env.LINGWEI_BASEMAP_ATTRIBUTION?.trim() || null,
    maxzoom,
    origins: [...new Set([...imagery, ...labels].map(originOf))],
  };
}
