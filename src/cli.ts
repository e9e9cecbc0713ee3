import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { printSchema } from 'graphql';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import pg from 'pg';
import type { MitroaClaims } from './auth/auth.service.js';
import { generateApiKey, hashSecret } from './auth/auth.service.js';
import { checkAreaClaims } from './auth/area-claims.js';
import { Permission, Role } from './auth/roles.js';
import { signToken } from './auth/tokens.js';
import { describeError } from './common/describe-error.js';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { openDatabase } from './database/bootstrap.js';
import { seedDemoData } from './demo/seed-demo.js';

const USAGE = `mitroa command line (npm run --silent cli -- <command> [options])

  migrate                         apply pending migrations
  seed-demo                       load the demo data
  token --role R [options]        print a development access token
        --region N | --municipalities 4912,4904 | --provider ID
        --special-category        grant the special-category permission
        --subject S  --ttl 12h
  api-key --name N --role R [--region N]
                                  create an API key for a regional system (printed once)
  schema [--out schema.gql]       write the GraphQL schema
  import --feed F --file PATH [--dry-run] [--encoding E] [--format F] [--queue]
         [--municipalities 4912,4904]
                                  import a feed file (TAXIS, EFKA, OPEKA, KEPA, DYPA, REGISTRY) with a
                                  progress bar; --queue leaves it to the workers (npm run worker);
                                  REGISTRY needs --municipalities, the area its records are for
  statistics-rebuild              recount every statistics table whole, now, likely eligible
                                  included (the job worker otherwise recounts what changed every
                                  minute, and the likely eligible nightly)

DATABASE_URL selects the database; without it the embedded one in DATA_DIR is used (the running
service's, when \`npm start\` runs).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseOptions({
    args: rest,
    options: {
      role: { type: 'string', multiple: true },
      region: { type: 'string' },
      municipalities: { type: 'string' },
      provider: { type: 'string' },
      'special-category': { type: 'boolean' },
      subject: { type: 'string' },
      ttl: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      feed: { type: 'string' },
      file: { type: 'string' },
      'dry-run': { type: 'boolean' },
      encoding: { type: 'string' },
      format: { type: 'string' },
      queue: { type: 'boolean' },
    },
  });
  const config = loadConfig();
  const log = (m: string) => console.error(`[mitroa] ${m}`);
  switch (command) {
    case 'migrate': {
      const db = await openDatabase(config, log, SHARE);
      log(db.appliedMigrations.length ? 'migrated' : 'already up to date');
      await db.embedded?.stop();
      return 0;
    }
    case 'seed-demo': {
      const db = await openDatabase(config, log, SHARE);
      await seedDemoData(db.url, log);
      await db.embedded?.stop();
      return 0;
    }
    case 'token':
      console.log(
        await signToken(
          config,
          values.subject ?? `cli-${values.role?.join('-')}`,
          claimsFrom(values),
          values.ttl ?? Math.min(12 * 3600, config.JWT_MAX_TTL_SECONDS),
        ),
      );
      return 0;
    case 'api-key':
      return createApiKey(config, values, log);
    case 'schema':
      return writeSchema(config, values.out ?? 'schema.gql', log);
    case 'import':
      return importFile(config, values, log);
    case 'statistics-rebuild':
      return rebuildStatistics(config, log);
    case undefined:
    case 'help':
      console.error(USAGE);
      return 0;
    default:
      throw new UsageError(`Unknown command "${command}": \`npm run --silent cli -- help\` lists them.`);
  }
}

/** parseArgs, with a mistyped option said as a usage error that points to `help`, not as a failure. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`${error.message}: \`npm run --silent cli -- help\` lists the options.`);
    throw error;
  }
}

function claimsFrom(values: {
  role?: string[];
  region?: string;
  municipalities?: string;
  provider?: string;
  'special-category'?: boolean;
}): MitroaClaims {
  const known = Object.values(Role) as string[];
  const roles = values.role ?? [];
  if (roles.length === 0 || !roles.every((r) => known.includes(r)))
    throw new UsageError(`--role must be one of: ${known.join(', ')}`);
  const claims: MitroaClaims = {
    roles: roles as Role[],
    ...(values.region ? { region: values.region } : {}),
    ...(values.municipalities
      ? { municipalities: values.municipalities.split(',').map((s) => s.trim()) }
      : {}),
    ...(values.provider ? { provider: values.provider } : {}),
    ...(values['special-category'] ? { permissions: [Permission.SPECIAL_CATEGORY] } : {}),
  };
  // The service would refuse anything else (AREA_CLAIM_OF_ROLE); say so now.
  const area = checkAreaClaims(claims.roles, claims);
  if (!area.ok) throw new UsageError(area.why);
  return claims;
}

async function createApiKey(
  config: AppConfig,
  values: { name?: string; role?: string[]; region?: string },
  log: (m: string) => void,
): Promise<number> {
  const claims = claimsFrom(values);
  if (!values.name) throw new UsageError('--name is required');
  if (!claims.roles.every((r) => r === Role.REGIONAL_OFFICER || r === Role.IMPORT_OPERATOR))
    throw new UsageError('An API key can carry only the roles regional_officer and import_operator.');
  const db = await openDatabase(config, log, SHARE);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const key = generateApiKey();
    await client.query(
      `INSERT INTO api_key (id, name, secret_hash, roles, region_code, created_by) VALUES ($1, $2, $3, $4, $5, 'system:cli')`,
      [key.id, values.name, hashSecret(key.secret), claims.roles, values.region ?? null],
    );
    await client.query(
      `INSERT INTO audit_event (actor_id, actor_kind, action, subject_type, subject_id, outcome) VALUES ('system:cli', 'system', 'api_key.create', 'api_key', $1, 'allowed')`,
      [key.id],
    );
    console.log(key.key);
  } finally {
    await client.end();
    await db.embedded?.stop();
  }
  return 0;
}

async function writeSchema(config: AppConfig, out: string, log: (m: string) => void): Promise<number> {
  const { createApp } = await import('./app.factory.js');
  const db = await openDatabase(config, log, SHARE);
  const app = await createApp(config, db.url, { logger: false });
  writeFileSync(out, printSchema(app.get(GraphQLSchemaHost).schema) + '\n');
  await app.close();
  await db.embedded?.stop();
  log(`wrote ${out}`);
  return 0;
}

async function importFile(
  config: AppConfig,
  values: {
    feed?: string;
    file?: string;
    'dry-run'?: boolean;
    encoding?: string;
    format?: string;
    queue?: boolean;
    municipalities?: string;
  },
  log: (m: string) => void,
): Promise<number> {
  const { createApp } = await import('./app.factory.js');
  const { runImportCommand } = await import('./imports/import-cli.js');
  const db = await openDatabase(config, log, SHARE);
  const app = await createApp(config, db.url, { logger: false });
  try {
    return await runImportCommand(app, { ...values, dryRun: values['dry-run'] });
  } finally {
    await app.close();
    await db.embedded?.stop();
  }
}

/**
 * Recounts every statistics table whole (docs/statistics.md, "Freshness"): the four summary tables,
 * the ESF+ indicators and the people likely eligible, which the job worker otherwise counts only
 * nightly, so that a new database's figures need not wait for 02:30.
 */
async function rebuildStatistics(config: AppConfig, log: (m: string) => void): Promise<number> {
  const { createApp } = await import('./app.factory.js');
  const { StatisticsService } = await import('./statistics/statistics.service.js');
  const { EsfIndicatorsService } = await import('./statistics/esf-indicators.service.js');
  const { LikelyEligibleService } = await import('./statistics/likely-eligible.service.js');
  const db = await openDatabase(config, log, SHARE);
  const app = await createApp(config, db.url, { logger: false });
  try {
    const results: Array<{ view: string; refreshed: boolean; durationMs: number }> = await app
      .get(StatisticsService)
      .refresh({ rebuild: true });
    results.push(await app.get(EsfIndicatorsService).refresh());
    results.push(await app.get(LikelyEligibleService).refresh());
    for (const r of results)
      log(
        r.refreshed
          ? `${r.view}: recounted in ${r.durationMs} ms`
          : `${r.view}: another worker was recounting it; try again`,
      );
    return 0;
  } finally {
    await app.close();
    await db.embedded?.stop();
  }
}

class UsageError extends Error {}

/** While `npm start` runs, the commands connect to its embedded server rather than refusing. */
const SHARE = { share: true };

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof Error && error.name === 'ImportUsageError';
    if (error instanceof ConfigError || error instanceof UsageError || usage) {
      console.error((error as Error).message);
      process.exit(64);
    }
    console.error(`[mitroa] ${process.argv[2] ?? 'command'} failed: ${describeError(error)}`);
    process.exit(1);
  },
);
