/**
 * GDAL's block cache for the worker and its GDAL children, in MB. GDAL's default is 5% of RAM
 * (1.2 GB here); a worker's memory must not depend on the machine or the flight, so it is bounded
 * (override with the GDAL_CACHEMAX environment variable).
 *
 * 64 MB (issue 20): 1 km² at 3 cm, one run each in turn, peaked at 916 MiB with the GDAL
 * children against 995 MiB at 128 MB, for the same CPU (COG job 60.4 against 62.2 CPU s, ingest
 * 21.1 against 21.8, detection 8.3 against 8.2): windows are read per block and the COG is
 * written in one pass, so a larger cache buys nothing. (128 MB had been chosen at 10 cm against
 * 256 MB: as fast, 946 instead of 1,133 MiB.)
 */
export const GDAL_CACHE_MB = process.env.GDAL_CACHEMAX || '64';
