/**
 * Text into HTML, SVG or XML (element content or a quoted attribute): the five characters that
 * could end or open markup become character references. One escaper for every page and chart the
 * API writes.
 */
export function escapeMarkup(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => MARKUP_REFERENCES[c]!);
}

const MARKUP_REFERENCES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
