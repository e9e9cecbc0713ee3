import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/app.factory.js';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { seedDemoData } from '../src/demo/seed-demo.js';
import { TEST_JWT_SECRET } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const README = readFileSync('README.md', 'utf8');

/** The README's ```sh example blocks, in order: the commands a new user pastes. */
function exampleBlocks(): string[] {
  return [...README.matchAll(/^```sh example\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/**
 * Every README example, run as written against a started service (issue 10: two of five answered
 * 400 before), so they cannot rot. Only two things are substituted: the service's address (a free
 * port) and `npm run --silent cli --` (the same src/cli.ts, without a build).
 */
describe('README examples', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let port: number;
  const out = mkdtempSync(join(tmpdir(), 'mitroa-readme-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.url, () => {});
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      DATA_DIR: '.data/test',
    });
    app = await createApp(config, db.url, { logger: false });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(out, { recursive: true, force: true });
  });

  it('has examples marked for this test', () => {
    expect(exampleBlocks().length).toBeGreaterThanOrEqual(3);
  });

  // The limit is a bound, not a measurement: each README command starts the CLI from TypeScript,
  // a few seconds each on two busy cores.
  it('answers every example with 2xx and JSON (GraphQL without errors), and every command succeeds', async () => {
    const blocks = exampleBlocks();
    const script = [
      'set -euo pipefail',
      // Each curl keeps its answer, status and content type in $OUT, numbered in order (an example's
      // own -o, for a map, comes after ours and is left without a URL: curl warns and ignores it).
      'n=0; curl() { n=$((n+1)); command curl -sS -o "$OUT/$n.body" -w "%{http_code} %{content_type}" "$@" > "$OUT/$n.status"; }',
      ...blocks,
    ]
      .join('\n')
      .replaceAll('localhost:3000', `127.0.0.1:${port}`)
      .replaceAll('npm run --silent cli --', 'node --import ./test/support/register-ts.mjs src/cli.ts');
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('bash', ['-c', script], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          OUT: out,
          DATABASE_URL: db.url,
          JWT_SECRET: TEST_JWT_SECRET,
          NODE_ENV: 'test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect({ code: result.code, output: result.output }).toMatchObject({ code: 0 });
    expect(result.output).not.toContain('undefined');

    const curls = blocks.join('\n').match(/^\s*curl /gm)?.length ?? 0;
    const answers = readdirSync(out).filter((f) => f.endsWith('.status')).length;
    expect(answers).toBe(curls);
    for (let n = 1; n <= answers; n++) {
      const [code, type = ''] = readFileSync(join(out, `${n}.status`), 'utf8').split(' ');
      const status = Number(code);
      const body = readFileSync(join(out, `${n}.body`), 'utf8');
      expect(status >= 200 && status < 300 ? 'ok' : `example ${n}: ${status} ${body.slice(0, 300)}`).toBe(
        'ok',
      );
      // Maps come as SVG and PNG; everything else is JSON (GeoJSON included).
      if (/^image\/(svg\+xml|png)/.test(type)) continue;
      const json = JSON.parse(body) as { errors?: unknown; data?: unknown };
      expect(json.errors).toBeUndefined();
    }
  }, 300_000);

  it('lists every setting the service reads in the configuration table', () => {
    const settings = [
      ...Object.keys(new AppConfig()),
      'DATABASE_URL',
      'JWT_SECRET',
      'OIDC_JWKS_URL',
      'OIDC_ISSUER',
    ];
    const table = README.slice(README.indexOf('## Configuration'), README.indexOf('## Command line'));
    expect(settings.filter((s) => !table.includes(`\`${s}\``))).toEqual([]);
  });
});
