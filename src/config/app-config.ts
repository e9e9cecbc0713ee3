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
   * Hot reads run as named prepared statements (parsed and planned once per connection). Switch
   * off behind a pooler that does not carry them, e.g. PgBouncer before 1.21 in transaction mode.
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

  /** Requests per minute per caller (per API key or user, else per address), per process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  RATE_LIMIT_PER_MINUTE = 1200;

  /**
   * Failed authentications (401) per minute per client address, per process. Beyond it the address
   * gets 429 for the rest of the minute, before any credential is looked up.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  AUTH_FAILURES_PER_MINUTE = 30;

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

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

export class ConfigError extends Error {}

/** Builds and validates the config; throws ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const raw: Record<string, string> = {};
  for (const key of [...known, 'DATABASE_URL', 'JWT_SECRET', 'OIDC_JWKS_URL', 'OIDC_ISSUER']) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (env.DATABASE_APP_ROLE === '') raw.DATABASE_APP_ROLE = '';
  if (raw.SEED_DEMO === undefined && (raw.NODE_ENV ?? 'development') === 'development')
    raw.SEED_DEMO = 'true';
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration, the service cannot start:\n${lines.join('\n')}`);
  }
  return config;
}
