import type { QueryRunner } from 'typeorm';

/**
 * DataLoaders of one GraphQL operation dispatch their batches together, on the request's one
 * connection; pg runs them one after another anyway, but issuing a query while another runs on the
 * same client is deprecated and gone in pg 9. Queue them here instead.
 */
export function oneQueryAtATime(runner: QueryRunner): void {
  const query = runner.query.bind(runner);
  let tail: Promise<unknown> = Promise.resolve();
  runner.query = ((...args: Parameters<QueryRunner['query']>) => {
    const result = tail.then(() => query(...args));
    tail = result.catch(() => undefined);
    return result;
  }) as QueryRunner['query'];
}
