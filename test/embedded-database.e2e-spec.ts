import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';
import { openDatabase } from '../src/database/bootstrap.js';

/**
 * The zero-setup path of `npm start`: no DATABASE_URL, so the service starts its own PostgreSQL in
 * DATA_DIR. It must not touch port 5432 (a system server may be there), and a restart keeps the data.
 */
describe('embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the service on its own PostgreSQL, listening on no TCP port, and keeps data across restarts', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      JWT_SECRET: 'x'.repeat(40),
      LOG_LEVEL: 'silent',
    });
    expect(config.DATABASE_URL).toBeUndefined();

    const first = await openDatabase(config, () => {});
    expect(first.embedded).toBeDefined();
    expect(first.appliedMigrations.length).toBeGreaterThan(0);
    const app = await createApp(config, first.url, { logger: false });
    const health = await request(app.getHttpServer()).get('/health');
    expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    await app.close();

    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    const listen = await client.query<{ listen_addresses: string }>('SHOW listen_addresses');
    expect(listen.rows[0]!.listen_addresses).toBe('');
    const socket = await client.query<{ unix_socket_directories: string }>('SHOW unix_socket_directories');
    expect(socket.rows[0]!.unix_socket_directories).toContain(dataDir);
    await client.query(
      `INSERT INTO audit_event (actor_id, actor_kind, action, outcome) VALUES ('restart-test', 'system', 'probe', 'allowed')`,
    );
    await client.end();
    await first.embedded!.stop();

    const second = await openDatabase(config, () => {});
    expect(second.appliedMigrations).toEqual([]);
    const again = new pg.Client({ connectionString: second.url });
    await again.connect();
    const kept = await again.query(`SELECT 1 FROM audit_event WHERE actor_id = 'restart-test'`);
    expect(kept.rowCount).toBe(1);
    await again.end();

    // What made PGlite-over-a-socket unfit (docs/embedded-database.md): connections must be real sessions.
    const a = new pg.Client({ connectionString: second.url });
    const b = new pg.Client({ connectionString: second.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query(`SET application_name = 'session-a'`);
      const other = await b.query<{ name: string }>(`SELECT current_setting('application_name') AS name`);
      expect(other.rows[0]!.name).not.toBe('session-a');

      await a.query('SELECT pg_advisory_lock(42)');
      const tryLock = await b.query<{ got: boolean }>('SELECT pg_try_advisory_lock(42) AS got');
      expect(tryLock.rows[0]!.got).toBe(false);
      await a.query('SELECT pg_advisory_unlock(42)');

      const notified = new Promise<string>((resolve) =>
        a.on('notification', (n) => resolve(n.payload ?? '')),
      );
      await a.query('LISTEN mitroa_probe');
      await b.query(`NOTIFY mitroa_probe, 'hello'`);
      expect(await notified).toBe('hello');

      // A transaction waiting on another connection's row lock waits; it does not deadlock the server.
      await a.query(`CREATE TABLE lock_probe (id int PRIMARY KEY, v int)`);
      await a.query(`INSERT INTO lock_probe VALUES (1, 0)`);
      await a.query('BEGIN');
      await a.query('UPDATE lock_probe SET v = 1 WHERE id = 1');
      const waiting = b.query('UPDATE lock_probe SET v = 2 WHERE id = 1');
      await new Promise((r) => setTimeout(r, 100));
      await a.query('COMMIT');
      await waiting;
      const final = await a.query<{ v: number }>('SELECT v FROM lock_probe WHERE id = 1');
      expect(final.rows[0]!.v).toBe(2);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    await second.embedded!.stop();
  });
});
