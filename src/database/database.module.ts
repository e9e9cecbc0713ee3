import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { guardPool } from './connection-budget.js';
import { dataSourceOptions, poolOf } from './data-source.js';
import { TransactionService } from './transaction.service.js';

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
          useFactory: (config: AppConfig) =>
            dataSourceOptions(url, {
              extra: {
                max: config.DATABASE_POOL_SIZE,
                connectionTimeoutMillis: config.DATABASE_POOL_TIMEOUT_MS,
              },
            }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            guardPool(poolOf(dataSource));
            return dataSource;
          },
        }),
      ],
      providers: [TransactionService],
      exports: [TransactionService],
    };
  }
}
