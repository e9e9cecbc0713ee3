import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = process.cwd();
/** An orderly stop waits at most 10 s for running jobs; nothing here runs long. */
const STOP_BOUND_MS = 20_000;

interface Service {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port: number;
}

/**
 * `npm start` as a terminal runs it (src/main.ts, development: embedded database, demo data, the
 * job worker in the service), in a process group of its own like a terminal's foreground job, so
 * that a Ctrl-C can be sent to the whole group.
 */
async function startService(dataDir: string, children: ChildProcess[]): Promise<Service> {
  const child = spawn(process.execPath, ['--import', './test/support/register-ts.mjs', 'src/main.ts'], {
    cwd: ROOT,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const banner = /Health\s+http:\/\/localhost:(\d+)\/health/;
  const deadline = Date.now() + 90_000;
  while (!banner.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the service did not start (${child.exitCode}): ${output}`);
    await sleep(50);
  }
  return { child, output: () => output, exited, port: Number(banner.exec(output)![1]) };
}

/** Waits until the service's job worker has completed a job since `since` (the dispatch it queues at start). */
async function jobCompleted(dataDir: string, since: Date): Promise<void> {
  const pgdata = join(dataDir, 'pg');
  const client = new pg.Client({
    connectionString: `postgresql://mitroa:mitroa-local@${encodeURIComponent(pgdata)}:5433/mitroa`,
  });
  await client.connect();
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE state = 'completed' AND completed_on >= $1`,
        [since],
      );
      if (rows[0]!.n > 0) return;
      if (Date.now() > deadline) throw new Error('no job completed within 20 s');
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}

/** The postmaster of this data folder (its command line names the folder; its backends' do not). */
function postgresOf(dataDir: string): number[] {
  const pgdata = join(dataDir, 'pg');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(pgdata);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a clean stop prints and leaves: exit 0, no stack trace, no server of the folder. */
function expectCleanStop(
  service: Service,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  dataDir: string,
  signal: string,
): void {
  const output = service.output();
  const from = output.indexOf(`${signal}: stopping`);
  const said = from >= 0 ? output.slice(from) : output.slice(-3000);
  expect({ exit, said }).toEqual({
    exit: { code: 0, signal: null },
    said: expect.stringContaining('[mitroa] stopped'),
  });
  // Before: "Error: write EPIPE ... at async Manager.complete (pg-boss/src/manager.js:485)", the
  // job worker's "terminating connection due to administrator command", exit 1 or 130.
  expect(said).not.toMatch(/EPIPE|\n\s+at |terminating connection|57P01|Error:/);
  expect(postgresOf(dataDir)).toEqual([]);
  expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  expect(existsSync(join(dataDir, 'pg.owner'))).toBe(false);
}

describe('stopping `npm start` (Ctrl-C, docker stop) with the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mitroa-shutdown-'));
  const children: ChildProcess[] = [];

  afterEach(async () => {
    // Whatever failed: nothing this test started outlives it.
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    for (const pid of postgresOf(dataDir)) process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 100 && postgresOf(dataDir).length; i++) await sleep(100);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('Ctrl-C (SIGINT to the whole process group) stops the job worker, the server and the database in order, exit 0', async () => {
    // Timing-dependent before: at once after start-up (pg-boss starting), just after a job, later.
    for (const [waitForJob, delayMs] of [
      [false, 0],
      [true, 0],
      [true, 1500],
    ] as const) {
      const since = new Date();
      const service = await startService(dataDir, children);
      const health = await fetch(`http://localhost:${service.port}/health`);
      await health.text(); // a body left unread keeps the connection (and jest) waiting
      expect(health.status).toBe(200);
      if (waitForJob) await jobCompleted(dataDir, since);
      await sleep(delayMs);
      process.kill(-service.child.pid!, 'SIGINT'); // what the terminal does
      const exit = await within(service.exited, STOP_BOUND_MS, 'stopping after Ctrl-C');
      expectCleanStop(service, exit, dataDir, 'SIGINT');
    }
  }, 300_000);

  it('SIGTERM to the service alone (docker stop, systemd) stops it the same way', async () => {
    const since = new Date();
    const service = await startService(dataDir, children);
    await jobCompleted(dataDir, since);
    process.kill(service.child.pid!, 'SIGTERM');
    const exit = await within(service.exited, STOP_BOUND_MS, 'stopping after SIGTERM');
    expectCleanStop(service, exit, dataDir, 'SIGTERM');
  }, 120_000);

  it('a second Ctrl-C stops at once (130), and the database still stops by itself', async () => {
    const service = await startService(dataDir, children);
    process.kill(-service.child.pid!, 'SIGINT');
    await sleep(20);
    process.kill(-service.child.pid!, 'SIGINT');
    const exit = await within(service.exited, STOP_BOUND_MS, 'stopping after two Ctrl-C');
    expect(exit).toEqual({ code: 130, signal: null });
    expect(service.output()).toContain('SIGINT again: stopping at once');
    expect(service.output()).not.toMatch(/EPIPE|\n\s+at /);
    for (let i = 0; i < 100 && postgresOf(dataDir).length; i++) await sleep(100);
    expect(postgresOf(dataDir)).toEqual([]);
  }, 120_000);
});
