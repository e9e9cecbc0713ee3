import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

export type NodeEnv = 'development' | 'production' | 'test';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined || typeof value === 'boolean'
    ? value
    : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);

/**
 * Every setting of the service, read from the environment once at start-up and validated.
 * A bad or missing setting stops start-up with a message naming it (see loadConfig).
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: NodeEnv = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 20;

  /**
   * How long a request waits for a free pool connection before it is refused with 503 SERVICE_BUSY:
   * short, so that a burst fails fast and the service recovers by itself.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  DATABASE_POOL_TIMEOUT_MS = 3000;

  /**
   * How many pool connections one caller (a token's subject, an API key, an anonymous address) may
   * hold at once; its further requests wait their turn (DATABASE_POOL_TIMEOUT_MS), then 429. Keeps
   * one caller's burst of costly queries from taking the whole pool (caller-share.ts). At most the
   * pool's size.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_CONNECTIONS_PER_CALLER = 5;

  /**
   * Hot reads run as named prepared statements (parsed and planned once per connection). Switch
   * off behind a pooler that does not carry them, e.g. PgBouncer before 1.21 in transaction mode:
   * then no query names a statement, whatever asks (every pool strips names, unnamed-statements.ts).
   */
  @Transform(toBool)
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = true;

  /** A real PostgreSQL server (15 to 18). When unset, an embedded PostgreSQL is started in DATA_DIR. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// connection string',
  })
  DATABASE_URL?: string;

  /**
   * A streaming read replica of DATABASE_URL for public directory lists that tolerate a little lag
   * (see docs/scaling.md for what goes where). Unset: everything runs on DATABASE_URL.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, {
    message: 'DATABASE_READ_URL must be a postgres:// or postgresql:// connection string',
  })
  DATABASE_READ_URL?: string;

  /** Folder that keeps the embedded database between restarts. */
  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  /**
   * The database role that requests run as (SET LOCAL ROLE): it may append to the audit trail but
   * never change it. Empty disables the switch, for managed databases where the role cannot be made.
   */
  @IsString()
  @Matches(/^$|^[a-z_][a-z0-9_]*$/, {
    message: 'DATABASE_APP_ROLE must be a lower-case SQL identifier or empty',
  })
  DATABASE_APP_ROLE = 'mitroa_app';

  /** HS256 secret for bearer tokens. Required outside development and tests. */
  @ValidateIf((c: AppConfig) => c.NODE_ENV === 'production' || c.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /**
   * HS256 secret that signs the links of referrals (a provider without an account answers one
   * referral through it). Required outside development and tests, and not JWT_SECRET: a link must
   * never pass for an access token, nor the other way round, and each can be rotated on its own.
   */
  @ValidateIf((c: AppConfig) => c.NODE_ENV === 'production' || c.REFERRAL_LINK_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'REFERRAL_LINK_SECRET must be at least 32 characters' })
  REFERRAL_LINK_SECRET?: string;

  @IsString()
  JWT_ISSUER = 'mitroa';

  @IsString()
  JWT_AUDIENCE = 'mitroa-api';

  /** JWKS URL of an OIDC issuer (e.g. Keycloak); tokens it signs are accepted besides HS256 ones. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  OIDC_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  OIDC_ISSUER?: string;

  /**
   * The longest an access token may be valid: exp - iat (or exp - now without iat). Longer-lived
   * tokens, and tokens without exp, are refused; identity providers issue minutes, not years.
   */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  JWT_MAX_TTL_SECONDS = 12 * 3600;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Seed demo data (synthetic people, the seed documents' centres) at start-up; on by default in development. */
  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO = false;

  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(50)
  GRAPHQL_MAX_DEPTH = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  GRAPHQL_MAX_COST = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  GRAPHQL_MAX_ALIASES = 15;

  /**
   * Whether reading the directory (providers, programmes, HSDS, geography over REST) needs a
   * credential. By default it does not: the directory holds no personal data, and Open Referral
   * directories are read without an account. Anonymous callers are rate-limited per address.
   */
  @Transform(toBool)
  @IsBoolean()
  DIRECTORY_REQUIRES_TOKEN = false;

  /**
   * Rate-limit points a signed-in person (a token's subject) may spend per minute, counted in
   * PostgreSQL across every replica. A REST request costs 1 point, a GraphQL operation its cost
   * divided by RATE_LIMIT_GRAPHQL_COST_PER_POINT (at least 1). 1,200 is 20 a second, more than a
   * person at a screen ever needs.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000000)
  RATE_LIMIT_POINTS_PER_MINUTE = 1200;

  /**
   * Points per minute per API key: integrations synchronise in bulk, so ten times a person's
   * (200 cheap requests a second).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000000)
  RATE_LIMIT_API_KEY_POINTS_PER_MINUTE = 12000;

  /**
   * How long (ms) a replica may count a caller's points itself before adding them to the shared
   * count, in one statement for every caller; a charge that would reach the limit is written at
   * once. 0 writes every charge as it comes (one round trip per request). A caller can exceed its
   * limit by what other replicas counted in this time.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000)
  RATE_LIMIT_FLUSH_MS = 250;

  /** GraphQL cost (the complexity plugin's estimate) that one rate-limit point buys. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  RATE_LIMIT_GRAPHQL_COST_PER_POINT = 100;

  /**
   * Failed authentications (401) per minute per client address, counted in PostgreSQL across
   * every replica. Beyond it the address gets 429 for the rest of the minute, before any credential
   * is looked up.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  AUTH_FAILURES_PER_MINUTE = 30;

  /**
   * Run the job worker (webhook delivery, the referral schedule) inside the service; on by default in
   * development. In production run it as its own process (`npm run worker`), as many as needed.
   */
  @Transform(toBool)
  @IsBoolean()
  WORKER_IN_SERVICE = false;

  /**
   * Deliver webhooks to loopback, private, link-local, unique-local, CGNAT ... addresses, and accept
   * subscriptions naming them or local names (localhost). Off: a subscription URL reaches only public
   * addresses, checked again on every connection (docs/security.md, "Webhook addresses"). On only for
   * tests and a receiver deliberately run beside the worker.
   */
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES = false;

  /** Accept and deliver only https webhook URLs; on by default in production. */
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_REQUIRE_HTTPS = false;

  /** The largest feed file an import accepts, in bytes (a larger upload answers 413 FILE_TOO_LARGE). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(20 * 1024 * 1024 * 1024)
  IMPORT_MAX_BYTES = 1024 * 1024 * 1024;

  /** Days an import's row problems and stored file are kept after it finished; a daily job purges them. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  IMPORT_RETENTION_DAYS = 30;

  /** Age from which a person is an adult: younger people are in the CHILD group. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(30)
  ADULT_AGE = 18;

  /** Age from which a person is in the ELDERLY group. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(100)
  ELDERLY_AGE = 65;

  /** Days after its due date that a referral still unanswered (SENT) expires. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  REFERRAL_EXPIRE_AFTER_DAYS = 30;

  /** Hours between two reminders of one overdue referral. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8760)
  REFERRAL_REMIND_EVERY_HOURS = 48;

  /**
   * Published counts below this (1 to n - 1) are suppressed for callers who may not see the people
   * themselves (regional officers), with complementary suppression (src/common/small-cells.ts).
   */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(100)
  SMALL_CELL_THRESHOLD = 5;

  /** Days a referral link is valid when its creator names none. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFERRAL_LINK_DEFAULT_DAYS = 14;

  /** The longest a referral link may be valid, in days; a longer request is refused. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  REFERRAL_LINK_MAX_DAYS = 30;

  /**
   * The address people reach the service at (e.g. https://mitroa.example.gr), for the links it hands
   * out. Unset: a link is returned as a path (/r/...), to put after the address by hand.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_URL?: string;

  /**
   * When the worker runs the referral schedule (overdue, reminders, expiry): a five-field cron
   * expression in UTC, every five minutes by default. pg-boss fires a schedule at most once a
   * minute whatever the expression says, and once across all workers.
   */
  @Matches(/^[0-9*/,-]+( [0-9*/,-]+){4}$/, {
    message: 'REFERRAL_SCHEDULE_CRON must be a five-field cron expression, e.g. "*/5 * * * *"',
  })
  REFERRAL_SCHEDULE_CRON = '*/5 * * * *';

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

export class ConfigError extends Error {}

/** Builds and validates the config; throws ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  if (env.RATE_LIMIT_PER_MINUTE !== undefined)
    throw new ConfigError(
      'Invalid configuration, the service cannot start:\n  RATE_LIMIT_PER_MINUTE: renamed; set RATE_LIMIT_POINTS_PER_MINUTE (people) and RATE_LIMIT_API_KEY_POINTS_PER_MINUTE (API keys) instead',
    );
  const known = Object.keys(new AppConfig());
  const raw: Record<string, string> = {};
  for (const key of [
    ...known,
    'DATABASE_URL',
    'DATABASE_READ_URL',
    'JWT_SECRET',
    'REFERRAL_LINK_SECRET',
    'PUBLIC_URL',
    'OIDC_JWKS_URL',
    'OIDC_ISSUER',
  ]) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (env.DATABASE_APP_ROLE === '') raw.DATABASE_APP_ROLE = '';
  if (raw.SEED_DEMO === undefined && (raw.NODE_ENV ?? 'development') === 'development')
    raw.SEED_DEMO = 'true';
  if (raw.WORKER_IN_SERVICE === undefined && (raw.NODE_ENV ?? 'development') === 'development')
    raw.WORKER_IN_SERVICE = 'true';
  if (raw.WEBHOOK_REQUIRE_HTTPS === undefined && raw.NODE_ENV === 'production')
    raw.WEBHOOK_REQUIRE_HTTPS = 'true';
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  const problems = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  if (config.REFERRAL_LINK_SECRET !== undefined && config.REFERRAL_LINK_SECRET === config.JWT_SECRET)
    problems.push('  REFERRAL_LINK_SECRET: must differ from JWT_SECRET');
  if (config.REFERRAL_LINK_DEFAULT_DAYS > config.REFERRAL_LINK_MAX_DAYS)
    problems.push('  REFERRAL_LINK_DEFAULT_DAYS: must not exceed REFERRAL_LINK_MAX_DAYS');
  if (problems.length > 0)
    throw new ConfigError(`Invalid configuration, the service cannot start:\n${problems.join('\n')}`);
  return config;
}
