/**
 * Golden tests of the zero-violation village assessment: each test/village-assessment/in/<case>.json
 * holds the facts of one village and period; out/<case>.json is the expected assessment. The case
 * name says the expected verdict (…-passes / …-fails), which is checked as well. Regenerate on
 * purpose with REGEN=1 and review the diff.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assessVillage, type AssessmentFacts, type CandidateFact } from './village-assessment.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const IN = path.join(HERE, 'test', 'village-assessment', 'in');
const OUT = path.join(HERE, 'test', 'village-assessment', 'out');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;

describe('village assessment (golden)', () => {
  for (const file of fs.readdirSync(IN).filter((f) => f.endsWith('.json')).sort()) {
    const name = file.replace(/\.json$/, '');
    it(name, () => {
      const actual = assessVillage(read(path.join(IN, file)) as AssessmentFacts);
      const expectedFile = path.join(OUT, file);
      if (process.env.REGEN) fs.writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(read(expectedFile));
      expect(actual.verdict).toBe(name.endsWith('-passes') || name.endsWith('-pass') ? 'pass' : 'fail');
    });
  }
});

describe('village assessment edges', () => {
  const base = read(path.join(IN, 'all-clear-passes.json')) as AssessmentFacts;
  const pendingSeenAt = (firstSeenAt: string): AssessmentFacts => ({
    ...base,
    candidates: [{ id: '1', changeType: 'new_structure', status: 'pending', areaM2: 20, firstSeenAt, lastSeenAt: firstSeenAt, evidence: [] } satisfies CandidateFact],
  });

  it('takes the period in China Standard Time: midnight in Shanghai starts it, the last second before ends the one before', () => {
    expect(assessVillage(pendingSeenAt('2026-07-01T00:00:00+08:00')).blocking[0]!.criterion).toBe('zero_new_construction');
    expect(assessVillage(pendingSeenAt('2026-06-30T23:59:59+08:00')).blocking[0]!.criterion).toBe('no_illegal_outside_register');
    // 16:00 UTC on 30 September is midnight in Shanghai: after the period, not in it.
    expect(assessVillage(pendingSeenAt('2026-09-30T16:00:00Z')).blocking).toEqual([]);
  });

  it('applies a stricter coverage requirement when asked', () => {
    const facts = { ...base, coverage: { ...base.coverage, coveredAreaM2: base.coverage.villageAreaM2 * 0.997 } };
    expect(assessVillage(facts).verdict).toBe('pass');
    const strict = assessVillage(facts, { requiredCoverage: 1 });
    expect(strict.verdict).toBe('fail');
    expect(strict.blocking).toMatchObject([{ kind: 'coverage', coveragePercent: 99.7, requiredPercent: 100 }]);
  });

  it('never reads a village with no area as covered', () => {
    const facts = { ...base, coverage: { villageAreaM2: 0, coveredAreaM2: 0, flights: [] } };
    expect(assessVillage(facts).criteria.full_coverage).toBe(false);
  });

  it('refuses an empty or reversed period', () => {
    expect(() => assessVillage({ ...base, period: { from: '2026-07-01', to: '2026-07-01' } })).toThrow(RangeError);
    expect(() => assessVillage({ ...base, period: { from: '2026-07-02', to: '2026-07-01' } })).toThrow(RangeError);
  });
});
