import pg from 'pg';

/**
 * A pg client that never prepares a named statement: it drops `name` from every query config, so
 * the statement is parsed unnamed, within its own round trip. PgBouncer before 1.21 in transaction
 * pooling mode hands each transaction a different server connection, where a statement prepared
 * by name on another one does not exist. Used for every pool when DATABASE_PREPARED_STATEMENTS is
 * off; this is the one place that strips names, whatever the query code passes.
 */
export class UnnamedStatementsClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config] = args;
    if (config && typeof config === 'object' && 'name' in config) {
      if (typeof (config as { submit?: unknown }).submit === 'function') {
        // A submittable (pg.Query, a cursor) reads its own `name` when it runs.
        (config as { name?: string }).name = undefined;
      } else {
        const { name: _name, ...unnamed } = config as { name?: string };
        args[0] = unnamed;
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** The pool options that carry the prepared-statement setting to pg. */
export function statementOptions(preparedStatements: boolean): { Client?: typeof pg.Client } {
  return preparedStatements ? {} : { Client: UnnamedStatementsClient };
}
