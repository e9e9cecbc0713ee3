import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/app-config.js';
import { openDatabase, type DatabaseHandle } from '../src/database/bootstrap.js';

const ROOT = process.cwd();
const IS_ROOT = process.getuid?.() === 0;

/** Runs src/main.ts or src/cli.ts as `npm start` / `npm run cli` would, with only `env` set. */
function run(
  entry: 'src/main.ts' | 'src/cli.ts',
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', './test/support/register-ts.mjs', entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The first minutes of a new user (issue 10): the command line while the service runs, a second
 * `npm start`, and a checkout in a folder only root may enter.
 */
describe('start-up and the command line', () => {
  describe('while a service runs on the embedded database', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-running-'));
    const env = { DATA_DIR: dataDir, NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), PORT: '0' };
    let service: DatabaseHandle;

    beforeAll(async () => {
      // This test process plays the running service: it owns the embedded server.
      service = await openDatabase(loadConfig({ ...env, LOG_LEVEL: 'silent' }), () => {});
    });
    afterAll(async () => {
      await service.embedded?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('runs migrate, seed-demo and api-key on the running service’s database', async () => {
      const migrate = await run('src/cli.ts', ['migrate'], env);
      expect(migrate).toMatchObject({ code: 0 });
      expect(migrate.stderr).toContain('using the embedded PostgreSQL of the running service');
      expect(migrate.stderr).toContain('already up to date');

      const key = await run(
        'src/cli.ts',
        ['api-key', '--name', 'Attica OPS', '--role', 'regional_officer', '--region', '9'],
        env,
      );
      expect(key).toMatchObject({ code: 0 });
      expect(key.stdout.trim()).toMatch(/^\S+$/); // the key alone, ready for $(...)
      for (const out of [migrate, key]) expect(out.stdout + out.stderr).not.toContain('undefined');
    });

    it('statistics-rebuild recounts every statistics table, the likely eligible included', async () => {
      // Before, it left the ESF view and the likely eligible (counted nightly) as they were: a new
      // database answered likely-eligible figures with evaluatedOn null until 02:30.
      const rebuilt = await run('src/cli.ts', ['statistics-rebuild'], env);
      expect(rebuilt).toMatchObject({ code: 0 });
      for (const table of ['stats_people', 'stats_esf', 'stats_likely_eligible'])
        expect(rebuilt.stderr).toContain(`${table}: recounted`);
      const client = new pg.Client({ connectionString: service.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT 1 FROM statistics_refresh WHERE view_name = 'stats_likely_eligible' AND refreshed_at > now() - interval '1 hour'`,
        );
        expect(rows).toHaveLength(1);
      } finally {
        await client.end();
      }
    });

    it('refuses a second service on the same folder with one sentence saying what to do', async () => {
      const second = await run('src/main.ts', [], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/mitroa is already running on .* \(pid \d+\): stop it first/);
      expect(second.stderr).not.toContain('undefined');
    });
  });

  it('says a mistyped command or option is a usage error (64) and where the right ones are', async () => {
    const env = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40) };
    const command = await run('src/cli.ts', ['tokn'], env);
    expect(command.code).toBe(64);
    expect(command.stderr.trim()).toBe('Unknown command "tokn": `npm run --silent cli -- help` lists them.');
    // Before: "token failed: Unknown option '--municipality' (ERR_PARSE_ARGS_UNKNOWN_OPTION)", exit 1.
    const option = await run(
      'src/cli.ts',
      ['token', '--role', 'centre_staff', '--municipality', '4912'],
      env,
    );
    expect(option.code).toBe(64);
    expect(option.stderr).toContain("Unknown option '--municipality'");
    expect(option.stderr).toContain('`npm run --silent cli -- help` lists the options.');
    expect(option.stderr).not.toMatch(/failed|ERR_PARSE_ARGS/);
  });

  describe('as root, from a checkout in a folder closed to other users (mode 0700)', () => {
    const closed = mkdtempSync(join(tmpdir(), 'mitroa-closed-'));
    afterAll(() => rmSync(closed, { recursive: true, force: true }));

    // Only root can make a folder the `postgres` user cannot enter while itself entering it.
    (IS_ROOT ? it : it.skip)(
      'refuses in one sentence that says what to do, instead of spawn initdb EACCES (runs only as root)',
      async () => {
        chmodSync(closed, 0o700);
        const dataDir = join(closed, 'checkout', '.data');
        mkdirSync(dataDir, { recursive: true });
        const started = await run('src/main.ts', [], { DATA_DIR: dataDir, NODE_ENV: 'test', PORT: '0' });
        expect(started.code).toBe(1);
        const said = started.stderr.trim();
        expect(said.split('\n')).toHaveLength(1);
        expect(said).toContain('cannot reach');
        expect(said).toContain('closed to other users');
        expect(said).toContain('set DATABASE_URL');
        expect(said).not.toMatch(/EACCES|undefined|\n\s+at /);
      },
    );
  });
});
