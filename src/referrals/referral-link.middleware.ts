import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AccessPurpose } from '../audit/purpose.js';
import { AuthRateLimitError } from '../auth/auth.errors.js';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.js';
import { RequestContext } from '../auth/request-context.js';
import { DomainError } from '../common/domain-error.js';
import { sendError } from '../common/http-errors.js';
import { ReferralStatus } from './referral.model.js';
import {
  closedLinkPage,
  invalidLinkPage,
  setLinkHeaders,
  tooManyAttemptsPage,
} from './referral-link-page.js';
import { ReferralLinksService } from './referral-links.service.js';

/** Where the HTML page of a link is served (app.factory.ts mounts this middleware there). */
export const LINK_PAGE_PATH = '/r';

/**
 * The credential of /api/v1/referral-links/{token}/... and /r/{token}: the token in the path,
 * whatever else the request carries. A valid link becomes the request's actor (the link, with the
 * purpose REFERRAL); any unusable token is REFERRAL_LINK_INVALID (404), the same for every cause,
 * and counts as a failed authentication of the client's address (FailedAuthLimiter), which past
 * AUTH_FAILURES_PER_MINUTE is refused with 429 before its token is looked at.
 */
@Injectable()
export class ReferralLinkMiddleware {
  private readonly logger = new Logger('ReferralLink');

  constructor(
    private readonly links: ReferralLinksService,
    private readonly failures: FailedAuthLimiter,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    setLinkHeaders(res);
    const page = req.baseUrl.toLowerCase() === LINK_PAGE_PATH;
    const client = FailedAuthLimiter.clientOf(req);
    try {
      const wait = this.failures.blockedFor(client);
      if (wait !== undefined) {
        res.setHeader('Retry-After', String(wait));
        if (page) return void res.status(429).type('html').send(tooManyAttemptsPage());
        return sendError(req, res, new AuthRateLimitError(wait));
      }
      const token = req.path.split('/')[1] ?? '';
      const actor = await this.links.authenticate(token);
      req.ctx = new RequestContext(String(req.id ?? ''), actor, AccessPurpose.REFERRAL);
      next();
    } catch (error) {
      if (!(error instanceof DomainError)) return next(error);
      await this.failures.recordFailure(client);
      // The reason is not logged either: it is the same for every cause by design.
      this.logger.warn({ requestId: req.id, ip: req.ip, page }, 'referral link refused');
      if (!page) return sendError(req, res, error);
      const answered = req.method === 'GET' ? req.query.answered : undefined;
      if (answered === ReferralStatus.REJECTED || answered === ReferralStatus.COMPLETED)
        return void res.status(200).type('html').send(closedLinkPage(answered));
      res.status(404).type('html').send(invalidLinkPage());
    }
  }
}
