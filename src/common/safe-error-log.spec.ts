import { QueryFailedError } from 'typeorm';
import { errorLogMessage, safeErrorLog } from './safe-error-log.js';

/** A pg DatabaseError as node-postgres builds it. */
function pgError(fields: Record<string, string>): Error {
  return Object.assign(new Error(fields.message), { name: 'error', severity: 'ERROR', ...fields });
}

describe('safeErrorLog', () => {
  const uniqueViolation = pgError({
    message: 'duplicate key value violates unique constraint "person_amka_uq"',
    code: '23505',
    detail: 'Key (amka)=(01017112345) already exists.',
    table: 'person',
    constraint: 'person_amka_uq',
    schema: 'public',
    routine: '_bt_check_unique',
  });

  it('reduces a database error to code, constraint, table and routine', () => {
    const failed = new QueryFailedError(
      'UPDATE person SET surname = $1',
      ['Παπαδοπούλου', '01017112345'],
      uniqueViolation,
    );
    for (const error of [uniqueViolation, failed]) {
      const log = safeErrorLog(error);
      expect(log).toMatchObject({
        code: '23505',
        constraint: 'person_amka_uq',
        table: 'person',
        routine: '_bt_check_unique',
      });
      expect(log.message).toBeUndefined();
      const text = JSON.stringify(log);
      for (const leak of ['01017112345', 'Παπαδοπούλου', 'UPDATE', 'Key (amka)', 'already exists'])
        expect(text).not.toContain(leak);
    }
  });

  it('never keeps the message of an input error that echoes the value', () => {
    const bad = pgError({
      message: 'invalid input syntax for type uuid: "Οδός Αθηνάς 12"',
      code: '22P02',
      routine: 'string_to_uuid',
    });
    expect(JSON.stringify(safeErrorLog(bad))).not.toContain('Αθηνάς');
    expect(errorLogMessage(bad)).toBe('Error 22P02');
  });

  it('keeps other messages with quoted values blanked, and follows causes and aggregates', () => {
    const log = safeErrorLog(
      new Error('import failed for "Γιάννης" (Key (afm)=(123456789))', {
        cause: new AggregateError([uniqueViolation], 'two tries'),
      }),
    );
    expect(log.message).toBe('import failed for "…" (Key (afm)=(…))');
    expect(log.cause).toMatchObject({
      type: 'AggregateError',
      message: 'two tries',
      errors: [{ code: '23505' }],
    });
    expect(log.stack).toMatch(/^\s+at /);
  });

  it('takes the original error from pino-http’s serialization', () => {
    const serialized = { type: 'Error', message: 'joined: Key (amka)=(01017112345)', raw: uniqueViolation };
    expect(safeErrorLog(serialized)).toMatchObject({ code: '23505', constraint: 'person_amka_uq' });
    expect(safeErrorLog('a "quoted" string')).toEqual({ type: 'string', message: 'a "…" string' });
  });
});
