import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { PersonalData } from '../audit/personal-data.interceptor.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { IdParam } from '../common/id-param.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { pageArgsOf, toRestPage } from '../common/pagination.js';
import { ChangeReferralStatusInput, ReferralCountsArgs, ReferralQuery } from './dto/referral.input.js';
import { ReferralCounts, ReferralView } from './referral.model.js';
import { ReferralsService } from './referrals.service.js';

export class ReferralPage {
  @ApiProperty({ type: [ReferralView] })
  items: ReferralView[];

  @ApiProperty()
  total: number;

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

/**
 * Referrals over REST for regions (counts, no people) and partner systems (a centre's or a
 * provider's referrals, and their answers): the same service as GraphQL, so scope, the shared
 * fields, audit and purposes apply alike.
 */
@ApiTags('referrals')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Get()
  @PersonalData()
  @ApiRoute(
    "Referrals you may see: your centre's, or your provider's inbox (filters as in GraphQL)",
    [403, 404],
  )
  @ApiOkResponse({ type: ReferralPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ReferralQuery): Promise<ReferralPage> {
    const { limit, cursor, ...filter } = query;
    return toRestPage(await this.referrals.list(ctx, { ...filter, ...pageArgsOf({ limit, cursor }) }));
  }

  @Get('counts')
  @ApiRoute('Referrals counted by status, provider and need, with the hours to accept and to complete', [403])
  @ApiOkResponse({ type: ReferralCounts })
  counts(@Ctx() ctx: RequestContext, @Query() query: ReferralCountsArgs): Promise<ReferralCounts> {
    return this.referrals.counts(ctx, query);
  }

  @Get(':id')
  @PersonalData()
  @ApiRoute('One referral with its history', [403, 404])
  @ApiOkResponse({ type: ReferralView })
  get(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ReferralView> {
    return this.referrals.get(ctx, id);
  }

  @Post(':id/status')
  @HttpCode(200)
  @PersonalData()
  @ApiRoute('Answer a referral (receiver) or send or cancel it (referring centre)', [403, 404, 409])
  @ApiOkResponse({ type: ReferralView })
  changeStatus(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() input: ChangeReferralStatusInput,
  ): Promise<ReferralView> {
    return this.referrals.changeStatus(ctx, id, input);
  }
}
