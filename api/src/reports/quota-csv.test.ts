import { describe, expect, it } from 'vitest';
import { parseQuotaFile } from './quota-csv.js';

describe('the quota file', () => {
  it('reads English or Chinese headers, either target, and skips blank lines', () => {
    const { quotas, problems } = parseQuotaFile('\uFEFF街镇,年度,目标面积,目标宗数\r\nS1,2026,12000,40\r\n\r\n花木街道,2026,,15\r\n');
    expect(problems).toEqual([]);
    expect(quotas).toEqual([
      { street: 'S1', year: 2026, targetM2: 12000, targetCount: 40, line: 2 },
      { street: '花木街道', year: 2026, targetM2: null, targetCount: 15, line: 4 },
    ]);
  });

  it('lists every wrong line with the reason', () => {
    const { problems } = parseQuotaFile('street,year,target_m2,target_count\nS1,26,100,\nS2,2026,,\nS3,2026,-5,\nS4,2026,10,2.5\nS1,2027,10,\nS1,2027,20,\n');
    expect(problems).toEqual([
      { line: 2, reason: 'year must be 2000 to 2099, not "26"' },
      { line: 3, reason: 'give a target in m², in count, or both' },
      { line: 4, reason: 'target m² must be a positive number, not "-5"' },
      { line: 5, reason: 'target count must be a whole number, not "2.5"' },
      { line: 7, reason: 'S1 2027 is already on line 6' },
    ]);
    expect(parseQuotaFile('name,amount\nS1,5\n').problems).toEqual([{ line: 1, reason: 'the header must name street, year and target_m2 and/or target_count' }]);
  });
});
