import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { WritesOnGet } from '../database/rest-transaction.interceptor.js';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { IdParam } from '../common/id-param.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { CreateReferralLinkBody, ReferralLinkAnswerInput } from './dto/referral-link.input.js';
import { ReferralLinkView, ReferralView } from './referral.model.js';
import { ReferralLinksService } from './referral-links.service.js';

const TOKEN = {
  name: 'token',
  description:
    'The token of the link (the last part of its /r/... address). It is the only credential: an unusable one (tampered, expired, revoked, unknown, or its referral answered) is 404 REFERRAL_LINK_INVALID',
};

/**
 * A referral seen and answered through its signed link, by a provider without an account. No
 * bearer token or API key: the token in the path is the credential (ReferralLinkMiddleware), which
 * has made the link the request's actor, so the handlers need not read it.
 */
@ApiTags('referral links')
@Controller('referral-links')
export class ReferralLinkHolderController {
  constructor(private readonly links: ReferralLinksService) {}

  @Get(':token')
  @WritesOnGet() // records the link's last use
  @ApiParam(TOKEN)
  @ApiRoute(
    'The referral of a link, exactly as its provider sees it (only what it shares); every view is audited',
    [404],
  )
  @ApiOkResponse({ type: ReferralView })
  view(@Ctx() ctx: RequestContext): Promise<ReferralView> {
    return this.links.view(ctx);
  }

  @Post(':token/answer')
  @HttpCode(200)
  @ApiParam(TOKEN)
  @ApiRoute(
    "Answer the referral of a link: accept, reject (with a reason), start, complete (with an outcome), with a note; the referral's own rules apply",
    [403, 404, 409],
  )
  @ApiOkResponse({ type: ReferralView })
  answer(@Ctx() ctx: RequestContext, @Body() input: ReferralLinkAnswerInput): Promise<ReferralView> {
    return this.links.answer(ctx, input);
  }
}

/** Links made and revoked by the referring centre: the REST twins of createReferralLink and revokeReferralLink. */
@ApiTags('referrals')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('referrals')
export class ReferralLinksController {
  constructor(private readonly links: ReferralLinksService) {}

  @Post(':id/links')
  @ApiRoute(
    'A signed link for the provider of a referral you sent; its URL and token are shown only in this answer',
    [403, 404, 409],
  )
  @ApiCreatedResponse({ type: ReferralLinkView })
  create(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() body: CreateReferralLinkBody,
  ): Promise<ReferralLinkView> {
    return this.links.create(ctx, id, body.expiresInDays);
  }

  @Delete(':id/links/:linkId')
  @ApiRoute('Revoke a link of a referral you sent', [403, 404])
  @ApiOkResponse({ type: ReferralLinkView })
  revoke(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @IdParam('linkId') linkId: string,
  ): Promise<ReferralLinkView> {
    return this.links.revoke(ctx, linkId, id);
  }
}
