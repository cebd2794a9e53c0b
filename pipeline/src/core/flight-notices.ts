/**
 * Notices for the operator about a flight that ends "done" but whose result should not be taken
 * at face value: the sentences, and the rules that decide them. Pure: the stages give the facts.
 */

/** A window's correlation with the reference, as co-registration measured it. */
export interface WindowMatch {
  /** Height of the normalised correlation peak, 0..1. */
  peak: number;
  reference: 'earlier_orthophoto' | 'baseline_heights';
}

const REFERENCES: Record<WindowMatch['reference'], string> = {
  earlier_orthophoto: 'the earlier orthophoto of the same place',
  baseline_heights: 'the baseline building heights',
};

/**
 * The notice when a flight does not match its reference: windows were compared but none
 * correlated reliably (the drift could not be measured and is taken as zero). A sheared
 * geotransform, a south-up export whose rows were not flipped, or a flight placed elsewhere
 * looks like this; its candidates are then mostly misregistration, not new buildings. Null when
 * there was nothing to compare with, or a match was found.
 */
export function mismatchNotice(windows: readonly WindowMatch[], matched: boolean): string | null {
  if (!windows.length || matched) return null;
  const best = Math.max(...windows.map((w) => w.peak));
  return `The flight does not match ${REFERENCES[windows[0]!.reference]}: none of the ${windows.length} windows compared correlated (best ${best.toFixed(2)}). It may be sheared, mirrored (a south-up export not flipped) or placed wrongly; its candidates are unreliable. Check the export's georeference and upload it again.`;
}

/** The notice when no imported administrative area covers any of the flight: nothing was searched. */
export function outsideEveryAreaNotice(): string {
  return 'The flight lies outside every imported administrative area: nothing in it was searched for new buildings. Check its coordinate system, or import the areas it covers (cli import admin-areas).';
}
