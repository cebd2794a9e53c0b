import { defineConfig } from 'vitest/config';

// Integration tests share one PostgreSQL and one Redis, so test files run one at a time; each file
// works in the throw-away database made by db/testing/global-setup.ts, and queues jobs under the
// run's own Redis prefix (pipeline/src/queue/testing/test-queue-prefix.ts), dropped at the end.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.lingwei/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./db/testing/global-setup.ts', './pipeline/src/queue/testing/test-queue-prefix.ts'],
    // Tests of the shipped networks read models/, whatever a developer promoted in the model store
    // (pipeline/src/model-store.ts); tests of the store set their own.
    env: { MODEL_VERSION: 'shipped' },
  },
});
