/**
 * What each importable kind of layer means: which feature properties it reads, how they are
 * normalised (English or Chinese terms, dates), and the key that makes a re-import update rather
 * than duplicate. Pure functions: no I/O, so every rule is unit-tested on plain objects.
 */

export const IMPORT_KINDS = ['baseline', 'register', 'permits', 'zones', 'admin-areas'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type AttributeValue = string | number | null;

/** A feature's properties, normalised to the target table's column names. */
export interface MappedFeature {
  /** Unique within its table: a re-import with the same key updates the row. */
  key: string;
  attrs: Record<string, AttributeValue>;
}

export type MapOutcome = { ok: true; feature: MappedFeature } | { ok: false; reason: string };

export interface MapContext {
  /** Hash of the feature's geometry, the key of last resort for features without an id. */
  geometryHash: string;
  /** `--survey-date`: survey date for baseline features that carry none. */
  surveyDate?: string;
}

type Properties = Record<string, unknown>;

class PropertyError extends Error {}

// Shapefile (dBASE) field names are cut to 10 characters: survey_date arrives as survey_dat.
const SHAPEFILE_NAME_LENGTH = 10;

function pick(props: Properties, names: readonly string[]): unknown {
  for (const name of names) {
    for (const key of [name, name.slice(0, SHAPEFILE_NAME_LENGTH)]) {
      const value = props[key];
      if (value !== undefined && value !== null && value !== '') return value;
    }
  }
  return undefined;
}

function text(props: Properties, names: readonly string[], required: boolean): string | null {
  const value = pick(props, names);
  if (value === undefined) {
    if (required) throw new PropertyError(`missing property "${names[0]}"`);
    return null;
  }
  return String(value).trim();
}

function number(props: Properties, names: readonly string[], required: boolean): number | null {
  const value = pick(props, names);
  if (value === undefined) {
    if (required) throw new PropertyError(`missing property "${names[0]}"`);
    return null;
  }
  const parsed = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(parsed)) throw new PropertyError(`property "${names[0]}" is not a number: ${JSON.stringify(value)}`);
  return parsed;
}

const ISO_DATE = /^(\d{4})[-/](\d{2})[-/](\d{2})/;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Accepts 2024-05-01, 2024/05/01, full ISO timestamps, and the {year, month, day} objects GDAL
 * hands out for date fields (GeoPackage, Shapefile, and GeoJSON strings it recognises as dates).
 */
export function normaliseDate(value: unknown, name: string): string {
  if (value instanceof Date) value = value.toISOString();
  else if (typeof value === 'object' && value !== null && 'year' in value && 'month' in value && 'day' in value) {
    const { year, month, day } = value as { year: number; month: number; day: number };
    value = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  }
  const match = ISO_DATE.exec(String(value).trim());
  if (!match) throw new PropertyError(`property "${name}" is not a date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) {
    throw new PropertyError(`property "${name}" is not a calendar date: ${JSON.stringify(value)}`);
  }
  return `${y}-${m}-${d}`;
}

function date(props: Properties, names: readonly string[], required: boolean, fallback?: string): string | null {
  const value = pick(props, names) ?? fallback;
  if (value === undefined) {
    if (required) throw new PropertyError(`missing property "${names[0]}"`);
    return null;
  }
  return normaliseDate(value, names[0]!);
}

/** An enumerated property, given in English codes or in the Chinese terms users write. */
function term(props: Properties, names: readonly string[], vocabulary: Record<string, string>, required: boolean): string | null {
  const raw = text(props, names, required);
  if (raw === null) return null;
  const code = vocabulary[raw] ?? vocabulary[raw.toLowerCase()];
  if (!code) {
    const allowed = [...new Set(Object.values(vocabulary))].join(', ');
    throw new PropertyError(`property "${names[0]}" has unknown value ${JSON.stringify(raw)} (allowed: ${allowed})`);
  }
  return code;
}

function codes(...entries: Array<[code: string, ...aliases: string[]]>): Record<string, string> {
  const vocabulary: Record<string, string> = {};
  for (const [code, ...aliases] of entries) for (const name of [code, ...aliases]) vocabulary[name] = code;
  return vocabulary;
}

export const REGISTER_CATEGORIES = codes(
  ['public_service', '公共服务'],
  ['production_business_storage', '生产加工经营仓储'],
  ['facilities_equipment', '设施设备'],
  ['personal_residence', '个人居住'],
);
export const REGISTER_MEASURES = codes(['registration', '登记'], ['commitment', '承诺'], ['annotation', '注记']);
export const REGISTER_STATUSES = codes(['stock', '存量'], ['deferred', '暂缓保留'], ['demolished', '已拆除']);
export const ZONE_KINDS = codes(
  ['river_bank', '河道', '河岸'],
  ['lake_bank', '湖岸'],
  ['elevated_road', '高架', '高架道路'],
  ['railway', '铁路'],
  ['factory_warehouse', '厂房仓库'],
  ['commercial_rooftop', '商业楼顶'],
  ['historic_protected_building', '历史保护建筑'],
);
export const ADMIN_LEVELS = codes(['district', '区'], ['street', '街镇', 'town'], ['village', '居村', 'community']);

type Mapper = (props: Properties, context: MapContext) => MappedFeature;

const MAPPERS: Record<ImportKind, Mapper> = {
  baseline(props, context) {
    const ground = number(props, ['ground_elev_m', 'ground_elev'], false);
    let height = number(props, ['height_m', 'height'], false);
    if (height === null) {
      const roof = number(props, ['roof_elev_m', 'roof_elev'], false);
      if (roof === null || ground === null) {
        throw new PropertyError('missing property "height_m" (or both "roof_elev_m" and "ground_elev_m")');
      }
      height = roof - ground;
    }
    if (height < 0 || height >= 700) throw new PropertyError(`property "height_m" out of range 0..700: ${height}`);
    return {
      key: text(props, ['building_id', 'id'], false) ?? `geom:${context.geometryHash}`,
      attrs: {
        height_m: height,
        ground_elev_m: ground,
        roof_type: text(props, ['roof_type'], false),
        survey_date: date(props, ['survey_date'], true, context.surveyDate),
      },
    };
  },
  register(props) {
    return {
      key: text(props, ['register_id', 'external_id', 'id'], true)!,
      attrs: {
        category: term(props, ['category'], REGISTER_CATEGORIES, false),
        measure: term(props, ['measure'], REGISTER_MEASURES, false),
        status: term(props, ['status'], REGISTER_STATUSES, false) ?? 'stock',
        registered_on: date(props, ['registered_on'], false),
        demolished_on: date(props, ['demolished_on'], false),
        last_safety_inspection: date(props, ['last_safety_inspection'], false),
        village_code: text(props, ['village_code'], false),
        notes: text(props, ['notes'], false),
      },
    };
  },
  permits(props) {
    const validFrom = date(props, ['valid_from'], true)!;
    const validTo = date(props, ['valid_to'], true)!;
    if (validTo < validFrom) throw new PropertyError(`valid_to ${validTo} is before valid_from ${validFrom}`);
    return {
      key: text(props, ['permit_no'], true)!,
      attrs: {
        valid_from: validFrom,
        valid_to: validTo,
        holder: text(props, ['holder'], false),
        description: text(props, ['description'], false),
      },
    };
  },
  zones(props, context) {
    return {
      key: text(props, ['zone_id', 'id'], false) ?? `geom:${context.geometryHash}`,
      attrs: { kind: term(props, ['kind'], ZONE_KINDS, true), name: text(props, ['name'], false) },
    };
  },
  'admin-areas'(props) {
    return {
      key: text(props, ['code'], true)!,
      attrs: {
        level: term(props, ['level'], ADMIN_LEVELS, true),
        name: text(props, ['name'], true),
        name_en: text(props, ['name_en'], false),
        parent_code: text(props, ['parent_code'], false),
      },
    };
  },
};

/** Maps one feature's properties for `kind`, or says why the feature cannot be imported. */
export function mapFeature(kind: ImportKind, props: Properties | null, context: MapContext): MapOutcome {
  try {
    return { ok: true, feature: MAPPERS[kind](props ?? {}, context) };
  } catch (error) {
    if (error instanceof PropertyError) return { ok: false, reason: error.message };
    throw error;
  }
}

export function isImportKind(value: string): value is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(value);
}
