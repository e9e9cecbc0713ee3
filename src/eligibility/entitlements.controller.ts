import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { ApiRoute } from '../common/openapi-docs.js';
import { ScreeningInput } from './dto/entitlements.args.js';
import { Screening } from './entitlements.model.js';
import { EntitlementsService } from './entitlements.service.js';
import { AcceptLanguage, languageOf } from './language.js';

@ApiTags('entitlements')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('screenings')
export class EntitlementsController {
  constructor(private readonly entitlements: EntitlementsService) {}

  @Post()
  @HttpCode(200)
  @ApiRoute(
    'What someone not registered may be entitled to where they live, from facts typed in (nothing is written or kept)',
    [403],
  )
  @ApiHeader({
    name: 'Accept-Language',
    required: false,
    description: 'el (default) or en, unless `language` is sent',
  })
  @ApiOkResponse({ type: Screening })
  screen(
    @Ctx() ctx: RequestContext,
    @Body() input: ScreeningInput,
    @AcceptLanguage() acceptLanguage?: string,
  ): Promise<Screening> {
    return this.entitlements.screen(ctx, input, languageOf(input.language, acceptLanguage));
  }
}
