import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import { AuditBatch } from '../audit/audit-batch.js';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { guardPool } from './connection-budget.js';
import { dataSourceOptions, poolOf } from './data-source.js';
import { ReadReplica } from './read-replica.js';
import { TransactionService } from './transaction.service.js';
import { statementOptions } from './unnamed-statements.js';

function poolOptions(
  url: string,
  config: AppConfig,
  overrides: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return dataSourceOptions(url, {
    ...overrides,
    extra: {
      max: config.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: config.DATABASE_POOL_TIMEOUT_MS,
      ...statementOptions(config.DATABASE_PREPARED_STATEMENTS),
    },
  });
}

/** Opens a DataSource whose pool counts against the request's budget of one connection (rule 15). */
async function openGuarded(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  guardPool(poolOf(dataSource));
  return dataSource;
}

@Global()
@Module({})
export class DatabaseModule {
  /** The database at `url` (already migrated by the caller: main.ts, the CLI or a test). */
  static forUrl(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => poolOptions(url, config),
          dataSourceFactory: (options) => openGuarded(options!),
        }),
      ],
      providers: [
        {
          provide: ReadReplica,
          inject: [AppConfig],
          useFactory: async (config: AppConfig) =>
            new ReadReplica(
              config.DATABASE_READ_URL
                ? await openGuarded(
                    // A standby is read-only: TypeORM must not try to create extensions there.
                    poolOptions(config.DATABASE_READ_URL, config, {
                      installExtensions: false,
                    } as Partial<DataSourceOptions>),
                  )
                : undefined,
            ),
        },
        {
          // The read audit's group commit, on a pool of one connection of its own (audit-batch.ts).
          provide: AuditBatch,
          inject: [getDataSourceToken(), AppConfig],
          useFactory: (dataSource: DataSource, config: AppConfig) =>
            new AuditBatch(new pg.Pool({ ...poolOf(dataSource).options, max: 1 }), config.DATABASE_APP_ROLE),
        },
        TransactionService,
      ],
      exports: [TransactionService, ReadReplica, AuditBatch],
    };
  }
}
