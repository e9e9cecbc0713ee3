import 'reflect-metadata';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';

/**
 * mitroa as the benchmark serves it, in a process of its own (the parent forks it): the real
 * production configuration (area scope, row-level security as mitroa_app, the read audit, request
 * logging at info, written to stdout which the parent discards), with a rate limit high enough not
 * to answer 429 to the load generator. Argument: the database URL; env BENCH_PORT, BENCH_JWT_SECRET.
 */
const databaseUrl = process.argv[2]!;
const config = loadConfig({
  NODE_ENV: 'production',
  PORT: process.env.BENCH_PORT!,
  JWT_SECRET: process.env.BENCH_JWT_SECRET!,
  REFERRAL_LINK_SECRET: `links-${process.env.BENCH_JWT_SECRET!}`,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  RATE_LIMIT_POINTS_PER_MINUTE: '10000000',
  // The load generator stands for many callers with one token: no per-caller share of the pool.
  DATABASE_CONNECTIONS_PER_CALLER: '1000',
  DATA_DIR: process.env.BENCH_DATA_DIR!,
});
const app = await createApp(config, databaseUrl);
// The parent ends it with SIGTERM: close the pools first (createApp leaves signals to its caller).
app.enableShutdownHooks();
await app.listen(config.PORT, '127.0.0.1');
process.send?.('ready');
