/**
 * The model store for admins (issue 19): the versions with their held-back scores and which one
 * serves, adaptation jobs (queued on their own queue, pipeline/src/queue/adapt-job.ts), promotion
 * and rollback. The same code as `npm run model` (pipeline/src/model-versions.ts): a version that
 * scores worse than the served one on its held-back share is refused unless forced. Workers pick
 * a promotion up at their next flight.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { adaptFoldersRoot, folderUnder, modelStoreDir, promotions, SHIPPED, validVersionName } from '#pipeline/model-store.js';
import { modelStoreListing, promoteVersion, rollbackVersion } from '#pipeline/model-versions.js';
import { adaptJob, adaptJobs, queueAdaptation, type AdaptJobData } from '#pipeline/queue/adapt-job.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import type { AdaptJob, AdaptQueued, AdaptRequest, ModelStoreReply, PromoteReply, RollbackReply, Sendable } from '../api-contract.js';
import { sendProblem } from '../problem.js';

const ADMIN = { roles: ['admin'] } as const;

export function modelRoutes(app: FastifyInstance, pipeline: PipelineConfig = loadConfig()): void {
  let connection: ReturnType<typeof createRedisConnection> | null = null;
  const redis = () => (connection ??= createRedisConnection(pipeline.redisUrl));
  app.addHook('onClose', async () => connection?.disconnect());
  const store = () => modelStoreDir();

  app.get<{ Reply: Sendable<ModelStoreReply> }>('/api/models', { config: ADMIN, schema: { tags: ['models'], summary: 'Model versions with their held-back scores, the one serving, promotions and adaptation jobs' } }, async () => {
    return { ...modelStoreListing(store()), jobs: await adaptJobs(redis(), pipeline.queuePrefix) };
  });

  app.post<{ Body: AdaptRequest; Reply: AdaptQueued }>('/api/models/adapt', {
    config: ADMIN,
    schema: {
      tags: ['models'],
      summary: 'Queue an adaptation of the served version on folders in an evaluation layout, or on the office\'s database',
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          folders: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 1000 } },
          area: { type: 'string', minLength: 1, maxLength: 32 },
          since: { type: 'string', format: 'date' },
          steps: { type: 'integer', minimum: 1, maximum: 100_000 },
          seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
          name: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
    },
  }, async (request, reply) => {
    const { folders, area, since, steps, seed, name } = request.body;
    if (!folders?.length && !area) return sendProblem(reply, 400, 'The request is not valid', 'give folders (in an evaluation layout) or an area (training data from the database)');
    if (folders?.length && area) return sendProblem(reply, 400, 'The request is not valid', 'give folders or an area, not both');
    if (area && !since) return sendProblem(reply, 400, 'The request is not valid', 'an area needs since (YYYY-MM-DD): the first day of the flights to learn from');
    const missing = (folders ?? []).filter((f) => !path.isAbsolute(f) || !fs.existsSync(f) || !fs.statSync(f).isDirectory());
    if (missing.length) return sendProblem(reply, 400, 'The request is not valid', `not a folder on the server (absolute paths): ${missing.join(', ')}`);
    const root = adaptFoldersRoot();
    const outside = root ? (folders ?? []).filter((f) => !fs.existsSync(root) || !folderUnder(root, f)) : [];
    if (outside.length) return sendProblem(reply, 400, 'The request is not valid', `not under ${root} (ADAPT_FOLDERS_ROOT, the folder the API and the model worker share): ${outside.join(', ')}`);
    if (name !== undefined && !validVersionName(name)) return sendProblem(reply, 400, 'The request is not valid', `name ${name}: letters, digits, '.', '_' and '-' only (and not "shipped")`);
    const data: AdaptJobData = {
      ...(folders?.length ? { folders } : { fromDb: { area: area!, since: since! } }),
      ...(steps === undefined ? {} : { steps }), ...(seed === undefined ? {} : { seed }), ...(name === undefined ? {} : { name }),
      requestedBy: request.user!.username,
    };
    const id = await queueAdaptation(redis(), pipeline.queuePrefix, data);
    return reply.code(202).send({ job: id, data });
  });

  app.get<{ Params: { id: string }; Reply: Sendable<AdaptJob> }>('/api/models/jobs/:id', {
    config: ADMIN,
    schema: { tags: ['models'], summary: 'One adaptation job: progress and result', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } },
  }, async (request, reply) => {
    const job = await adaptJob(redis(), pipeline.queuePrefix, request.params.id);
    return job ?? sendProblem(reply, 404, 'No such adaptation job', `job ${request.params.id} does not exist (finished jobs are kept for the last 50)`);
  });

  app.post<{ Params: { version: string }; Body: { force?: boolean }; Reply: PromoteReply }>('/api/models/versions/:version/promote', {
    config: ADMIN,
    schema: {
      tags: ['models'],
      summary: 'Promote a version; refused (409) when it scores worse than the served one on its held-back share, unless forced',
      params: { type: 'object', required: ['version'], properties: { version: { type: 'string', minLength: 1, maxLength: 100 } } },
      body: { type: 'object', additionalProperties: false, properties: { force: { type: 'boolean', default: false } } },
    },
  }, async (request, reply) => {
    const { version } = request.params;
    if (version === SHIPPED) return sendProblem(reply, 400, 'The request is not valid', '"shipped" is not a stored version: roll back towards it');
    if (!validVersionName(version)) return sendProblem(reply, 404, 'No such version', `${version} is not a version name`);
    const result = await promoteVersion(store(), version, { force: request.body?.force ?? false }).catch((error: Error) => error);
    if (result instanceof Error) return sendProblem(reply, 404, 'No such version', result.message);
    if (!result.promoted && result.version !== result.replaced) return sendProblem(reply, 409, 'Promotion refused', result.message, { result });
    return result;
  });

  app.post<{ Reply: RollbackReply }>('/api/models/rollback', { config: ADMIN, schema: { tags: ['models'], summary: 'Undo the latest promotion' } }, async (_request, reply) => {
    if (!promotions(store()).length) return sendProblem(reply, 409, 'Nothing to roll back', 'no version is promoted; the shipped networks serve');
    return rollbackVersion(store());
  });
}
