import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createApp } from './app.factory.js';
import { AuthService } from './auth/auth.service.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { describeError } from './common/describe-error.js';
import { openDatabase } from './database/bootstrap.js';
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
  app.enableShutdownHooks();
  if (database.embedded) {
    const stop = database.embedded.stop;
    process.once('beforeExit', () => void stop());
  }
  await app.listen(config.PORT);
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  log(`GraphQL  ${base}/graphql`);
  log(`REST     ${base}/api/v1   OpenAPI ${base}/api/docs (${base}/api/openapi.json)`);
  log(`Health   ${base}/health   Metrics ${base}/metrics`);
  if (!config.isProduction) {
    const auth = app.get(AuthService);
    const [provider] = await app
      .get(DataSource)
      .query<Array<{ id: string }>>('SELECT id FROM provider ORDER BY name LIMIT 1');
    const ttl = Math.min(12 * 3600, config.JWT_MAX_TTL_SECONDS);
    log(`Development tokens (${ttl / 3600} h), send as "Authorization: Bearer <token>":`);
    for (const [name, subject, claims] of demoTokenClaims(provider?.id))
      log(`  ${name.padEnd(34)} ${await auth.issueToken(subject, claims, ttl)}`);
  }
}

main().catch((error: unknown) => {
  console.error(`[mitroa] start-up failed: ${describeError(error)}`);
  process.exit(1);
});
