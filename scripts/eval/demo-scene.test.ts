/**
 * The committed demo scene (fixtures/scene) scored by the evaluation with the shipped networks:
 * the changes the demo used to lose stay found. Its added floor and the rooftop shed on the house
 * next door came out as one detection (the building split cut them apart), and its 16.8 m²
 * concrete lean-to was left to a network that gives it p 0.00 (the surface-rise rule now takes a
 * patch joined to its building on a smaller flat inside).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from '#pipeline/model/change-detector.js';
import { changeObjects } from '#pipeline/model/change-objects.js';
import { takeOutDrift } from '#pipeline/model/drift.js';
import { polygonLabels } from '#pipeline/model/polygon-fill.js';
import { prepareInputs } from '#pipeline/model/prepare.js';
import { evaluateScenes, sceneInputs } from './evaluate.js';
import { loadScene } from './scenes.js';

const SCENE = path.resolve(import.meta.dirname, '../../fixtures/scene');
let detector: ChangeDetector;

beforeAll(async () => {
  detector = await ChangeDetector.load({ executionProvider: 'cpu' });
});

afterAll(async () => {
  await detector.close();
});

describe('the demo scene', () => {
  it('finds every scored change, and no false one', async () => {
    const r = await evaluateScenes(SCENE, detector);
    expect(r.object).toMatchObject({ tp: 14, fp: 0, fn: 0 });
  }, 120_000);

  // An area's first patrol (no earlier flight): served by the surface-model-only network, the
  // orthophoto set aside; measured 13 tp, 0 fp, 1 fn, as the main network alone gives (2026-12-06).
  it('as a first patrol, finds all but one scored change with the surface-model-only network, and no false one', async () => {
    const r = await evaluateScenes(SCENE, detector, { mode: 'drone_no_before' });
    expect(r.networks).toEqual(['surface_only']);
    expect(r.object).toMatchObject({ tp: 13, fp: 0, fn: 1 });
  }, 120_000);

  // The from-scratch main network joined them into one detection without the building split (which
  // cut them apart); the fused one since 2026-12-06 keeps them apart with or without it. The split
  // itself is proved on maps of its own (pipeline/src/model/building-split.test.ts).
  it('keeps the added floor and the rooftop shed next door apart', async () => {
    const scene = loadScene(SCENE);
    const { inputs } = takeOutDrift(sceneInputs(scene, 'drone'), detector.spec);
    const prepared = prepareInputs(inputs, detector.spec);
    const wanted = scene.truth.map((t, i) => (['added_floor', 'rooftop_addition'].includes(t.changeType) ? i + 1 : 0));
    const truth = polygonLabels(prepared.grid, scene.truth.map((t) => t.rings));
    // Which of those changes each detection holds pixels of.
    const map = await detector.detectPrepared(prepared);
    const { labels } = changeObjects(map.newProb, prepared.grid, { threshold: detector.spec.threshold, minAreaM2: 0 });
    const seen = new Map<number, Set<number>>();
    labels.forEach((label, k) => {
      const t = wanted[truth[k]! - 1];
      if (label && t) (seen.get(label) ?? seen.set(label, new Set()).get(label)!).add(t);
    });
    // Every one of them is detected, and no detection holds two.
    expect(new Set([...seen.values()].flatMap((s) => [...s]))).toEqual(new Set(wanted.filter(Boolean)));
    expect([...seen.values()].filter((s) => s.size > 1)).toEqual([]);
  }, 120_000);
});
