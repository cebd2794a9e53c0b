/**
 * `cli quota set|import|list`: yearly demolition quotas (拆违指标) per street (街镇), which the
 * reports measure progress against. A file is loaded in one transaction: one bad line, nothing written.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createPool, inTransaction } from '#db/connection.js';
import { listQuotas, setQuota } from '#db/sql/quotas.js';
import { checkQuota, parseQuotaFile } from '#api/reports/quota-csv.js';

export const QUOTA_USAGE = 'quota set <street code|name> <year> --m2 N [--count N] | quota import <quotas.csv> | quota list [--year Y]';

/** Thrown inside the import transaction to roll it back with the reasons. */
class QuotaFileRejected extends Error {}

async function importFile(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new QuotaFileRejected(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const { quotas, problems } = parseQuotaFile(text);
  const pool = createPool();
  try {
    const stored = await inTransaction(pool, async (client) => {
      for (const quota of quotas) {
        const street = await setQuota(client, quota);
        if (typeof street === 'string') problems.push({ line: quota.line, reason: street });
      }
      if (problems.length > 0) throw new QuotaFileRejected(problems.sort((a, b) => a.line - b.line).map((p) => `line ${p.line}: ${p.reason}`).join('\n'));
      return quotas.length;
    });
    console.log(`loaded ${stored} quota(s) from ${file}`);
    return 0;
  } finally {
    await pool.end();
  }
}

export async function runQuotaCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { m2: { type: 'string' }, count: { type: 'string' }, year: { type: 'string' } } });
  const [verb, ...rest] = positionals;
  try {
    if (verb === 'set' && rest.length === 2) {
      const quota = checkQuota(rest[0]!, rest[1]!, values.m2 ?? '', values.count ?? '');
      if (typeof quota === 'string') throw new QuotaFileRejected(quota);
      const pool = createPool();
      try {
        const street = await setQuota(pool, quota);
        if (typeof street === 'string') throw new QuotaFileRejected(street);
        console.log(`quota of ${street.name} (${street.code}) for ${quota.year}: ${quota.targetM2 ?? '-'} m², ${quota.targetCount ?? '-'} demolitions`);
        return 0;
      } finally {
        await pool.end();
      }
    }
    if (verb === 'import' && rest.length === 1) return await importFile(rest[0]!);
    if (verb === 'list' && rest.length === 0) {
      const year = values.year === undefined ? undefined : Number(values.year);
      if (year !== undefined && !(Number.isInteger(year) && year >= 2000 && year <= 2100)) {
        console.error(`--year must be a year such as 2026, not ${values.year}`);
        return 2;
      }
      const pool = createPool();
      try {
        const quotas = await listQuotas(pool, year);
        // Silence would look like a failure: say that there is nothing.
        if (!quotas.length) console.log(year === undefined ? 'no quotas yet (set one with: npm run cli -- quota set ...)' : `no quotas for ${year}`);
        for (const q of quotas) {
          console.log(`${q.year}  ${q.code}  ${q.name}  ${q.targetM2 ?? '-'} m²  ${q.targetCount ?? '-'}`);
        }
        return 0;
      } finally {
        await pool.end();
      }
    }
    console.error(`usage: npm run cli -- ${QUOTA_USAGE}`);
    return 2;
  } catch (error) {
    if (!(error instanceof QuotaFileRejected)) throw error;
    console.error(`nothing written:\n${error.message}`);
    return 1;
  }
}
