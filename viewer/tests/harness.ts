/**
 * What the viewer's browser tests and its benchmark share: the fixture scene through the real
 * pipeline (a worker in this process, on its own queue prefix and raster store), the viewer built
 * once, the API serving both on a free port, accounts, and a headless Chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApi } from '#api/server.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { createAccounts, PASSWORD } from '#api/testing/accounts.js';
import { emptyTables } from '#db/testing/test-database.js';
import { runScene } from '#pipeline/testing/run-scene.js';
import { summariseLatency } from '#scripts/bench/latency.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VIEWER = path.join(ROOT, 'viewer');
export const SCREENSHOTS = path.join(ROOT, '.lingwei', 'screenshots');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run'];

/** A pipeline configuration of the caller's own: its raster store and queue prefix. */
export function ownPipelineConfig(name: string): PipelineConfig {
  return { ...loadConfig(), rasterStore: path.join(ROOT, '.lingwei', `${name}-rasters`), queuePrefix: `lingwei-${name}-${process.pid}` };
}

function newestMtime(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    if (entry.name === 'dist' || entry.name === 'tests' || entry.name === 'node_modules') return newest;
    const full = path.join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }, 0);
}

/** Builds viewer/dist with Vite when it is missing or older than any source file. */
export async function ensureViewerBuilt(): Promise<void> {
  const index = path.join(VIEWER, 'dist', 'index.html');
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestMtime(VIEWER)) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(VIEWER, 'vite.config.ts'), logLevel: 'warn' });
}

/** The API (with the built viewer at /) on a free loopback port. */
export async function startApi(pool: pg.Pool, pipeline: PipelineConfig): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApi({ pool, pipeline });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface SceneSession {
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  page: Page;
}

/**
 * What every browser test file and the bench start from: the database emptied, the fixture scene
 * through the real pipeline, the accounts, the built viewer served by the API, and Chromium with a
 * page. Close with closeSceneSession.
 */
export async function openSceneSession(pool: pg.Pool, config: PipelineConfig): Promise<SceneSession> {
  await emptyTables(pool);
  fs.rmSync(config.rasterStore, { recursive: true, force: true });
  await runScene(pool, config);
  await createAccounts(pool);
  await ensureViewerBuilt();
  const { app, url: baseUrl } = await startApi(pool, config);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  return { app, baseUrl, browser, page };
}

export async function closeSceneSession(session: Partial<SceneSession>, config: PipelineConfig): Promise<void> {
  await session.browser?.close();
  await session.app?.close();
  fs.rmSync(config.rasterStore, { recursive: true, force: true });
}

/** Logs in through the login screen and waits for the first screen of the role. */
export async function logIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('who').waitFor();
}

/** Waits until the screen's map has loaded its tiles and stopped moving (a map screen is open). */
export async function mapSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const map = (window as unknown as { lingwei?: { map?: { loaded: () => boolean; isMoving: () => boolean; areTilesLoaded: () => boolean } } }).lingwei?.map;
    return !!map && map.loaded() && map.areTilesLoaded() && !map.isMoving();
  }, undefined, { timeout: 30_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The candidate the queue shows now. */
export async function shownCandidate(page: Page): Promise<string> {
  return (await page.getByTestId('candidate-panel').getAttribute('data-candidate-id')) ?? '';
}

export interface LoopTiming { samples: number[]; p50: number; p95: number }

/**
 * The review loop as a reviewer runs it: once the map has settled on the shown candidate, V
 * (verify), then U (undo) which returns to it, `rounds` times; the page times each decision until
 * the next candidate is on screen (window.lingwei.timings). The queue must be open with at least
 * two candidates.
 */
export async function measureReviewLoop(page: Page, rounds: number): Promise<LoopTiming> {
  await page.evaluate(() => ((window as unknown as { lingwei: { timings: number[] } }).lingwei.timings = []));
  for (let i = 0; i < rounds; i++) {
    // A reviewer looks at the candidate before deciding: the map has arrived and drawn it.
    await mapSettled(page);
    const id = await shownCandidate(page);
    await page.keyboard.press('v');
    await page.waitForFunction((n) => (window as unknown as { lingwei: { timings: number[] } }).lingwei.timings.length > n, i);
    await page.keyboard.press('u');
    await page.waitForFunction((back) => document.querySelector('[data-testid=candidate-panel]')?.getAttribute('data-candidate-id') === back
      && document.querySelector('[data-testid=candidate-panel] [data-status]')?.getAttribute('data-status') === 'pending', id);
  }
  const samples = await page.evaluate(() => (window as unknown as { lingwei: { timings: number[] } }).lingwei.timings);
  const { p50, p95 } = summariseLatency(samples);
  return { samples, p50, p95 };
}

export const describeTiming = (timing: LoopTiming) =>
  `review loop, decision to next candidate rendered: p50 ${timing.p50.toFixed(1)} ms, p95 ${timing.p95.toFixed(1)} ms over ${timing.samples.length} decisions (aim: under 150 ms)`;
