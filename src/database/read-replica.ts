import { applyDecorators, SetMetadata, type OnApplicationShutdown } from '@nestjs/common';
import { Extensions } from '@nestjs/graphql';
import type { DataSource } from 'typeorm';

/**
 * The streaming read replica (DATABASE_READ_URL), for reads that tolerate lag; `dataSource` is
 * undefined when none is configured and everything runs on the primary.
 */
export class ReadReplica implements OnApplicationShutdown {
  constructor(readonly dataSource?: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
  }
}

export const LAG_TOLERANT = 'mitroa:lagTolerant';

/**
 * Marks a public directory read (no personal data, nothing written) that may be served by the
 * read replica: a REST handler (read by RestTransactionInterceptor) or a GraphQL query field (its
 * schema extension, read by the transaction plugin; an operation goes to the replica only when
 * every root field is marked). Never for a read that a client may make right after a write.
 */
export const LagTolerant = () =>
  applyDecorators(SetMetadata(LAG_TOLERANT, true), Extensions({ lagTolerant: true }));
