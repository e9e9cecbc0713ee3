import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

const ROOT = process.cwd();

/** Starts the embedded PostgreSQL in a child node process (as the service does) and waits for it. */
function startOwner(dataDir: string): Promise<{ pid: number }> {
  const child = spawn(
    process.execPath,
    ['--import', './test/support/register-ts.mjs', 'test/fixtures/embedded-postgres-owner.ts', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready ')) resolvePromise({ pid: child.pid! });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the owner process exited (${code}): ${output}`)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

async function countOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

/**
 * After kill -9 of the service its PostgreSQL is orphaned; the next start must recover by itself
 * instead of failing with "start-up failed: undefined".
 */
describe('embedded database after the service was killed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-orphan-'));
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops the orphaned server of a SIGKILLed service and starts again', async () => {
    const owner = await startOwner(dataDir);
    const orphan = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    expect(alive(orphan)).toBe(true);
    process.kill(owner.pid, 'SIGKILL');
    while (alive(owner.pid)) await new Promise((r) => setTimeout(r, 50));
    expect(alive(orphan)).toBe(true); // what made the next start fail

    const lines: string[] = [];
    const db = await startEmbeddedPostgres(dataDir, (m) => lines.push(m));
    try {
      expect(lines.join('\n')).toContain(`left running by a service that is gone`);
      expect(alive(orphan)).toBe(false);
      expect(await countOne(db.url)).toBe(1);
    } finally {
      await db.stop();
    }
  });

  it('starts over a stale pid file whose process is dead, or whose pid now belongs to another process', async () => {
    const stale = (pid: number) =>
      writeFileSync(pidFile, `${pid}\n${join(dataDir, 'pg')}\n1700000000\n5433\n\n\n`);
    for (const pid of [2 ** 22 + 12345, process.pid]) {
      stale(pid);
      const db = await startEmbeddedPostgres(dataDir);
      try {
        expect(await countOne(db.url)).toBe(1);
      } finally {
        await db.stop();
      }
      expect(existsSync(pidFile)).toBe(false);
    }
  });

  it('leaves a server whose service is alive alone: a second service is told so, the command line connects to it', async () => {
    const owner = await startOwner(dataDir);
    try {
      await expect(startEmbeddedPostgres(dataDir)).rejects.toThrow(
        new RegExp(`mitroa is already running on .* \\(pid ${owner.pid}\\): stop it first`),
      );
      const shared = await startEmbeddedPostgres(dataDir, () => {}, { share: true });
      expect(shared.sharedWith).toBe(owner.pid);
      expect(await countOne(shared.url)).toBe(1);
      await shared.stop(); // only lets go: the service's server keeps running
      expect(alive(owner.pid)).toBe(true);
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);
    } finally {
      process.kill(owner.pid, 'SIGKILL');
      while (alive(owner.pid)) await new Promise((r) => setTimeout(r, 50));
      await (await startEmbeddedPostgres(dataDir)).stop();
    }
  });
});
