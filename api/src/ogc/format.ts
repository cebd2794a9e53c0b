/**
 * Content negotiation of the OGC API: only JSON is served (GeoJSON for features). `f=json` asks
 * for it explicitly; otherwise the Accept header must admit some JSON, or anything.
 */

const JSON_MEDIA = new Set(['*/*', 'application/*', 'application/json', 'application/geo+json', 'application/vnd.oai.openapi+json', 'application/schema+json']);

/** null when JSON may be sent, else the status and what to ask for instead. */
export function refusedFormat(f: string | undefined, accept: string | undefined): { status: 400 | 406; detail: string } | null {
  if (f !== undefined) {
    return f === 'json' || f === 'geojson' ? null : { status: 400, detail: `f=${f} is not offered: use f=json (GeoJSON for features)` };
  }
  if (!accept?.trim()) return null;
  const admitsJson = accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return JSON_MEDIA.has(type) && (q === undefined || Number(q.slice(2)) > 0);
  });
  return admitsJson ? null : { status: 406, detail: `only JSON is served (Accept: ${accept}); ask with Accept: application/json or f=json` };
}
