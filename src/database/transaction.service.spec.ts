import { DataSource } from 'typeorm';
import { systemActor } from '../auth/actor.js';
import { RequestContext } from '../auth/request-context.js';
import { loadConfig } from '../config/app-config.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { dataSourceOptions } from './data-source.js';
import { TransactionService } from './transaction.service.js';

/** Service tier on a real PostgreSQL: the entry point's transaction is all or nothing, and the audit trail survives a rollback. */
describe('TransactionService', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let tx: TransactionService;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(db.url, { extra: { max: 4 } }));
    await dataSource.initialize();
    tx = new TransactionService(dataSource, loadConfig({ NODE_ENV: 'test' }));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const keyCount = async (name: string) =>
    Number((await dataSource.query(`SELECT count(*) AS n FROM api_key WHERE name = $1`, [name]))[0].n);
  const auditCount = async (requestId: string) =>
    Number(
      (await dataSource.query(`SELECT count(*) AS n FROM audit_event WHERE request_id = $1`, [requestId]))[0]
        .n,
    );
  const insertKey = (ctx: RequestContext, name: string) =>
    ctx.em.query(
      `INSERT INTO api_key (id, name, secret_hash, roles, created_by) VALUES (gen_random_uuid(), $1, '\\x00', '{}', 'test')`,
      [name],
    );

  it('commits the work and its audit entries together', async () => {
    const ctx = new RequestContext('req-commit', systemActor('test'));
    await tx.run(ctx, async () => {
      await insertKey(ctx, 'committed');
      ctx.audit({ action: 'probe.write', outcome: 'allowed' });
    });
    expect(await keyCount('committed')).toBe(1);
    expect(await auditCount('req-commit')).toBe(1);
  });

  it('rolls back every write when the work fails, yet keeps the audit entries', async () => {
    const ctx = new RequestContext('req-rollback', systemActor('test'));
    await expect(
      tx.run(ctx, async () => {
        await insertKey(ctx, 'rolled-back');
        ctx.audit({ action: 'probe.write', outcome: 'denied', reason: 'test refusal' });
        throw new Error('refused halfway');
      }),
    ).rejects.toThrow('refused halfway');
    expect(await keyCount('rolled-back')).toBe(0);
    expect(await auditCount('req-rollback')).toBe(1);
  });

  it('runs the work as the application role, which cannot change the audit trail', async () => {
    const ctx = new RequestContext('req-role', systemActor('test'));
    const role = await tx.run(ctx, async () => (await ctx.em.query(`SELECT current_user AS u`))[0].u);
    expect(role).toBe('mitroa_app');
    const attempt = new RequestContext('req-role-2', systemActor('test'));
    await expect(tx.run(attempt, () => attempt.em.query(`DELETE FROM audit_event`))).rejects.toThrow(
      /permission denied/,
    );
  });
});
