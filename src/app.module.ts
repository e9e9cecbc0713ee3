import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BeneficiariesModule } from './beneficiaries/beneficiaries.module.js';
import { EligibilityModule } from './eligibility/eligibility.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { complexityPlugin, operationCoster } from './common/graphql/complexity.plugin.js';
import { graphqlRateLimit } from './common/graphql/rate-limit.js';
import { RequestRateLimiter } from './auth/request-rate-limiter.js';
import { NoSubscriptionsRule } from './common/graphql/no-subscriptions.rule.js';
import { graphqlErrorFormatter } from './common/graphql/format-error.js';
import { enforcePersonalData } from './common/graphql/personal-data.js';
import { DateTimeScalar } from './common/graphql/scalars.js';
import type { GqlContext } from './common/graphql/gql-context.js';
import { transactionPlugin } from './common/graphql/transaction.plugin.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './common/pagination.js';
import { logMethodWithSafeMessage, safeErrorLog } from './common/safe-error-log.js';
import { RequestBodyInterceptor } from './common/request-body.js';
import { EdgePipe } from './common/validation.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { RestTransactionInterceptor } from './database/rest-transaction.interceptor.js';
import { TransactionService } from './database/transaction.service.js';
import { GeographyModule } from './geography/geography.module.js';
import { HsdsModule } from './hsds/hsds.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsMiddleware } from './health/metrics.js';
import { ImportsModule } from './imports/imports.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { ProgrammesModule } from './programmes/programmes.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { ReferralsModule } from './referrals/referrals.module.js';
import { withoutLinkToken } from './referrals/referral-link-token.js';
import { StatisticsModule } from './statistics/statistics.module.js';

/** Feature modules; each registers its own resolvers and controllers. */
export const FEATURE_MODULES = [
  AuthModule,
  AuditModule,
  GeographyModule,
  BeneficiariesModule,
  ProvidersModule,
  ProgrammesModule,
  EligibilityModule,
  ReferralsModule,
  StatisticsModule,
  HsdsModule,
  OutboxModule,
  ImportsModule,
  JobsModule,
];

function graphqlModule() {
  return GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    inject: [AppConfig, TransactionService, GraphQLSchemaHost, RequestRateLimiter],
    useFactory: (
      config: AppConfig,
      tx: TransactionService,
      schemaHost: GraphQLSchemaHost,
      limiter: RequestRateLimiter,
    ) => {
      const costOf = operationCoster(() => schemaHost.schema, {
        defaultSize: DEFAULT_PAGE_SIZE,
        maxSize: MAX_PAGE_SIZE,
      });
      const armor = new ApolloArmor({
        maxDepth: { n: config.GRAPHQL_MAX_DEPTH },
        maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
        maxDirectives: { n: 20 },
        // Counted by graphql-js's own parser (parseOptions below): armor's check answers a 500.
        maxTokens: { enabled: false },
        costLimit: { enabled: false }, // page-aware cost below instead
        blockFieldSuggestion: { enabled: true },
      }).protect();
      return {
        path: '/graphql',
        autoSchemaFile: true,
        sortSchema: true,
        // Instants are parsed strictly (no "x", no 30 February): see common/graphql/scalars.ts.
        buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
        transformSchema: enforcePersonalData,
        playground: false,
        graphiql: false,
        introspection: !config.isProduction,
        includeStacktraceInErrorResponses: false,
        allowBatchedHttpRequests: false,
        csrfPrevention: true,
        validationRules: [...armor.validationRules, NoSubscriptionsRule],
        parseOptions: { maxTokens: 3000 },
        // @nestjs/apollo is typed against @apollo/server's CommonJS declarations, ours against its ESM ones.
        plugins: [
          ...armor.plugins,
          ApolloServerPluginLandingPageDisabled(),
          // No HTTP caching of personal data, and without a field hook Apollo resolves fields unwrapped.
          ApolloServerPluginCacheControlDisabled(),
          complexityPlugin(costOf, config.GRAPHQL_MAX_COST),
          transactionPlugin(tx, graphqlRateLimit(limiter, costOf, config.GRAPHQL_MAX_COST)),
        ] as unknown as ApolloDriverConfig['plugins'],
        context: ({ req, res }: GqlContext) => ({ req, res }),
        formatError: graphqlErrorFormatter(config.isProduction),
      };
    },
  });
}

@Module({})
export class AppModule implements NestModule {
  /** `logDestination` replaces stdout (tests read the log lines from it). */
  static forRoot(
    config: AppConfig,
    databaseUrl: string,
    options: { logDestination?: DestinationStream } = {},
  ): DynamicModule {
    const pinoHttp = {
      level: config.LOG_LEVEL,
      // assignRequestId (app.factory.ts) has given every request its id before authentication.
      genReqId: (req: IncomingMessage & { id?: string }) => req.id ?? randomUUID(),
      // Never a name, AFM or AMKA in a log line: no query strings, bodies or credentials (a referral
      // link's token in its path included), and
      // errors reduced to what identifies them (safeErrorLog).
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: withoutLinkToken(req.url.split('?')[0]!),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: (err: unknown) => safeErrorLog(err),
      },
      hooks: { logMethod: logMethodWithSafeMessage },
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
    };
    return {
      module: AppModule,
      imports: [
        ConfigModule.forConfig(config),
        LoggerModule.forRoot({
          pinoHttp: options.logDestination ? [pinoHttp, options.logDestination] : pinoHttp,
          // One wildcard Nest itself extends to the paths outside the global prefix; nestjs-pino's
          // default adds those paths a second time, which logged /health twice per call.
          forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
        }),
        DatabaseModule.forUrl(databaseUrl),
        HealthModule,
        graphqlModule(),
        ...FEATURE_MODULES,
      ],
      providers: [
        { provide: APP_PIPE, useClass: EdgePipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_INTERCEPTOR, useClass: RestTransactionInterceptor },
        // After (inside) the transaction, so that a refused body is audited like any refusal.
        { provide: APP_INTERCEPTOR, useClass: RequestBodyInterceptor },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MetricsMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
