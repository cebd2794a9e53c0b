/** Raster I/O: GeoTIFF writing and windowed reading over gdal-async. */
export { openRaster, type RasterSource } from './open-raster.js';
export { writeGeoTiff, type GeoTransform, type RasterDataType, type RasterTypedArray, type WriteGeoTiffOptions } from './write-geotiff.js';
export { epsgCode, lonLatTransformer, isGeographicWkt, toSpatialReference, wktToProj4, type SrsInput } from './srs.js';
export { polygoniseClasses, type ClassPolygon } from './polygonise.js';
export { deleteVrt, mosaicOfGeoTiffs, translateToVrt, warpToVrt } from './virtual-raster.js';
export { readColourSample, validPixelPolygons, type FootprintSource } from './reduced-look.js';
export { renameGeoTiff, renameGeoTiffDroppingAux } from './rename-geotiff.js';
export { createBlockWriter, type BlockWriter, type BlockWriterOptions } from './block-writer.js';
export { scanBand, type ScannedBand } from './scan-band.js';
export { readCogLayout, type CogLayout } from './cog-layout.js';
export { readDownsampled, type DownsampledRead } from './read-downsampled.js';
export { extentIn, readBandDeclarations, warpOntoGrid, type BandDeclaration, type WarpGrid } from './warp-window.js';
export { writeGeoPackage, type FieldType, type GeoPackageFeature } from './write-geopackage.js';
export { paletteGreys } from './palette.js';
