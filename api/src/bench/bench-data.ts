/**
 * The API bench's data: BENCH_CANDIDATES candidates and BENCH_BUILDINGS baseline buildings
 * (1,000,000 each by default) generated inside PostgreSQL into a scratch database, clustered in
 * 3,000 villages over a 30 km x 30 km district south of central Shanghai, as a district's
 * buildings are. Deterministic: positions come from md5 of the row number, not from random().
 */
import type pg from 'pg';

/** The district's south-west corner and size, degrees (30 km at 31°N). */
export const BENCH_AREA = { west: 121.3, south: 30.95, widthDeg: 0.3155, heightDeg: 0.2705 } as const;
const VILLAGES = 3000;
/** Half the side of a village's square, degrees (about 500 m). */
const VILLAGE_HALF_DEG = 0.005;

/** A deterministic number in [0, 1) from a row number and a salt, in SQL. */
const unit = (expr: string, salt: string) => `(('x' || substr(md5(${expr}::text || '${salt}'), 1, 8))::bit(32)::bigint / 4294967296.0)`;

/** SQL for the point around which row `i` lies: its village's centre plus an offset inside the village. */
function scatter(salt: string): { lon: string; lat: string } {
  const village = `(i % ${VILLAGES})`;
  return {
    lon: `${BENCH_AREA.west} + ${unit(village, 'vx')} * ${BENCH_AREA.widthDeg} + (${unit('i', `${salt}x`)} - 0.5) * ${2 * VILLAGE_HALF_DEG}`,
    lat: `${BENCH_AREA.south} + ${unit(village, 'vy')} * ${BENCH_AREA.heightDeg} + (${unit('i', `${salt}y`)} - 0.5) * ${2 * VILLAGE_HALF_DEG}`,
  };
}

/** Rectangles of 6-20 m by 6-16 m (at 31°N one metre is 1/95,300° of longitude, 1/110,900° of latitude). */
function rectangle(salt: string): string {
  const { lon, lat } = scatter(salt);
  const w = `((6 + ${unit('i', `${salt}w`)} * 14) / 95300.0)`;
  const h = `((6 + ${unit('i', `${salt}h`)} * 10) / 110900.0)`;
  return `ST_Multi(ST_MakeEnvelope(${lon}, ${lat}, ${lon} + ${w}, ${lat} + ${h}, 4326))`;
}

const STATUSES = ['pending', 'pending', 'pending', 'verified', 'rejected', 'scheduled', 'demolished', 'permitted', 'in_register'];
const TYPES = ['new_structure', 'new_structure', 'extension', 'rooftop_addition', 'added_floor'];

export async function fillBenchData(db: pg.Pool, counts: { candidates: number; buildings: number }): Promise<void> {
  await db.query(
    `INSERT INTO baseline_building (source, source_key, footprint, height_m, survey_date, area_m2)
     SELECT 'bench', i::text, g, 3 + floor(${unit('i', 'bz')} * 4) * 3, DATE '2024-06-30', lw_area_m2(g)
       FROM (SELECT i, ${rectangle('b')} AS g FROM generate_series(1, $1::int) AS i) s`,
    [counts.buildings],
  );
  await db.query(
    `INSERT INTO candidate (geom, change_type, status, priority, area_m2, height_gain_m, score, first_seen_at, last_seen_at)
     SELECT g, (ARRAY[${TYPES.map((t) => `'${t}'`).join(',')}])[1 + floor(${unit('i', 'ct')} * ${TYPES.length})::int],
            (ARRAY[${STATUSES.map((s) => `'${s}'`).join(',')}])[1 + floor(${unit('i', 'cs')} * ${STATUSES.length})::int],
            floor(${unit('i', 'cp')} * 100)::int, lw_area_m2(g), 2.5 + ${unit('i', 'cz')} * 6, 0.5 + ${unit('i', 'cc')} * 0.5,
            TIMESTAMPTZ '2026-01-05' + floor(${unit('i', 'cd')} * 300) * interval '1 day',
            TIMESTAMPTZ '2026-11-16'
       FROM (SELECT i, ${rectangle('c')} AS g FROM generate_series(1, $1::int) AS i) s`,
    [counts.candidates],
  );
  await db.query('ANALYZE candidate; ANALYZE baseline_building');
}
