import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { systemActor } from '../src/auth/actor.js';
import { RequestContext } from '../src/auth/request-context.js';
import type { AppConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import { FactsService } from '../src/eligibility/facts/facts.service.js';

/**
 * Reads every person's facts as of a date through FactsService.forEachBatch (one cursor, one
 * connection) from an existing database (DATABASE_URL: one loaded by the other benchmarks, with
 * facts from writeSyntheticFacts), and prints people per second and the peak memory of this
 * process. AS_OF (default today), BATCH (default 5000).
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required: a database with people and facts');
  const asOf = process.env.AS_OF ?? new Date().toISOString().slice(0, 10);
  const batchSize = Number(process.env.BATCH ?? 5000);
  const dataSource = new DataSource(dataSourceOptions(url, { extra: { max: 1 } }));
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  const ctx = new RequestContext(randomUUID(), systemActor('bench-facts'));
  const facts = new FactsService({ ADULT_AGE: 18, ELDERLY_AGE: 65 } as AppConfig);
  let peak = 0;
  let firstBatch = 0;
  let withIncome = 0;
  const started = performance.now();
  try {
    await runner.startTransaction('REPEATABLE READ');
    ctx.bind(runner);
    const people = await facts.forEachBatch(ctx, { asOf, batchSize }, (batch) => {
      firstBatch ||= performance.now() - started;
      for (const row of batch) if (row.facts.household_income_annual) withIncome++;
      peak = Math.max(peak, process.memoryUsage().rss);
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `facts of ${people.toLocaleString('en')} people as of ${asOf}: ${seconds.toFixed(1)} s, ` +
        `${Math.round(people / seconds).toLocaleString('en')} people/s, ${withIncome.toLocaleString('en')} with an income, ` +
        `peak RSS ${Math.round(peak / 2 ** 20)} MB; first batch after ${(firstBatch / 1000).toFixed(1)} s`,
    );
    await runner.commitTransaction();
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
