import { readFileSync, writeFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { startTestApp, type TestApp } from './support/test-app.js';

/** schema.gql is committed for front-end teams; it must match what the code serves. */
describe('schema.gql', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is up to date (regenerate with UPDATE_SCHEMA=1 npm test, or npm run cli -- schema)', () => {
    const served = printSchema(t.app.get(GraphQLSchemaHost).schema) + '\n';
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync('schema.gql', served);
    const committed = readFileSync('schema.gql', 'utf8');
    expect(committed).toBe(served);
  });
});
