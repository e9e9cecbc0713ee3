import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isAccessPurpose } from '../audit/purpose.js';
import { DomainError, InputError, InputErrorCode } from '../common/domain-error.js';
import { sendError } from '../common/http-errors.js';
import { AuthService } from './auth.service.js';
import { RequestContext } from './request-context.js';

declare module 'express' {
  interface Request {
    ctx?: RequestContext;
    id?: string | number | object;
  }
}

/**
 * Authenticates every call to /graphql and /api/v1 before anything else runs, and builds its
 * RequestContext. A missing or bad credential ends the request here with 401.
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(private readonly auth: AuthService) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const actor = await this.auth.authenticate(req.header('authorization'), req.header('x-api-key'));
      const purposeHeader = req.header('x-purpose');
      if (purposeHeader !== undefined && !isAccessPurpose(purposeHeader)) {
        throw new InputError(
          InputErrorCode.BAD_USER_INPUT,
          `X-Purpose "${purposeHeader.slice(0, 40)}" is not one of the declared purposes (see AccessPurpose).`,
          [{ field: 'X-Purpose', reason: 'unknown purpose' }],
        );
      }
      req.ctx = new RequestContext(String(req.id ?? ''), actor, purposeHeader);
      next();
    } catch (error) {
      if (!(error instanceof DomainError)) return next(error);
      if (error.kind === 'UNAUTHENTICATED') res.setHeader('WWW-Authenticate', 'Bearer realm="mitroa"');
      sendError(req, res, error);
    }
  }
}
