/** Test helper: writes small vector layers in any format and CRS through GDAL. */
import gdal from '../../gdal.js';

export interface TestFeature {
  wkt: string;
  properties: Record<string, string | number>;
}

const DRIVERS = { geojson: 'GeoJSON', gpkg: 'GPKG', shp: 'ESRI Shapefile' } as const;

/** Writes `features` (coordinates already in `epsg`) to `file`; `epsg: null` writes no CRS at all. */
export function writeLayer(file: string, epsg: number | null, features: TestFeature[]): string {
  const extension = file.split('.').pop() as keyof typeof DRIVERS;
  const dataset = gdal.open(file, 'w', DRIVERS[extension]);
  const srs = epsg === null ? null : gdal.SpatialReference.fromEPSG(epsg);
  const layer = dataset.layers.create('layer', srs, gdal.wkbUnknown);
  const names = [...new Set(features.flatMap((f) => Object.keys(f.properties)))];
  for (const name of names) {
    const numeric = features.every((f) => f.properties[name] === undefined || typeof f.properties[name] === 'number');
    layer.fields.add(new gdal.FieldDefn(name, numeric ? gdal.OFTReal : gdal.OFTString));
  }
  for (const { wkt, properties } of features) {
    const feature = new gdal.Feature(layer);
    // By index: Shapefile truncates field names to 10 characters, so names may no longer match.
    names.forEach((name, index) => {
      if (properties[name] !== undefined) feature.fields.set(index, properties[name]);
    });
    feature.setGeometry(gdal.Geometry.fromWKT(wkt));
    layer.features.add(feature);
  }
  dataset.close();
  return file;
}

/** A w x h metre rectangle at (x, y) in a projected CRS, as WKT. */
export function rectangleWkt(x: number, y: number, w: number, h: number): string {
  return `POLYGON((${x} ${y},${x + w} ${y},${x + w} ${y + h},${x} ${y + h},${x} ${y}))`;
}
