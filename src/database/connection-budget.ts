import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

/**
 * A request holds at most one pool connection (rule 15). If every request in flight held one and
 * waited for a second, the pool would deadlock for good; so the pool refuses a second connection to
 * any async context that already holds one. It is a programming error, surfaced at once (a 500 and
 * a log line naming it) instead of a frozen service.
 */
interface Budget {
  held: number;
}

const budgets = new AsyncLocalStorage<Budget>();

/** Runs `work` (one HTTP request, one CLI command, one job) with a budget of one connection. */
export function withConnectionBudget<T>(work: () => T): T {
  return budgets.run({ held: 0 }, work);
}

/** Runs `work` outside any budget: for work a request schedules but does not wait for (a timer). */
export function outsideConnectionBudget<T>(work: () => T): T {
  return budgets.exit(work);
}

export class SecondConnectionError extends Error {
  constructor() {
    super(
      'A request asked for a second database connection while holding one: use ctx.em (the request transaction) instead of the DataSource.',
    );
    this.name = 'SecondConnectionError';
  }
}

/** The error pg-pool raises when no connection frees up within connectionTimeoutMillis. */
export function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/.test(error.message);
}

type Release = (error?: Error | boolean) => void;
type ConnectCallback = (error: Error | undefined, client?: pg.PoolClient, release?: Release) => void;

/** Wraps `pool.connect` so that it counts connections per budget; TypeORM uses its callback form. */
export function guardPool(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb: ConnectCallback) => void;
  (pool as unknown as { connect: (cb?: ConnectCallback) => unknown }).connect = (cb?: ConnectCallback) => {
    const promised = cb === undefined;
    let resolve!: (client: pg.PoolClient) => void;
    let reject!: (error: Error) => void;
    const promise = promised
      ? new Promise<pg.PoolClient>((res, rej) => {
          resolve = res;
          reject = rej;
        })
      : undefined;
    const done: ConnectCallback = promised
      ? (error, client) => (error ? reject(error) : resolve(client!))
      : cb;
    const budget = budgets.getStore();
    if (budget && budget.held > 0) {
      done(new SecondConnectionError());
      return promise;
    }
    if (budget) budget.held++;
    connect((error, client, release) => {
      if (error || !client || !release) {
        if (budget) budget.held--;
        return done(error ?? new Error('the pool returned no connection'));
      }
      let released = false;
      const releaseOnce: Release = (e) => {
        if (!released && budget) budget.held--;
        released = true;
        release(e);
      };
      // pool.query and promise callers release through client.release, TypeORM through the callback's.
      client.release = releaseOnce as pg.PoolClient['release'];
      done(undefined, client, releaseOnce);
    });
    return promise;
  };
}
