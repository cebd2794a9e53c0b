/**
 * What kind of change a detected piece is, judged against the baseline buildings around it:
 * a new structure, an extension that grows a building sideways, a rooftop addition, a whole
 * added floor, or a demolition. Pure: GeoJSON in lon/lat in, a decision out.
 *
 * @example
 * classifyChange({ geometry, kind: 'new', heightGainM: 3 }, [{ id: 'B1', geometry: house, heightM: 6 }])
 * // => { changeType: 'added_floor', parentBuildingId: 'B1', overlapWithBaseline: 0.97 }
 */
import { area, booleanIntersects, buffer, feature, featureCollection, intersect } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { ChangeType } from './vocabulary.js';

export type Areal = Polygon | MultiPolygon;

export interface DetectedChange {
  geometry: Areal;
  /** 'new': something built or grown; 'demolished': something gone. */
  kind: 'new' | 'demolished';
  /** Median height gained over the piece, metres (surface model minus baseline), if known. */
  heightGainM?: number | null;
}

export interface BaselineNeighbour {
  id: string;
  geometry: Areal;
  heightM: number;
}

export interface ClassifyOptions {
  /** Share of the piece over baseline roofs above which it is a rooftop change. Default 0.6. */
  rooftopOverlap?: number;
  /** Share of the parent roof a rooftop change must cover to count as an added floor. Default 0.7. */
  addedFloorCover?: number;
  /** Height gain from which a rooftop change covering the roof is a whole storey, m. Default 2.2. */
  storeyHeightM?: number;
  /** A piece within this distance of a baseline building extends it, metres. Default 1.0. */
  extensionGapM?: number;
}

export interface Classification {
  changeType: ChangeType;
  /** The baseline building the change belongs to (grown, topped or demolished), if any. */
  parentBuildingId: string | null;
  /** Share of the piece's area over baseline footprints, 0..1. */
  overlapWithBaseline: number;
}

function overlapArea(a: Areal, b: Areal): number {
  const shared = intersect(featureCollection([feature(a), feature(b)]) as never) as Feature<Areal> | null;
  return shared ? area(shared) : 0;
}

export function classifyChange(change: DetectedChange, neighbours: BaselineNeighbour[], options: ClassifyOptions = {}): Classification {
  const { rooftopOverlap = 0.6, addedFloorCover = 0.7, storeyHeightM = 2.2, extensionGapM = 1.0 } = options;
  const pieceArea = area(feature(change.geometry));
  const overlaps = neighbours
    .map((building) => ({ building, shared: overlapArea(change.geometry, building.geometry) }))
    .filter((o) => o.shared > 0)
    .sort((a, b) => b.shared - a.shared);
  const overlapWithBaseline = pieceArea > 0 ? Math.min(1, overlaps.reduce((sum, o) => sum + o.shared, 0) / pieceArea) : 0;
  const main = overlaps[0];

  if (change.kind === 'demolished') {
    return { changeType: 'demolished', parentBuildingId: main?.building.id ?? null, overlapWithBaseline };
  }
  if (main && overlapWithBaseline >= rooftopOverlap) {
    const roofCovered = main.shared / area(feature(main.building.geometry));
    const wholeStorey = roofCovered >= addedFloorCover && (change.heightGainM ?? 0) >= storeyHeightM;
    return { changeType: wholeStorey ? 'added_floor' : 'rooftop_addition', parentBuildingId: main.building.id, overlapWithBaseline };
  }
  const near = buffer(feature(change.geometry), extensionGapM, { units: 'meters' });
  const attached = neighbours.find((building) => near && booleanIntersects(near, feature(building.geometry)));
  if (attached) return { changeType: 'extension', parentBuildingId: attached.id, overlapWithBaseline };
  return { changeType: 'new_structure', parentBuildingId: null, overlapWithBaseline };
}
