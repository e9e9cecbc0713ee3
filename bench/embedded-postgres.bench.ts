import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { percentile, printTable } from './report.js';

/**
 * What the embedded PostgreSQL costs: first start (initdb), restart on existing data, and query
 * latency over its unix socket, against the reference server of DATABASE_URL when one is given.
 * Run: npm run build && node dist/bench/embedded-postgres.bench.js
 */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mitroa-bench-'));
  try {
    let t = performance.now();
    let db = await startEmbeddedPostgres(dir);
    const firstStart = performance.now() - t;
    await db.stop();
    const restarts: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      db = await startEmbeddedPostgres(dir);
      restarts.push(performance.now() - t);
      if (i < 4) await db.stop();
    }
    const embedded = await queryLatency(db.url);
    const reference = process.env.DATABASE_URL ? await queryLatency(process.env.DATABASE_URL) : undefined;
    const version = await serverVersion(db.url);
    await db.stop();
    printTable('embedded PostgreSQL', [
      ['server', version],
      ['first start incl. initdb (ms)', firstStart.toFixed(0)],
      ['restart on existing data, median of 5 (ms)', percentile(restarts, 50).toFixed(0)],
      ['SELECT 1 p50 / p95 (ms), unix socket', `${embedded.p50.toFixed(3)} / ${embedded.p95.toFixed(3)}`],
      ['10k-row INSERT ... SELECT (ms)', embedded.bulk.toFixed(1)],
      ...(reference
        ? ([
            [
              'reference server SELECT 1 p50 / p95 (ms)',
              `${reference.p50.toFixed(3)} / ${reference.p95.toFixed(3)}`,
            ],
            ['reference 10k-row INSERT ... SELECT (ms)', reference.bulk.toFixed(1)],
            ['ratio embedded / reference, SELECT 1 p50', (embedded.p50 / reference.p50).toFixed(2)],
            ['ratio embedded / reference, bulk insert', (embedded.bulk / reference.bulk).toFixed(2)],
          ] as Array<[string, string]>)
        : []),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  await client.end();
  return rows[0]!.v;
}

async function queryLatency(url: string): Promise<{ p50: number; p95: number; bulk: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await client.query('SELECT 1');
    if (i >= 200) samples.push(performance.now() - t);
  }
  await client.query('CREATE TEMP TABLE bench_rows (id int, name text)');
  const t = performance.now();
  await client.query(`INSERT INTO bench_rows SELECT g, 'name ' || g FROM generate_series(1, 10000) g`);
  const bulk = performance.now() - t;
  await client.end();
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), bulk };
}

await main();
