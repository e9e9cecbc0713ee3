import { constants } from 'node:os';
import { describeError } from './describe-error.js';

/** Ctrl-C in a terminal, `docker stop` / systemd / Kubernetes, a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Above the job worker's graceful wait for running jobs (10 s) plus the HTTP server and the pools. */
export const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * Stops the service in order on the first shutdown signal: `stop` closes the application (the job
 * worker first, then the HTTP server and the pools, Nest's hooks) and then the embedded database,
 * and the process exits 0 (docs/embedded-database.md, "Stopping"). A second signal, or `stop`
 * taking longer than `timeoutMs`, ends the process at once (128 + the signal's number, or 1); the
 * embedded database is then asked to stop as the process exits (src/database/embedded-postgres.ts).
 *
 * While stopping, an error nobody handles (a job's result written by pg-boss after its pool closed,
 * a connection reset) is logged once instead of crashing with a stack trace: the process is ending
 * anyway, and the order above keeps such errors from happening in the ordinary case.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: (message: string) => void,
  timeoutMs = SHUTDOWN_TIMEOUT_MS,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: stopping at once`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    log(`${signal}: stopping (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again stops at once)`);
    let ignored = 0;
    const ignore = (error: unknown) => {
      if (ignored++ === 0) log(`while stopping: ${describeError(error)} (ignored)`);
    };
    process.on('unhandledRejection', ignore);
    process.on('uncaughtException', ignore);
    setTimeout(() => {
      log(`did not stop within ${timeoutMs / 1000} s: exiting anyway`);
      process.exit(1);
    }, timeoutMs).unref();
    stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log(`stopping failed: ${describeError(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}
