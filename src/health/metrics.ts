import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per application instance (tests start several in one process). */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'mitroa_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mitroa_' });
  }
}

/** Times every request; labels use the route pattern or the transport, never the raw path (no ids in metrics). */
@Injectable()
export class MetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsRegistry) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route =
        req.baseUrl.startsWith('/graphql') || req.path.startsWith('/graphql')
          ? '/graphql'
          : ((req.route as { path?: string } | undefined)?.path ?? 'unmatched');
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}
