/**
 * Aerial mosaics delivered as web tiles (helicopter or satellite imagery cut into an XYZ or TMS
 * pyramid): which tiles exist at the delivered zoom, and a GDAL VRT that places each one in Web
 * Mercator (EPSG:3857), so the mosaic reads like one georeferenced orthophoto. Pure: tile names
 * in, VRT XML out.
 *
 * @example
 * mosaicVrt([{ x: 109_623, y: 53_643, file: '19/109623/53643.png' }], { zoom: 19 })
 */

/** Half the Web Mercator world width, metres. */
const ORIGIN_SHIFT = 20_037_508.342789244;

export interface Tile {
  x: number;
  /** Row in the XYZ scheme (0 at the north); TMS rows are converted before. */
  y: number;
  /** Path GDAL opens, relative to the VRT or absolute. */
  file: string;
}

export interface MosaicOptions {
  zoom: number;
  /** Tile side, pixels. Default 256. */
  tileSize?: number;
  /** Whether `file` paths are relative to the VRT's folder. Default true. */
  relative?: boolean;
}

/** Ground size of a pixel at `zoom` on the equator, metres (Web Mercator units). */
export function tileResolution(zoom: number, tileSize = 256): number {
  return (2 * ORIGIN_SHIFT) / (tileSize * 2 ** zoom);
}

/** XYZ row of a TMS row (TMS counts rows from the south). */
export function tmsToXyzRow(row: number, zoom: number): number {
  return 2 ** zoom - 1 - row;
}

/** Parses `<x>/<y>.<ext>` paths under a zoom folder into tiles; other files are ignored. */
export function parseTilePaths(paths: readonly string[], scheme: 'xyz' | 'tms', zoom: number): Tile[] {
  const tiles: Tile[] = [];
  for (const file of paths) {
    const match = /(?:^|\/)(\d+)\/(\d+)\.(png|jpe?g|webp|tif)$/i.exec(file);
    if (!match) continue;
    const row = Number(match[2]);
    tiles.push({ x: Number(match[1]), y: scheme === 'tms' ? tmsToXyzRow(row, zoom) : row, file });
  }
  return tiles;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function mosaicVrt(tiles: readonly Tile[], options: MosaicOptions): string {
  if (!tiles.length) throw new Error('no tiles to mosaic');
  const { zoom, tileSize = 256, relative = true } = options;
  const minX = Math.min(...tiles.map((t) => t.x));
  const minY = Math.min(...tiles.map((t) => t.y));
  const width = (Math.max(...tiles.map((t) => t.x)) - minX + 1) * tileSize;
  const height = (Math.max(...tiles.map((t) => t.y)) - minY + 1) * tileSize;
  const resolution = tileResolution(zoom, tileSize);
  const west = -ORIGIN_SHIFT + minX * tileSize * resolution;
  const north = ORIGIN_SHIFT - minY * tileSize * resolution;
  const band = (b: number) => {
    const sources = tiles
      .map((t) => `      <SimpleSource>
        <SourceFilename relativeToVRT="${relative ? 1 : 0}">${escapeXml(t.file)}</SourceFilename>
        <SourceBand>${b}</SourceBand>
        <SrcRect xOff="0" yOff="0" xSize="${tileSize}" ySize="${tileSize}"/>
        <DstRect xOff="${(t.x - minX) * tileSize}" yOff="${(t.y - minY) * tileSize}" xSize="${tileSize}" ySize="${tileSize}"/>
      </SimpleSource>`)
      .join('\n');
    return `    <VRTRasterBand dataType="Byte" band="${b}">
      <ColorInterp>${['Red', 'Green', 'Blue'][b - 1]}</ColorInterp>
      <NoDataValue>0</NoDataValue>
${sources}
    </VRTRasterBand>`;
  };
  return `<VRTDataset rasterXSize="${width}" rasterYSize="${height}">
  <SRS dataAxisToSRSAxisMapping="1,2">EPSG:3857</SRS>
  <GeoTransform>${west.toFixed(6)}, ${resolution.toFixed(10)}, 0, ${north.toFixed(6)}, 0, ${(-resolution).toFixed(10)}</GeoTransform>
${[1, 2, 3].map(band).join('\n')}
</VRTDataset>
`;
}
