import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ACCESS_PURPOSES_LISTED, isAccessPurpose } from '../audit/purpose.js';
import { AuthenticationError, DomainError, InputError, InputErrorCode } from '../common/domain-error.js';
import { sendError } from '../common/http-errors.js';
import { AppConfig } from '../config/app-config.js';
import { anonymousActor, isAnonymousDirectoryRead } from './anonymous-directory.js';
import { AuthRateLimitError, CredentialError } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { RequestContext } from './request-context.js';

declare module 'express' {
  interface Request {
    ctx?: RequestContext;
    id?: string | number | object;
  }
}

/**
 * Authenticates every call to /graphql and /api/v1 before anything else runs, and builds its
 * RequestContext. A GET of the public directory without any credential is the anonymous actor
 * (anonymous-directory.ts), unless DIRECTORY_REQUIRES_TOKEN. A missing or bad credential ends the request here with 401, logged (never the
 * credential) and counted against the client's address; an address with too many failures gets
 * 429 before its credential is even looked at.
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly auth: AuthService,
    private readonly failures: FailedAuthLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // A referral link's routes were authenticated by their token (ReferralLinkMiddleware) already.
    if (req.ctx) return next();
    const client = FailedAuthLimiter.clientOf(req);
    try {
      const wait = this.failures.blockedFor(client);
      if (wait !== undefined) {
        this.logger.warn(
          { requestId: req.id, reason: 'too_many_failures', ip: req.ip, path: req.originalUrl.split('?')[0] },
          'authentication refused',
        );
        res.setHeader('Retry-After', String(wait));
        return sendError(req, res, new AuthRateLimitError(wait));
      }
      const actor =
        !this.config.DIRECTORY_REQUIRES_TOKEN && isAnonymousDirectoryRead(req)
          ? anonymousActor(req)
          : await this.auth.authenticate(req.header('authorization'), req.header('x-api-key'));
      const purposeHeader = req.header('x-purpose');
      if (purposeHeader !== undefined && !isAccessPurpose(purposeHeader)) {
        throw new InputError(
          InputErrorCode.BAD_USER_INPUT,
          `X-Purpose "${purposeHeader.slice(0, 40)}" is not a declared purpose: use one of ${ACCESS_PURPOSES_LISTED}.`,
          [{ field: 'X-Purpose', reason: 'unknown purpose' }],
        );
      }
      req.ctx = new RequestContext(String(req.id ?? ''), actor, purposeHeader);
      next();
    } catch (error) {
      if (!(error instanceof DomainError)) return next(error);
      if (error instanceof AuthenticationError) {
        await this.failures.recordFailure(client);
        this.logger.warn(
          {
            requestId: req.id,
            reason: error instanceof CredentialError ? error.reason : error.code,
            ip: req.ip,
            path: req.originalUrl.split('?')[0],
          },
          'authentication failed',
        );
        res.setHeader('WWW-Authenticate', 'Bearer realm="mitroa"');
      }
      sendError(req, res, error);
    }
  }
}
