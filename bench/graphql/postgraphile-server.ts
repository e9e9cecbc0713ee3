import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

/**
 * PostGraphile 5 as the benchmark serves it, in a process of its own (the parent forks it): the
 * Amber preset over the public schema, connecting as the database owner (so without row-level
 * security, scope or audit), with a pool as large as mitroa's. PgIndexBehaviorsPlugin is disabled:
 * it hides conditions and relations without a plain index, among them person -> household_member
 * (whose unique index is partial) and the status condition. Argument: the database URL; env
 * BENCH_PORT.
 */

// PostGraphile 5 needs Node >= 22 for Promise.withResolvers; mitroa supports Node 20.
if (!('withResolvers' in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const connectionString = process.argv[2]!;
const port = Number(process.env.BENCH_PORT);
const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  pgServices: [makePgService({ connectionString, schemas: ['public'], poolConfig: { max: 20 } })],
  grafserv: { port, graphqlPath: '/graphql' },
  grafast: { explain: false },
});
const server = createServer();
pgl.createServ(grafserv).addTo(server);
await pgl.getSchema();
server.listen(port, '127.0.0.1', () => process.send?.('ready'));
