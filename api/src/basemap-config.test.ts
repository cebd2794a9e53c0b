import { describe, expect, it } from 'vitest';
import { asXyzTemplate, loadBasemapConfig } from './basemap-config.js';

const TIANDITU = (layer: string) =>
  `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}&tk=KEY`;

describe('loadBasemapConfig', () => {
  it('is offline (null) when nothing is set', () => {
    expect(loadBasemapConfig({})).toBeNull();
    expect(loadBasemapConfig({ LINGWEI_BASEMAP_URL: '  ' })).toBeNull();
  });

  it('takes the documented Tianditu imagery and labels as WMTS templates over eight subdomains', () => {
    const config = loadBasemapConfig({
      LINGWEI_BASEMAP_URL: TIANDITU('img'), LINGWEI_BASEMAP_LABELS_URL: TIANDITU('cia'),
      LINGWEI_BASEMAP_SUBDOMAINS: '0,1,2,3,4,5,6,7', LINGWEI_BASEMAP_ATTRIBUTION: '© 天地图', LINGWEI_BASEMAP_MAXZOOM: '18',
    })!;
    expect(config.imagery).toHaveLength(8);
    expect(config.imagery[3]).toBe('https://t3.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=img&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY');
    expect(config.labels[0]).toContain('/cia_w/wmts?');
    expect(config.origins).toEqual(Array.from({ length: 8 }, (_, i) => `https://t${i}.tianditu.gov.cn`));
    expect(config).toMatchObject({ attribution: '© 天地图', maxzoom: 18 });
  });

  it('takes a plain XYZ template as it is', () => {
    expect(loadBasemapConfig({ LINGWEI_BASEMAP_URL: 'https://tiles.example.org/{z}/{x}/{y}.png' })).toEqual({
      imagery: ['https://tiles.example.org/{z}/{x}/{y}.png'], labels: [], attribution: null, maxzoom: 18, origins: ['https://tiles.example.org'],
    });
    expect(asXyzTemplate('https://w.example/wmts/1.0.0/img/default/w/{TileMatrix}/{TileRow}/{TileCol}.jpg')).toBe('https://w.example/wmts/1.0.0/img/default/w/{z}/{y}/{x}.jpg');
  });

  it('refuses templates and settings that cannot work, saying what to set', () => {
    expect(() => loadBasemapConfig({ LINGWEI_BASEMAP_URL: 'tiles.example.org/{z}/{x}/{y}.png' })).toThrow(/absolute URL template/);
    expect(() => loadBasemapConfig({ LINGWEI_BASEMAP_URL: 'https://tiles.example.org/tile.png' })).toThrow(/must contain \{z\}, \{x\} and \{y\}/);
    expect(() => loadBasemapConfig({ LINGWEI_BASEMAP_URL: 'ftp://tiles.example.org/{z}/{x}/{y}.png' })).toThrow(/http\(s\)/);
    expect(() => loadBasemapConfig({ LINGWEI_BASEMAP_URL: TIANDITU('img') })).toThrow(/LINGWEI_BASEMAP_SUBDOMAINS/);
    expect(() => loadBasemapConfig({ LINGWEI_BASEMAP_LABELS_URL: TIANDITU('cia') })).toThrow(/needs LINGWEI_BASEMAP_URL/);
    expect(() => loadBasemapConfig({ LINGWEI_BASEMAP_URL: 'https://t.example/{z}/{x}/{y}.png', LINGWEI_BASEMAP_MAXZOOM: '30' })).toThrow(/MAXZOOM/);
  });
});
