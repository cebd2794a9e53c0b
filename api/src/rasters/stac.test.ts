import { describe, expect, it } from 'vitest';
import type { StacFlightRow } from '#db/sql/flights.js';
import { flightItem, flightItemCollection, flightsCollection } from './stac.js';

/** The parts of an item the tests look into. */
type Item = { links: unknown; geometry: unknown; properties: unknown };

const BASE = 'https://lingwei.example/api';
const FLIGHT: StacFlightRow = {
  id: '7', status: 'done', captured_at: new Date('2026-10-15T05:44:00Z'), created_at: new Date('2026-10-16T00:00:00Z'),
  updated_at: new Date('2026-10-16T01:00:00Z'), operator: '张三', gsd_m: 0.1,
  footprint: '{"type":"MultiPolygon","coordinates":[[[[121.1,31.1],[121.2,31.1],[121.2,31.2],[121.1,31.1]]]]}',
  bbox: [121.1, 31.1, 121.2, 31.2],
  cogs: [{ kind: 'orthophoto', bytes: 1000, width: 2000, height: 1500, crs: 'EPSG:32651' }],
};

describe('STAC documents', () => {
  it('describe a flight as an item with its COG, its tiles and absolute links', () => {
    const item = flightItem(BASE, FLIGHT) as Item;
    expect(item).toMatchObject({
      type: 'Feature', stac_version: '1.0.0', id: '7', collection: 'flights', bbox: [121.1, 31.1, 121.2, 31.2],
      properties: { datetime: '2026-10-15T05:44:00.000Z', gsd: 0.1, operator: '张三', 'proj:epsg': 32651, 'lingwei:status': 'done' },
      assets: {
        orthophoto: {
          href: 'https://lingwei.example/api/flights/7/assets/ortho.tif', type: 'image/tiff; application=geotiff; profile=cloud-optimized',
          roles: ['data'], 'proj:shape': [1500, 2000], 'proj:epsg': 32651,
        },
      },
    });
    expect(item.links).toEqual([
      { rel: 'self', href: 'https://lingwei.example/api/stac/collections/flights/items/7', type: 'application/geo+json' },
      { rel: 'root', href: 'https://lingwei.example/api/stac', type: 'application/json' },
      { rel: 'parent', href: 'https://lingwei.example/api/stac/collections/flights', type: 'application/json' },
      { rel: 'collection', href: 'https://lingwei.example/api/stac/collections/flights', type: 'application/json' },
      { rel: 'xyz', href: 'https://lingwei.example/api/flights/7/tiles/ortho/{z}/{x}/{y}.webp', type: 'image/webp', title: 'Orthophoto (正射影像)' },
    ]);
  });

  it('fall back to the intake time, and leave out the bbox, for a flight without capture time or footprint', () => {
    const item = flightItem(BASE, { ...FLIGHT, captured_at: null, footprint: null, bbox: null }) as Item;
    expect(item.geometry).toBeNull();
    expect(item).not.toHaveProperty('bbox');
    expect(item.properties).toMatchObject({ datetime: '2026-10-16T00:00:00.000Z', 'lingwei:datetime_is_intake': true });
  });

  it('give an empty collection a whole-world, open extent, and page items with a next link', () => {
    expect(flightsCollection(BASE, { bbox: null, start: null, end: null })).toMatchObject({
      extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } },
    });
    const page = flightItemCollection(BASE, [FLIGHT], { limit: 1, offset: 0, matched: 3 }) as { links: Array<{ rel: string; href: string }> };
    expect(page.links.find((l) => l.rel === 'next')?.href).toBe('https://lingwei.example/api/stac/collections/flights/items?limit=1&offset=1');
  });
});
