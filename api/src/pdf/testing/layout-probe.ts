/**
 * Layout checks for printed pages, for tests: what a reader of the PDF would see wrong.
 *
 * - probeLayout: lays the page out in Chromium at the printed width with print styles and measures
 *   the boxes (cells whose text overflows or whose numbers wrap, legend entries that overlap,
 *   chart and map text outside its drawing). The page itself has no scripts; the probe runs its
 *   measurements from outside.
 * - pdfWords / pdfText: the printed PDF read back with poppler's pdftotext (Debian poppler-utils):
 *   words with their boxes per page, and the plain text (which language is on the page).
 * - pdfPagesAsPng: the pages as images (pdftoppm), for looking at them; tests write them to
 *   $LAYOUT_PNG_DIR when it is set.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** CSS px per mm. */
const PX_PER_MM = 96 / 25.4;

export interface LayoutProblems {
  /** Cells whose content is wider than the cell. */
  overflowingCells: string[];
  /** Numbers (td.num lines) broken over more than one line. */
  wrappedNumbers: string[];
  /** Pairs of legend entries (of charts and maps) whose boxes overlap. */
  overlappingLegendEntries: string[];
  /** SVG text that reaches outside its drawing (cut in print). */
  textOutsideDrawing: string[];
  /**
   * Elements reaching past the printable width: Chromium cuts them at the margin without a trace
   * in the PDF, so only the layout shows it.
   */
  widerThanPage: string[];
  /** How many chart/map text items and legend entries were measured (a probe that saw nothing proves nothing). */
  measured: { cells: number; legendEntries: number; svgTexts: number };
}

/**
 * The measurements, run in the page. A string, not a function: a bundler's helpers (esbuild's
 * __name) would otherwise travel into a page that does not have them.
 */
const MEASURE = `(() => {
      const describe = (el) => \`\${el.tagName.toLowerCase()}\${el.className && typeof el.className === 'string' ? \`.\${el.className.replace(/ /g, '.')}\` : ''} "\${(el.textContent || '').trim().slice(0, 40)}"\`;
      const overflowingCells = [];
      const wrappedNumbers = [];
      const cells = [...document.querySelectorAll('td, th')];
      for (const cell of cells) if (cell.scrollWidth > cell.clientWidth + 1) overflowingCells.push(describe(cell));
      for (const cell of document.querySelectorAll('td.num')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (!(node.textContent || '').trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) wrappedNumbers.push(describe(cell));
        }
      }
      const overlappingLegendEntries = [];
      const legends = [...document.querySelectorAll('.legend-entry')];
      const boxes = legends.map((el) => el.getBoundingClientRect());
      boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
        const overlaps = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
        if (overlaps) overlappingLegendEntries.push(\`\${describe(legends[i])} × \${describe(legends[i + 1 + j])}\`);
      }));
      const textOutsideDrawing = [];
      const svgTexts = [...document.querySelectorAll('svg text')];
      for (const text of svgTexts) {
        const svg = text.closest('svg').getBoundingClientRect();
        const box = text.getBoundingClientRect();
        if (box.left < svg.left - 0.5 || box.right > svg.right + 0.5 || box.top < svg.top - 0.5 || box.bottom > svg.bottom + 0.5) textOutsideDrawing.push(describe(text));
      }
      const widerThanPage = [...document.body.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
        .map(describe);
      return { overflowingCells, wrappedNumbers, overlappingLegendEntries, textOutsideDrawing, widerThanPage, measured: { cells: cells.length, legendEntries: legends.length, svgTexts: svgTexts.length } };
})()`;

/** The page laid out at the printable width of A4 with 12 mm margins, as it prints. */
export async function probeLayout(html: string, paper: 'A4 landscape' | 'A4 portrait'): Promise<LayoutProblems> {
  const widthMm = (paper === 'A4 landscape' ? 297 : 210) - 24;
  const browser = await chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: Math.floor(widthMm * PX_PER_MM), height: 1000 } });
    await page.route('**/*', (route) => route.abort());
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    return (await page.evaluate(MEASURE)) as LayoutProblems;
  } finally {
    await browser.close();
  }
}

export interface PdfWord {
  page: number;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  text: string;
}

export interface PdfLine {
  page: number;
  yMin: number;
  yMax: number;
  text: string;
}

async function withPdfFile<T>(pdf: Buffer, use: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lingwei-pdf-'));
  try {
    const file = path.join(dir, 'page.pdf');
    await writeFile(file, pdf);
    return await use(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Every word and line of the PDF with its box (points, origin top left), by pdftotext -bbox-layout. */
export async function pdfLayout(pdf: Buffer): Promise<{ pages: Array<{ width: number; height: number }>; words: PdfWord[]; lines: PdfLine[] }> {
  const xhtml = await withPdfFile(pdf, async (file) => (await run('pdftotext', ['-bbox-layout', file, '-'], { maxBuffer: 64 << 20 })).stdout);
  const pages: Array<{ width: number; height: number }> = [];
  const words: PdfWord[] = [];
  const lines: PdfLine[] = [];
  for (const [, size, body] of xhtml.matchAll(/<page ([^>]*)>([\s\S]*?)<\/page>/g)) {
    const attr = (name: string, from: string) => Number(new RegExp(`${name}="([\\d.]+)"`).exec(from)![1]);
    pages.push({ width: attr('width', size!), height: attr('height', size!) });
    const page = pages.length;
    for (const [, lineAttrs, lineBody] of body!.matchAll(/<line ([^>]*)>([\s\S]*?)<\/line>/g)) {
      const lineWords = [...lineBody!.matchAll(/<word ([^>]*)>([^<]*)<\/word>/g)].map(([, a, text]) => ({
        page, xMin: attr('xMin', a!), yMin: attr('yMin', a!), xMax: attr('xMax', a!), yMax: attr('yMax', a!), text: unescape(text!),
      }));
      words.push(...lineWords);
      lines.push({ page, yMin: attr('yMin', lineAttrs!), yMax: attr('yMax', lineAttrs!), text: lineWords.map((w) => w.text).join(' ') });
    }
  }
  return { pages, words, lines };
}

/** The PDF's text in reading order (pdftotext). */
export async function pdfText(pdf: Buffer): Promise<string> {
  return withPdfFile(pdf, async (file) => (await run('pdftotext', ['-enc', 'UTF-8', file, '-'], { maxBuffer: 64 << 20 })).stdout);
}

/**
 * Pairs of words printed over each other on one line: their boxes share more than `tolerance`
 * points across and their baselines agree. (pdftotext gives bold CJK words boxes two or three lines
 * tall, so boxes of words on different lines are not compared.)
 */
export function overlappingWords(words: readonly PdfWord[], tolerance = 1): string[] {
  const found: string[] = [];
  words.forEach((a, i) => {
    for (const b of words.slice(i + 1)) {
      if (a.page !== b.page || Math.abs(a.yMax - b.yMax) > 3) continue;
      if (Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin) > tolerance) found.push(`page ${a.page}: "${a.text}" × "${b.text}"`);
    }
  });
  return found;
}

/** Headings printed at the foot of their page with nothing under them: their section starts on the next one. */
export function orphanedHeadings(lines: readonly PdfLine[], headings: readonly string[]): string[] {
  return lines
    .filter((line) => headings.includes(line.text) && !lines.some((other) => other.page === line.page && other.yMin > line.yMax))
    .map((line) => `page ${line.page}: "${line.text}"`);
}

/** The pages as PNG files in `dir` (pdftoppm, 80 dpi), named `<name>-<page>.png`; returns the paths. */
export async function pdfPagesAsPng(pdf: Buffer, dir: string, name: string): Promise<string[]> {
  await withPdfFile(pdf, async (file) => run('pdftoppm', ['-r', '80', '-png', file, path.join(dir, name)]));
  return (await readdir(dir)).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort().map((f) => path.join(dir, f));
}

