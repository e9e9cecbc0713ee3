import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { RequestContext } from './request-context.js';

/** Injects the RequestContext into a resolver or controller method, whichever transport called it. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const req: Request =
    host.getType<'graphql' | 'http'>() === 'graphql'
      ? GqlExecutionContext.create(host).getContext().req
      : host.switchToHttp().getRequest();
  if (!req.ctx) throw new Error('no RequestContext: the route is not behind AuthMiddleware');
  return req.ctx;
});
