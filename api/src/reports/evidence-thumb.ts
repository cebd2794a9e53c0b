/**
 * An evidence chip as a printed thumbnail: the image inline (a data URL, so the PDF needs no
 * request) with its caption, or a "no image" box. The bulletin's key cases and the village
 * assessment's blocking items print them alike.
 */
import type { CaseEvidence } from '#db/sql/evidence-chips.js';

export function evidenceThumb(chip: CaseEvidence['before'], caption: string, noImage: string): string {
  const image = chip ? `<img src="data:${chip.mediaType};base64,${chip.image.toString('base64')}" alt="">` : `<div class="no-image">${noImage}</div>`;
  return `<figure class="thumb">${image}<figcaption>${caption}</figcaption></figure>`;
}
