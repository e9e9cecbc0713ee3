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
    await second.embedded!.stop();
  });
});
