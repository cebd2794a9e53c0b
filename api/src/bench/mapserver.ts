/**
 * MapServer 8 from Debian (cgi-mapserver) as the bench's reference vector tile server: a mapfile
 * with one MVT layer per table, requested as CGI (one process per request, as Apache runs it),
 * so the figures are those a stock MapServer deployment gives on the same PostGIS table.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const MAPSERV = '/usr/bin/mapserv';

export interface MapServerSetup {
  mapfile: string;
  configFile: string;
  /** The content type its tiles come in. */
  contentType: string;
}

/** MapServer 8 refuses mapfiles outside the folders its config file allows. */
function writeConfig(configFile: string, dir: string): void {
  fs.writeFileSync(configFile, `CONFIG\n  ENV\n    MS_MAP_PATTERN "^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/"\n  END\nEND\n`);
}

/** Writes the mapfile and MapServer's config file (which must allow the mapfile's folder) into `dir`. */
export function writeMapServerFiles(dir: string, databaseUrl: string): MapServerSetup {
  const url = new URL(databaseUrl);
  const connection = `host=${url.hostname} port=${url.port || 5432} dbname=${url.pathname.slice(1)} user=${decodeURIComponent(url.username)} password=${decodeURIComponent(url.password)}`;
  fs.mkdirSync(dir, { recursive: true });
  const mapfile = path.join(dir, 'lingwei.map');
  const configFile = path.join(dir, 'mapserver.conf');
  const layer = (name: string, table: string, geom: string, columns: string) => `
  LAYER
    NAME "${name}"
    TYPE POLYGON
    STATUS ON
    CONNECTIONTYPE POSTGIS
    CONNECTION "${connection}"
    DATA "${geom} from (select ${columns}, ${geom} from ${table}) as t using unique id using srid=4326"
    PROJECTION "init=epsg:4326" END
    METADATA "gml_include_items" "all" "gml_types" "auto" END
  END`;
  fs.writeFileSync(mapfile, `MAP
  NAME "lingwei"
  EXTENT -20037508.34 -20037508.34 20037508.34 20037508.34
  SIZE 256 256
  IMAGETYPE "mvt"
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT
    NAME "mvt"
    DRIVER MVT
    FORMATOPTION "EXTENT=4096"
    FORMATOPTION "EDGE_BUFFER=64"
  END
${layer('candidates', 'candidate', 'geom', 'id, status, change_type, priority, round(area_m2) as area_m2, version')}
${layer('baseline', 'baseline_building', 'footprint', 'id, height_m')}
END
`);
  writeConfig(configFile, dir);
  return { mapfile, configFile, contentType: 'vector-tile' };
}

/** A second mapfile in `dir` drawing one raster (a COG) as 256 px PNG tiles, resampled bilinearly. */
export function writeMapServerRasterFiles(dir: string, raster: string): MapServerSetup {
  fs.mkdirSync(dir, { recursive: true });
  const mapfile = path.join(dir, 'raster.map');
  const configFile = path.join(dir, 'mapserver.conf');
  fs.writeFileSync(mapfile, `MAP
  NAME "raster"
  EXTENT -20037508.34 -20037508.34 20037508.34 20037508.34
  SIZE 256 256
  IMAGETYPE "png"
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT
    NAME "png"
    DRIVER AGG/PNG
    MIMETYPE "image/png"
    IMAGEMODE RGBA
    EXTENSION "png"
    TRANSPARENT ON
  END
  LAYER
    NAME "ortho"
    TYPE RASTER
    STATUS ON
    DATA "${raster}"
    PROJECTION AUTO END
    PROCESSING "RESAMPLE=BILINEAR"
  END
END
`);
  writeConfig(configFile, dir);
  return { mapfile, configFile, contentType: 'image/png' };
}

/** One tile from MapServer as CGI; resolves to the tile's bytes, rejects on a MapServer error page. */
export function mapServerTile(setup: MapServerSetup, layer: string, z: number, x: number, y: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(MAPSERV, [], {
      env: {
        MAPSERVER_CONFIG_FILE: setup.configFile,
        REQUEST_METHOD: 'GET',
        QUERY_STRING: `map=${setup.mapfile}&mode=tile&tilemode=gmap&tile=${x}+${y}+${z}&layers=${layer}`,
      },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', () => {
      const output = Buffer.concat(chunks);
      const bodyStart = output.indexOf('\r\n\r\n');
      const head = output.subarray(0, Math.max(bodyStart, 0)).toString();
      if (bodyStart < 0 || !head.includes(setup.contentType)) {
        reject(new Error(`MapServer did not return ${setup.contentType}: ${output.toString().replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`));
      } else {
        resolve(output.subarray(bodyStart + 4));
      }
    });
  });
}
