import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { PersonalData } from '../audit/personal-data.interceptor.js';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { pageArgsOf, toRestPage } from '../common/pagination.js';
import { Beneficiary, DuplicatePerson, PersonIdentifier } from './beneficiary.model.js';
import { BeneficiaryService } from './beneficiary.service.js';
import { PersonSearchQuery } from './dto/person-search.args.js';
import { RegisterPersonInput } from './dto/person.input.js';
import { PersonExportService } from './person-export.service.js';
import { IdParam } from '../common/id-param.js';
import { ApiRoute } from '../common/openapi-docs.js';

class BeneficiaryPage {
  @ApiProperty({ type: [Beneficiary] })
  items: Beneficiary[];

  @ApiProperty()
  total: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor: string | null;
}

class Registered {
  @ApiProperty({ enum: ['REGISTERED'] })
  outcome: 'REGISTERED';

  @ApiProperty({ type: Beneficiary })
  beneficiary: Beneficiary;

  @ApiProperty({ description: 'Likely duplicates in your area queued for review' })
  likelyDuplicates: number;
}

class AlreadyRegistered {
  @ApiProperty({ enum: ['DUPLICATE'] })
  outcome: 'DUPLICATE';

  @ApiProperty({ enum: PersonIdentifier })
  identifier: PersonIdentifier;

  @ApiProperty()
  inYourArea: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The existing record, when in your area',
  })
  existingId: string | null;

  @ApiProperty()
  message: string;
}

/**
 * The beneficiary registry over REST, for systems of centres and regions that integrate with it:
 * the same service as GraphQL, so scope, audit and purposes apply alike.
 */
@ApiTags('beneficiaries')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@PersonalData()
@Controller('beneficiaries')
export class BeneficiaryController {
  constructor(
    private readonly beneficiaries: BeneficiaryService,
    private readonly exports: PersonExportService,
  ) {}

  @Get()
  @ApiRoute('Search the people of your area by name, AFM or AMKA', [403])
  @ApiOkResponse({ type: BeneficiaryPage })
  async search(@Ctx() ctx: RequestContext, @Query() query: PersonSearchQuery): Promise<BeneficiaryPage> {
    const connection = await this.beneficiaries.search(
      ctx,
      { text: query.q, birthYear: query.birthYear, municipalityCode: query.municipality, group: query.group },
      pageArgsOf(query),
    );
    return toRestPage(connection);
  }

  @Get(':id')
  @ApiRoute('One person of your area', [403, 404])
  @ApiOkResponse({ type: Beneficiary })
  get(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<Beneficiary> {
    return this.beneficiaries.get(ctx, id);
  }

  @Get(':id/export')
  @ApiRoute("Everything held on a person, for the person's own request (GDPR Art. 15)", [403, 404])
  @ApiOkResponse({ description: "All of the person's data and every look-up of it (GDPR Art. 15)" })
  export(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<Record<string, unknown>> {
    return this.exports.export(ctx, id);
  }

  @Post()
  @ApiRoute('Register a person in your area; a known AFM or AMKA answers 409 with the existing record', [403])
  @ApiCreatedResponse({ type: Registered })
  @ApiConflictResponse({ type: AlreadyRegistered, description: 'The AFM or AMKA is already registered' })
  async register(
    @Ctx() ctx: RequestContext,
    @Body() input: RegisterPersonInput,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Registered | AlreadyRegistered> {
    const result = await this.beneficiaries.register(ctx, input);
    if (result instanceof DuplicatePerson) {
      res.status(409);
      return {
        outcome: 'DUPLICATE',
        identifier: result.identifier,
        inYourArea: result.inYourArea,
        existingId: result.existing?.id ?? null,
        message: result.message,
      };
    }
    return {
      outcome: 'REGISTERED',
      beneficiary: result.beneficiary,
      likelyDuplicates: result.likelyDuplicates,
    };
  }
}
