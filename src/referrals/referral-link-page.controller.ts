import {
  Body,
  Catch,
  Controller,
  Get,
  Header,
  HttpCode,
  Logger,
  Param,
  Post,
  Query,
  Redirect,
  UseFilters,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { WritesOnGet } from '../database/rest-transaction.interceptor.js';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { domainErrorOfDatabase } from '../common/database-errors.js';
import { DomainError } from '../common/domain-error.js';
import { Consumes } from '../common/request-body.js';
import { ReferralLinkAnswerInput } from './dto/referral-link.input.js';
import { ReferralStatus } from './referral.model.js';
import { errorMessageCode, failurePage, invalidLinkPage, referralPage } from './referral-link-page.js';
import { ReferralLinksService } from './referral-links.service.js';
import { ReferralErrorCode } from './referrals.errors.js';

/**
 * The page's failures as pages: an answer that failed goes back to the page with its message
 * (303, ?error=CODE), a link that stopped standing meanwhile shows the invalid-link page, anything
 * else a page that says only that it failed. The request's transaction has rolled back by then.
 */
@Catch()
export class ReferralLinkPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReferralLinkPage');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const error = domainErrorOfDatabase(thrown) ?? thrown;
    if (!(error instanceof DomainError)) {
      this.logger.error({ err: error, requestId: req.id }, 'referral link page failed');
      res.status(500).type('html').send(failurePage());
      return;
    }
    if (error.code === ReferralErrorCode.REFERRAL_LINK_INVALID) {
      res.status(404).type('html').send(invalidLinkPage());
      return;
    }
    if (req.method === 'POST') {
      const token = encodeURIComponent(String(req.params.token ?? ''));
      res.redirect(303, `/r/${token}?error=${encodeURIComponent(errorMessageCode(error.code)!)}`);
      return;
    }
    res.status(500).type('html').send(failurePage());
  }
}

/**
 * The no-JavaScript page of a referral link (`/r/{token}`, outside /api/v1): the referral as its
 * provider sees it, and plain forms for the answers. Each POST answers through the same service as
 * the JSON API and redirects (303) back to the page. Not in the OpenAPI document: it is HTML for
 * people; the API twin is /api/v1/referral-links/{token}.
 */
@ApiExcludeController()
@UseFilters(ReferralLinkPageFilter)
@Controller('r')
export class ReferralLinkPageController {
  constructor(private readonly links: ReferralLinksService) {}

  @Get(':token')
  @WritesOnGet() // records the link's last use
  @Header('Content-Type', 'text/html; charset=utf-8')
  async show(
    @Ctx() ctx: RequestContext,
    @Param('token') token: string,
    @Query('error') error?: string,
  ): Promise<string> {
    return referralPage(token, await this.links.view(ctx), errorMessageCode(error));
  }

  @Post(':token')
  @Consumes('application/x-www-form-urlencoded') // the page's plain HTML forms
  @HttpCode(303)
  @Redirect()
  async answer(
    @Ctx() ctx: RequestContext,
    @Param('token') token: string,
    @Body() input: ReferralLinkAnswerInput,
  ): Promise<{ url: string; statusCode: number }> {
    const view = await this.links.answer(ctx, input);
    const closed = view.status === ReferralStatus.REJECTED || view.status === ReferralStatus.COMPLETED;
    const url = `/r/${encodeURIComponent(token)}${closed ? `?answered=${view.status}` : ''}`;
    return { url, statusCode: 303 };
  }
}
