import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.factory.js';
import { Role } from '../src/auth/roles.js';
import { signToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config/app-config.js';
import { migrate } from '../src/database/data-source.js';
import { withDatabase } from '../src/database/database-url.js';
import { seedDemoData } from '../src/demo/seed-demo.js';
import { StatisticsService } from '../src/statistics/statistics.service.js';
import { onInterrupt, percentile, printTable } from './report.js';
import { admin, databaseExists } from './synthetic-database.js';

/**
 * Maps (issue 14): the size and time of a choropleth through the REST API, GeoJSON, SVG and PNG,
 * for the whole country (a national administrator, 325 shapes) and a region (Attica, a regional
 * officer, 70 shapes): the first request of a process (reads the boundaries file, projects the
 * shapes: kept per area and width) and BENCH_REQUESTS (30) more one at a time, p50 and p95.
 * The figures come from the cubes in memory (docs/statistics.md), so the time is the map's own:
 * BENCH_DATABASE names an existing database to read (e.g. the 1M-person statistics bench's),
 * otherwise a fresh one with the demo data is made and dropped.
 *
 * Run: npm run bench:maps (DATABASE_URL set).
 */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30);

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl)
    throw new Error('Set DATABASE_URL to a PostgreSQL server (a database of its own is made there).');
  const given = process.env.BENCH_DATABASE;
  const database = given ?? `mitroa_maps_bench_${process.pid}`;
  const url = withDatabase(serverUrl, database);
  if (given) {
    if (!(await databaseExists(serverUrl, given))) throw new Error(`There is no database ${given}.`);
    await migrate(url);
  } else {
    onInterrupt(() => admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    await admin(serverUrl, `CREATE DATABASE ${database}`);
    await migrate(url);
    await seedDemoData(url, () => {});
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-maps-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'bench-secret-of-at-least-32-characters',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
    // The load generator stands for many callers with one token: no per-caller share of the pool.
    DATABASE_CONNECTIONS_PER_CALLER: '1000',
  });
  const app = await createApp(config, url, { logger: false, logDestination: { write: () => true } });
  const rows: Array<[string, string]> = [];
  try {
    await app.get(StatisticsService).refresh();
    await app.listen(0, '127.0.0.1');
    const base = `${await app.getUrl()}/api/v1/statistics`.replace('[::1]', '127.0.0.1');
    const national = await signToken(config, 'bench', { roles: [Role.NATIONAL_ADMIN] }, '1h');
    const region = await signToken(
      config,
      'bench-region',
      { roles: [Role.REGIONAL_OFFICER], region: '9' },
      '1h',
    );
    const get = async (token: string, path: string) => {
      const t = performance.now();
      const res = await fetch(`${base}/${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = Buffer.from(await res.arrayBuffer());
      if (!res.ok) throw new Error(`${path}: ${res.status} ${body.toString('utf8').slice(0, 300)}`);
      return { ms: performance.now() - t, bytes: body.length };
    };
    for (const [label, token, area] of [
      ['country (national)', national, 'COUNTRY/EL'],
      ['Attica (regional officer)', region, 'REGION/9'],
    ] as const)
      for (const format of ['geojson', 'svg', 'png']) {
        const path = `${area}/map.${format}?measure=PEOPLE&indicator=PER_1000_RESIDENTS&width=800`;
        const first = await get(token, path);
        const samples: number[] = [];
        for (let i = 0; i < REQUESTS; i++) samples.push((await get(token, path)).ms);
        rows.push([
          `${label}, map.${format}`,
          `${(first.bytes / 1024).toFixed(0)} KiB  first ${first.ms.toFixed(0)} ms  then p50 ${percentile(samples, 50).toFixed(1)} ms  p95 ${percentile(samples, 95).toFixed(1)} ms`,
        ]);
      }
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (!given) await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  printTable(
    `statistics maps through the REST API, width 800, one request at a time (a shared 2-core machine: other work may run alongside)`,
    rows,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
