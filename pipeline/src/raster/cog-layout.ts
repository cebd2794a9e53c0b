/** What a GeoTIFF says of its own layout: whether it is a COG, and what its bands declare. */
import gdal from '../gdal.js';

export interface CogLayout {
  /** GDAL's IMAGE_STRUCTURE LAYOUT is COG (a file written as a Cloud Optimized GeoTIFF). */
  isCog: boolean;
  /** Overviews of band 1. */
  overviewCount: number;
  /** Band 1's scale factor and offset (1 and 0 when it declares none). */
  scale: number;
  offset: number;
  /** Band 4's colour interpretation ("Alpha"...), or null when there is no band 4. */
  band4Interpretation: string | null;
}

export function readCogLayout(path: string): CogLayout {
  const dataset = gdal.open(path);
  try {
    const band = dataset.bands.get(1);
    return {
      isCog: dataset.getMetadata('IMAGE_STRUCTURE').LAYOUT === 'COG',
      overviewCount: band.overviews.count(),
      scale: band.scale ?? 1,
      offset: band.offset ?? 0,
      band4Interpretation: dataset.bands.count() >= 4 ? dataset.bands.get(4).colorInterpretation : null,
    };
  } finally {
    dataset.close();
  }
}
