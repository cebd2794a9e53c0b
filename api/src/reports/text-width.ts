/**
 * How wide a line of text will print, estimated without a browser: SVG charts and maps place
 * labels before any font is at hand. The estimate errs wide (CJK characters a full em, capitals
 * 0.75 em, other Latin letters and digits 0.6 em), so a label laid out by it never runs into its
 * neighbour in any of the fonts of CHART_FONT_FAMILY. Pure.
 *
 * @example
 * textWidth('华新镇 3', 12) // => 43.2 (three ems, a space, a digit)
 */

/** The fonts every page and chart asks for, in order: the CJK fonts setup installs come first. */
export const CHART_FONT_FAMILY = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";

function charWidth(c: string): number {
  const code = c.codePointAt(0)!;
  if (code >= 0x2e80) return 1;
  if (c === ' ') return 0.3;
  if (/[A-Z]/.test(c)) return 0.75;
  if (/[a-z0-9²]/.test(c)) return 0.6;
  return 0.45;
}

/** The estimated width of `text` at `fontSize` px. */
export function textWidth(text: string, fontSize: number): number {
  let ems = 0;
  for (const c of text) ems += charWidth(c);
  return Math.round(ems * fontSize * 10) / 10;
}
