import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { describeError } from './common/describe-error.js';
import { stopOnSignals } from './common/shutdown.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { openDatabase } from './database/bootstrap.js';
import { JobWorker } from './jobs/job-worker.js';

/**
 * The job worker as its own process (`npm run worker`): the same application, not listening for
 * HTTP, running pg-boss's queues. Start as many as needed; none does a job another is doing.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const log = (m: string) => console.log(`[mitroa-worker] ${m}`);
  const database = await openDatabase(config, log, { share: true });
  const app = await createApp(config, database.url);
  stopOnSignals(async () => {
    await app.close();
    await database.embedded?.stop();
  }, log);
  await app.get(JobWorker).start();
  log('worker running, Ctrl-C stops it');
}

main().catch((error: unknown) => {
  console.error(`[mitroa-worker] start-up failed: ${describeError(error)}`);
  process.exit(1);
});
