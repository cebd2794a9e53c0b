/**
 * npm run model -- adapt (--folders <dir>... | --from-db --area <code> --since <YYYY-MM-DD> [--block <metres>]) [--steps N] [--seed S] [--gsd <metres>] [--from <version|sidecar.json>] [--name <version>] [--json]
 *                         [--batch 8] [--crop 128] [--cache 256] [--lr 0.001 pairs, 0.0003 others] [--threads 2]
 * npm run model -- list [--json]
 * npm run model -- promote <version> [--force] [--json]
 * npm run model -- rollback
 * npm run model -- worker      (runs adaptation jobs queued from the API: pipeline/src/queue/adapt-job.ts)
 *
 * Adapting fine-tunes the network that serves the folders' layout on part of them and scores the
 * served and the adapted version on the rest (scripts/model/adapt.ts); the versions live in the
 * model store beside the raster store (pipeline/src/model-store.ts), and the promoted one is what
 * ChangeDetector.load serves by default. With --json, adapt prints one JSON object on stdout
 * ({"version", "held_back", "before", "after"}; before and after as `npm run eval --json` prints
 * them; beside them "patrol_check", both versions on whole generated scenes) and its progress on stderr; run it as `npm run -s model -- ...`. Exit status: 0 done, 1 a
 * promotion refused or a failure, 2 a usage mistake.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '#pipeline/config.js';
import { modelStoreDir } from '#pipeline/model-store.js';
import { modelStoreListing, promoteVersion, rollbackVersion } from '#pipeline/model-versions.js';
import { createAdaptWorker } from '#pipeline/queue/adapt-job.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { adapt } from './model/adapt.js';
import { listTable } from './model/versions.js';

const USAGE = [
  'usage: npm run model -- adapt (--folders <dir>... | --from-db --area <code> --since <YYYY-MM-DD> [--block <metres>]) [--steps N] [--seed S] [--gsd <metres>] [--from <version|sidecar.json>] [--name <version>] [--json]',
  '                                [--batch 8] [--crop 128] [--cache 256] [--lr 0.001 pairs, 0.0003 others] [--threads 2]   (the trainer\'s settings)',
  '       npm run model -- list [--json]',
  '       npm run model -- promote <version> [--force] [--json]',
  '       npm run model -- rollback',
  '       npm run model -- worker   (runs the adaptation jobs an admin queues from the API or viewer, one at a time)',
  '       (the store: MODEL_STORE, else "models" beside RASTER_STORE, else .lingwei/models)',
].join('\n');

class UsageError extends Error {}

function number(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!check(n)) throw new UsageError(`--${name} ${value}: not a valid value`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        folders: { type: 'string', multiple: true },
        'from-db': { type: 'boolean', default: false },
        area: { type: 'string' },
        since: { type: 'string' },
        block: { type: 'string' },
        steps: { type: 'string' },
        seed: { type: 'string' },
        gsd: { type: 'string' },
        from: { type: 'string' },
        name: { type: 'string' },
        threads: { type: 'string' },
        batch: { type: 'string' },
        crop: { type: 'string' },
        cache: { type: 'string' },
        lr: { type: 'string' },
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const store = modelStoreDir();
  const threads = number('threads', values.threads, (n) => Number.isInteger(n) && n >= 1 && n <= 256) ?? 2;
  switch (command) {
    case 'adapt': {
      // --folders a b c: the values after the first folder arrive as positionals.
      const folders = [...(values.folders ?? []), ...positionals];
      const fromDb = values['from-db'];
      if (fromDb && values.folders?.length) throw new UsageError('adapt takes --folders or --from-db, not both');
      if (!fromDb && !values.folders?.length) throw new UsageError('adapt needs --folders <dir>... or --from-db --area <code> --since <YYYY-MM-DD>');
      if (!fromDb && (values.area !== undefined || values.since !== undefined || values.block !== undefined)) throw new UsageError('--area, --since and --block go with --from-db');
      if (fromDb && !values.area) throw new UsageError('--from-db needs --area <code> (an administrative area)');
      // A real day: Date.parse takes 2026-02-30 as 2 March, so the day must come back as written.
      if (fromDb && !(values.since && /^\d{4}-\d{2}-\d{2}$/.test(values.since) && !Number.isNaN(Date.parse(values.since)) && new Date(values.since).toISOString().startsWith(values.since))) {
        throw new UsageError(`--from-db needs --since <YYYY-MM-DD> (the first day of the flights to learn from)${values.since ? `, got ${values.since}` : ''}`);
      }
      const result = await adapt({
        folders: fromDb ? [] : folders,
        ...(fromDb ? { fromDb: { area: values.area!, since: values.since!, blockM: number('block', values.block, (n) => n >= 16 && n <= 2048) } } : {}),
        steps: number('steps', values.steps, (n) => Number.isInteger(n) && n >= 1),
        seed: number('seed', values.seed, Number.isInteger),
        gsd: number('gsd', values.gsd, (n) => n > 0 && n < 100),
        from: values.from,
        name: values.name,
        store,
        threads,
        batch: number('batch', values.batch, (n) => Number.isInteger(n) && n >= 1),
        crop: number('crop', values.crop, (n) => Number.isInteger(n) && n >= 16 && n % 16 === 0),
        cache: number('cache', values.cache, (n) => Number.isInteger(n) && n >= 0),
        lr: number('lr', values.lr, (n) => n > 0 && n < 10),
      });
      console.log(values.json ? JSON.stringify(result) : `adapted: ${result.version}; held back ${result.held_back.join(', ')}; pixel F1 ${result.before.pixel.f1.toFixed(3)} -> ${result.after.pixel.f1.toFixed(3)}, object F1 ${result.before.object.f1.toFixed(3)} -> ${result.after.object.f1.toFixed(3)}; patrol check object F1 ${result.patrol_check.before.object.f1.toFixed(3)} -> ${result.patrol_check.after.object.f1.toFixed(3)}`);
      return 0;
    }
    case 'list': {
      if (positionals.length) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
      const l = modelStoreListing(store);
      console.log(values.json ? JSON.stringify(l) : listTable(l));
      return 0;
    }
    case 'promote': {
      if (positionals.length !== 1) throw new UsageError('promote needs one version (npm run model -- list)');
      const r = await promoteVersion(store, positionals[0]!, { force: values.force, threads });
      if (values.json) console.log(JSON.stringify(r));
      // With --json stdout holds the JSON alone; a refusal goes to stderr either way.
      if (values.json || !r.promoted) console.error(r.message);
      else console.log(r.message);
      return r.promoted || r.version === r.replaced ? 0 : 1;
    }
    case 'rollback': {
      if (positionals.length) throw new UsageError('rollback takes no arguments');
      console.log(rollbackVersion(store).message);
      return 0;
    }
    case 'worker': {
      if (positionals.length) throw new UsageError('worker takes no arguments');
      const config = loadConfig();
      const connection = createRedisConnection(config.redisUrl);
      const worker = createAdaptWorker(connection, config.queuePrefix);
      worker.on('completed', (job) => console.log(`[model worker] adaptation ${job.id} done: ${JSON.stringify((job.returnvalue as { version?: string }).version)}`));
      worker.on('failed', (job, error) => console.log(`[model worker] adaptation ${job?.id} failed: ${error.message}`));
      console.log(`[model worker] ${process.pid} taking adaptation jobs from ${config.redisUrl} (one at a time; model store ${store})`);
      // Ends after the job in hand when asked to stop.
      await new Promise<void>((resolve) => { for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve()); });
      await worker.close();
      connection.disconnect();
      return 0;
    }
    default:
      throw new UsageError(command === undefined ? 'give a command' : `unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError;
    console.error(`model: ${(error as Error).message}${usage ? `\n${USAGE}` : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
