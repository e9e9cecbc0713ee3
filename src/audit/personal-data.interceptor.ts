import {
  applyDecorators,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { map, type Observable } from 'rxjs';
import { auditPersonalObjects } from './personal-data.js';

/**
 * Rule 18 for REST: a route that returns personal data is refused without a declared purpose
 * (PURPOSE_REQUIRED, audited as denied) before its handler runs, and every personal object in its
 * answer is audited unless the service already recorded it. It runs inside the request's
 * transaction (the global interceptor opens it first), so the refusal's audit row is written.
 */
@Injectable()
export class PersonalDataInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const ctx = req.ctx;
    if (!ctx) throw new Error('no RequestContext: the route is not behind AuthMiddleware');
    ctx.requirePurpose(`${req.method} ${String(req.route?.path ?? req.path)}`);
    return next.handle().pipe(
      map((body: unknown) => {
        auditPersonalObjects(ctx, body);
        return body;
      }),
    );
  }
}

/** Marks a controller (or route) as returning personal data: X-Purpose required, reads audited. */
export function PersonalData(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'X-Purpose',
      required: true,
      description: 'Why personal data is read (AccessPurpose)',
    }),
    UseInterceptors(PersonalDataInterceptor),
  );
}
