import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app.factory.js';
import { AuthService, type MitroaClaims } from '../../src/auth/auth.service.js';
import { loadConfig } from '../../src/config/app-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  db: TestDatabase;
  http: ReturnType<typeof request>;
  token(claims: MitroaClaims, subject?: string): Promise<string>;
  gql(
    token: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): request.Test;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-of-at-least-32-characters-long';
export const TEST_REFERRAL_LINK_SECRET = 'test-referral-link-secret-of-32-characters-or-more';

/**
 * The whole service over HTTP on a database of this test file's own. Every request comes from
 * 127.0.0.1, so the failed-authentication limit is lifted unless a test sets
 * AUTH_FAILURES_PER_MINUTE (or sends X-Forwarded-For: the loopback proxy is trusted); so is the
 * request rate limit unless it sets RATE_LIMIT_POINTS_PER_MINUTE or
 * RATE_LIMIT_API_KEY_POINTS_PER_MINUTE. `logDestination` receives the log lines (set LOG_LEVEL
 * too). `database`: serve that test's database instead (a second replica); it is left to its owner
 * to drop.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { logDestination?: DestinationStream; database?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    REFERRAL_LINK_SECRET: TEST_REFERRAL_LINK_SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: '.data/test',
    AUTH_FAILURES_PER_MINUTE: '1000000',
    RATE_LIMIT_POINTS_PER_MINUTE: '1000000',
    RATE_LIMIT_API_KEY_POINTS_PER_MINUTE: '1000000',
    ...env,
  });
  const app = await createApp(config, db.url, {
    logger: env.LOG_LEVEL !== undefined,
    logDestination: options.logDestination,
  });
  const server = app.getHttpServer();
  const auth = app.get(AuthService);
  return {
    app,
    db,
    http: request(server),
    token: (claims, subject = 'test-user') => auth.issueToken(subject, claims),
    gql: (token, query, variables, headers = {}) => {
      const req = request(server).post('/graphql').set('Content-Type', 'application/json');
      if (token) req.set('Authorization', `Bearer ${token}`);
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      return req.send({ query, variables });
    },
    close: async () => {
      await app.close();
      if (!options.database) await db.drop();
    },
  };
}
