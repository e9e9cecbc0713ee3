import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { AuthMiddleware } from './auth/auth.middleware.js';
import { RequestRateLimiter } from './auth/request-rate-limiter.js';
import { assignRequestId } from './common/request-id.js';
import type { AppConfig } from './config/app-config.js';
import { mountGraphiql } from './common/graphql/graphiql.js';
import { openApiDocument } from './common/openapi-docs.js';
import { withConnectionBudget } from './database/connection-budget.js';
import { LINK_PAGE_PATH, ReferralLinkMiddleware } from './referrals/referral-link.middleware.js';

export const REST_PREFIX = 'api/v1';

/** Nest's start-up chatter (a line per module and per route); kept at debug level, not on screen. */
const BOOTSTRAP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'GraphQLModule',
]);

function quietBootstrap(logger: Logger): Logger {
  const log = logger.log.bind(logger);
  logger.log = (message: unknown, ...rest: unknown[]) => {
    const context = rest.at(-1);
    if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) logger.debug(message, ...rest);
    else log(message, ...rest);
  };
  return logger;
}

/** Builds the whole service on an already migrated database; main.ts and the e2e tests share it. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: { logger?: boolean; logDestination?: DestinationStream } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, databaseUrl, { logDestination: options.logDestination }),
    { bufferLogs: true, logger: options.logger === false ? false : undefined },
  );
  if (options.logger !== false) app.useLogger(quietBootstrap(app.get(Logger)));
  // First of all, so that a refused request carries its id too (header, body, log, audit row).
  app.use(assignRequestId);
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  // Each request may hold one database connection at a time (rule 15); see connection-budget.ts.
  app.use((_req: Request, _res: Response, next: NextFunction) => withConnectionBudget(next));
  app.useBodyParser('json', { limit: '1mb' });
  // Every API call is authenticated before anything else runs; health, metrics and docs are open.
  const auth = app.get(AuthMiddleware);
  const authenticate = (req: Request, res: Response, next: NextFunction) => void auth.use(req, res, next);
  // Per caller, shared across replicas (auth/request-rate-limiter.ts); GraphQL is charged its cost later.
  const limiter = app.get(RequestRateLimiter);
  // A referral link's token is the credential of its routes, JSON and page (referral-link.middleware.ts).
  const links = app.get(ReferralLinkMiddleware);
  const linkAuth = (req: Request, res: Response, next: NextFunction) => void links.use(req, res, next);
  app.use(`/${REST_PREFIX}/referral-links`, linkAuth);
  app.use(LINK_PAGE_PATH, linkAuth, limiter.middleware(false));
  app.use(`/${REST_PREFIX}`, authenticate, limiter.middleware(false));
  app.use('/graphql', authenticate, limiter.middleware(true));
  app.setGlobalPrefix(REST_PREFIX, {
    exclude: ['health', 'health/live', 'metrics', 'graphql', { path: 'r/:token', method: RequestMethod.ALL }],
  });
  // No enableShutdownHooks here: its signal handler re-raises the signal once Nest is closed, which
  // ended the service before it stopped its embedded database. The entry points that run until a
  // signal (main.ts, worker.ts) stop in order with src/common/shutdown.ts.

  const document = openApiDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
  });
  if (!config.isProduction) mountGraphiql(app);
  await app.init();
  return app;
}
