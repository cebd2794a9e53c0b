/**
 * `cli ingest` waiting for its flight against the real test database, also while the database is
 * unreachable: a TCP relay in front of PostgreSQL stands in for the restart (it is closed, then
 * forwards again), so every byte the command reads still comes from the real server.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '#db/connection.js';
import { createFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { waitForFlight } from './ingest.js';

const pool = createTestPool();
let flightId = '';

beforeAll(async () => {
  await emptyTables(pool);
  flightId = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
  await pool.query(`UPDATE flight SET status = 'done', progress = 1 WHERE id = $1`, [flightId]);
});
afterAll(() => pool.end());

/** A free loopback port, and a relay on it to PostgreSQL that starts when told. */
async function relayToPostgres(): Promise<{ port: number; open: () => Promise<void>; close: () => Promise<void> }> {
  const target = new URL(testDatabaseUrl());
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const relay = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(server).pipe(client);
    const end = () => (client.destroy(), server.destroy());
    client.on('error', end);
    server.on('error', end);
  });
  return {
    port,
    open: () => new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => relay.close(() => resolve())),
  };
}

describe('waitForFlight', () => {
  it('returns the flight once it has ended', async () => {
    expect((await waitForFlight(pool, flightId)).status).toBe('done');
  });

  it('waits for a database that comes back, and gives up with the reason after the outage limit', async () => {
    const relay = await relayToPostgres();
    const url = new URL(testDatabaseUrl());
    url.port = String(relay.port);
    const behindRelay = createPool(url.toString(), 1);
    try {
      // Nobody listens yet: the first polls fail; the relay opens after a second.
      setTimeout(() => void relay.open(), 1000);
      const started = Date.now();
      expect((await waitForFlight(behindRelay, flightId, 'flight', 30_000)).status).toBe('done');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await behindRelay.end();
      await relay.close();
    }
    const nowhere = createPool(url.toString(), 1); // the relay is closed again
    try {
      const started = Date.now();
      await expect(waitForFlight(nowhere, flightId, 'flight', 1500)).rejects.toThrow(/database has been unreachable for 1.5 s; the flight goes on in the workers/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    } finally {
      await nowhere.end();
    }
  });
});
