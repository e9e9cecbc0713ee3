import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createApp } from './app.factory.js';
import { AuthService } from './auth/auth.service.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { describeError } from './common/describe-error.js';
import { stopOnSignals } from './common/shutdown.js';
import { openDatabase } from './database/bootstrap.js';
import { JobWorker } from './jobs/job-worker.js';
import { demoTokenClaims } from './demo/demo-identities.js';
import { seedDemoData } from './demo/seed-demo.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = (m: string) => console.log(`[mitroa] ${m}`);
  const database = await openDatabase(config, log);
  if (config.SEED_DEMO) await seedDemoData(database.url, log);
  const app = await createApp(config, database.url);
  // Ctrl-C, docker stop: the application first (job worker, HTTP server, pools), the database last.
  stopOnSignals(async () => {
    await app.close();
    await database.embedded?.stop();
  }, log);
  try {
    await app.listen(config.PORT);
  } catch (error) {
    await app.close().catch(() => undefined);
    await database.embedded?.stop().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(`port ${config.PORT} is in use: stop what listens there, or set PORT to another port`, {
        cause: error,
      });
    throw error;
  }
  if (config.WORKER_IN_SERVICE) await app.get(JobWorker).start();
  // Last and readable: where everything is, then (development) a token per demo role.
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const lines = [
    '',
    `mitroa is running (${config.NODE_ENV}), Ctrl-C stops it`,
    `  GraphQL   ${base}/graphql`,
    ...(config.isProduction ? [] : [`  GraphiQL  ${base}/graphiql   (paste a token below into its headers)`]),
    `  REST      ${base}/api/v1`,
    `  OpenAPI   ${base}/api/docs   (document: ${base}/api/openapi.json)`,
    `  Health    ${base}/health   Metrics ${base}/metrics`,
  ];
  if (!config.isProduction) {
    const auth = app.get(AuthService);
    const [provider] = await app
      .get(DataSource)
      .query<Array<{ id: string }>>('SELECT id FROM provider ORDER BY name LIMIT 1');
    const ttl = Math.min(12 * 3600, config.JWT_MAX_TTL_SECONDS);
    lines.push('', `Development tokens, valid ${ttl / 3600} h; send as "Authorization: Bearer <token>":`);
    for (const [name, subject, claims] of demoTokenClaims(provider?.id))
      lines.push(`  ${name.padEnd(37)} ${await auth.issueToken(subject, claims, ttl)}`);
    lines.push('', 'More: npm run --silent cli -- token --role <role> ... (README, "Command line")');
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(`[mitroa] start-up failed: ${describeError(error)}`);
  process.exit(1);
});
