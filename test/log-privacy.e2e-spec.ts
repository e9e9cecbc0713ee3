import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { makeAfm } from '../src/common/identifiers/afm.js';
import { makeAmka } from '../src/common/identifiers/amka.js';
import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { __typename ... on PersonRegistered { beneficiary { id amka } } }
}`;

/**
 * Issue 8, item 6: whatever fails, no log line carries a name, AFM, AMKA, address or free text of a
 * person. The service logs into a captured stream at debug level while database errors that echo
 * such values (a unique violation's `Key (amka)=(...)`, `invalid input syntax ... "<value>"`, the
 * query's parameters) are provoked through the service's own DataSource and logger.
 */
describe('no personal data in log lines', () => {
  const lines: string[] = [];
  let t: TestApp;
  const SURNAME = 'Ζαχαριουδάκη-Καλλιγέρου';
  const GIVEN = 'Πολυξένη';
  const ADDRESS = 'Οδός Αγίας Φιλοθέης 777';
  const first = { amka: makeAmka('1971-03-09', 771), afm: makeAfm('77123456') };
  const second = { amka: makeAmka('1971-03-09', 772), afm: makeAfm('77123457') };
  const secrets = () => [SURNAME, GIVEN, ADDRESS, first.amka, first.afm, second.amka, second.afm];
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    t = await startTestApp(
      { LOG_LEVEL: 'debug' },
      { logDestination: { write: (s: string) => lines.push(s) } },
    );
  });
  afterAll(() => t.close());

  async function register(ids: { amka: string; afm: string }): Promise<string> {
    const token = await t.token({ roles: [Role.CENTRE_STAFF], municipalities: ['4912'] });
    const res = await t.gql(
      token,
      REGISTER,
      {
        input: {
          givenName: GIVEN,
          surname: SURNAME,
          birthDate: '1971-03-09',
          gender: 'FEMALE',
          municipalityCode: '4912',
          ...ids,
        },
      },
      { 'X-Purpose': 'REGISTRATION' },
    );
    expect(res.body.data.registerPerson.__typename).toBe('PersonRegistered');
    return res.body.data.registerPerson.beneficiary.id;
  }

  it('logs a unique violation and a bad-input error by code, constraint and table only', async () => {
    await register(first);
    const secondId = await register(second);
    const ds = t.app.get(DataSource);
    let unique: unknown;
    await ds
      .query(`UPDATE person SET surname = $2, amka = $3 WHERE id = $1`, [secondId, SURNAME, first.amka])
      .catch((e: unknown) => (unique = e));
    let badInput: unknown;
    await ds
      .query(`SELECT id FROM person WHERE id = $1 AND surname = $2`, [`${SURNAME} ${ADDRESS}`, SURNAME])
      .catch((e: unknown) => (badInput = e));
    // What they would have printed before: the values themselves.
    expect(JSON.stringify(unique, Object.getOwnPropertyNames(unique))).toContain(first.amka);
    expect(String((badInput as Error).message)).toContain(ADDRESS);

    // The paths the service's own handlers take (AllExceptionsFilter, formatGraphqlError, Nest's).
    const logger = new Logger('Probe');
    logger.error({ err: unique, requestId: 'probe' }, 'unhandled error');
    logger.error(badInput);
    logger.error({ err: new Error('wrapped', { cause: unique }) }, 'unhandled GraphQL error');

    const database = logged().filter((l) => l.context === 'Database');
    expect(database.map((l) => l.db)).toEqual([
      expect.objectContaining({ code: '23505', constraint: 'person_amka_uq', table: 'person' }),
      expect.objectContaining({ code: '22P02', routine: expect.any(String) }),
    ]);
    expect(database[0]!.query).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      sql: 'UPDATE person SET surname = $2, amka = $3 WHERE id = $1',
    });
    const probes = logged().filter((l) => l.context === 'Probe');
    expect(probes).toHaveLength(3);
    expect(probes[0]!.err).toMatchObject({
      type: 'QueryFailedError',
      code: '23505',
      constraint: 'person_amka_uq',
    });
    expect(probes[1]!.err).toMatchObject({ type: 'QueryFailedError', code: '22P02' });
    expect(probes[2]!.err).toMatchObject({ message: 'wrapped', cause: { code: '23505' } });
    for (const line of lines) for (const secret of secrets()) expect(line).not.toContain(secret);
  });

  it('logs a failed authentication with its request id, reason and address, never the credential', async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLWEtZm9yZ2VyeQ';
    const apiKey = `mitroa_${'ab'.repeat(16)}_${'Z'.repeat(43)}`;
    const bearer = await t.http
      .get('/api/v1/geography/regions')
      .set('Authorization', `Bearer ${forged}`)
      .set('X-Request-Id', 'probe-401-bearer');
    const key = await t.http
      .get('/api/v1/geography/regions')
      .set('X-Api-Key', apiKey)
      .set('X-Forwarded-For', '198.51.100.23');
    expect([bearer.status, key.status]).toEqual([401, 401]);
    const warnings = logged().filter((l) => l.msg === 'authentication failed');
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: 'probe-401-bearer',
        reason: 'token_invalid',
        ip: '127.0.0.1',
      }),
      expect.objectContaining({
        requestId: key.headers['x-request-id'],
        reason: 'api_key_unknown',
        ip: '198.51.100.23',
        path: '/api/v1/geography/regions',
      }),
    ]);
    for (const line of lines) {
      expect(line).not.toContain(forged.split('.')[2]);
      expect(line).not.toContain('Z'.repeat(43));
    }
  });
});
