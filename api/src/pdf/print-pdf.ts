/**
 * Prints self-contained HTML pages (village assessments, reports) to PDF with Debian's Chromium
 * through playwright-core. One browser is started on first use and kept: starting Chromium costs
 * about a second, a page a few tens of milliseconds. Each print gets its own context with
 * JavaScript off and the network refused, so a page can load nothing from outside and one print
 * cannot see another's. A browser that crashed or was closed is started again on the next print;
 * call closePdfPrinter() when the process or app shuts down.
 *
 * @example
 * const pdf = await printPdf('<!doctype html><html><body><h1>周报 Weekly report</h1></body></html>');
 * // pdf.subarray(0, 4).toString() === '%PDF'
 */
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's chromium package installs the browser; CHROMIUM_PATH overrides it. */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run',
];
/** Prints running at once; more wait their turn (each page holds tens of MB in the browser). */
const MAX_PARALLEL_PRINTS = 2;
/** A page that takes longer than this to lay out or print is abandoned, ms. */
const PRINT_TIMEOUT_MS = 30_000;

export interface PrintOptions {
  /** Paper size. Default A4. */
  format?: 'A4' | 'A3' | 'Letter';
  /** Landscape instead of portrait. Default false. */
  landscape?: boolean;
  /** Page numbers at the foot of every page, in the page's language: 第 1 页 / 共 3 页, or Page 1 of 3. Default none. */
  pageNumbers?: 'zh' | 'en';
}

/** Chromium fills the spans; the footer has its own tiny default font size, so it sets one. */
const PAGE_NUMBER_FOOTERS = {
  zh: '第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页',
  en: 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>',
};
const footerTemplate = (lang: 'zh' | 'en') =>
  `<div style="width: 100%; text-align: center; font-size: 8px; color: #4b5563; font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif;">${PAGE_NUMBER_FOOTERS[lang]}</div>`;

/** Raised when Chromium cannot be started: the caller answers 503, not 500. */
export class PdfPrinterUnavailable extends Error {}

let browser: Promise<Browser> | null = null;
let running = 0;
const waiting: Array<() => void> = [];

function startedBrowser(): Promise<Browser> {
  if (browser) return browser;
  const starting = chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ARGS, timeout: PRINT_TIMEOUT_MS })
    .then((started) => {
      // A crash (or someone closing it) must not leave a dead browser for the next print.
      started.on('disconnected', () => {
        if (browser === starting) browser = null;
      });
      return started;
    })
    .catch((error: unknown) => {
      if (browser === starting) browser = null;
      throw new PdfPrinterUnavailable(`Chromium could not be started from ${EXECUTABLE}: ${error instanceof Error ? error.message : String(error)}`);
    });
  browser = starting;
  return starting;
}

async function turn(): Promise<void> {
  if (running < MAX_PARALLEL_PRINTS) {
    running += 1;
    return;
  }
  // The finishing print hands its slot straight over, so `running` stays counted.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

/** The HTML as a PDF document. The HTML must be self-contained: requests it makes are refused. */
export async function printPdf(html: string, options: PrintOptions = {}): Promise<Buffer> {
  await turn();
  try {
    let context;
    try {
      context = await (await startedBrowser()).newContext({ javaScriptEnabled: false, offline: true });
    } catch (error) {
      // The kept browser may have died between two prints without telling us yet: start it once more.
      if (error instanceof PdfPrinterUnavailable) throw error;
      browser = null;
      context = await (await startedBrowser()).newContext({ javaScriptEnabled: false, offline: true });
    }
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(PRINT_TIMEOUT_MS);
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: options.format ?? 'A4', landscape: options.landscape ?? false, printBackground: true,
        margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' },
        ...(options.pageNumbers ? { displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate: footerTemplate(options.pageNumbers) } : {}),
      });
    } finally {
      await context.close().catch(() => undefined);
    }
  } finally {
    release();
  }
}

/** Closes the kept browser, if one was started; the next print starts a new one. */
export async function closePdfPrinter(): Promise<void> {
  const current = browser;
  browser = null;
  if (!current) return;
  const started = await current.catch(() => null);
  await started?.close().catch(() => undefined);
}
