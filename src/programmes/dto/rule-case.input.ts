import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLJSONObject } from 'graphql-scalars';
import { IsEnum, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EURO_AMOUNT, IsDay } from '../../common/validators.js';
import { EligibilityOutcome } from '../../eligibility/contracts.js';
import '../../eligibility/rules/graphql-enums.js';

/** A test case of a programme's rule: a made-up person's facts on a day, and the expected answer. */
@InputType()
export class RuleCaseInput {
  @Field({ description: 'Unique within the programme, e.g. "income one cent over the limit"' })
  @ApiProperty({ example: 'one person, income one cent over 1296' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(300)
  name: string;

  @Field({ description: 'The day (YYYY-MM-DD) whose parameters apply' })
  @ApiProperty({ format: 'date', example: '2024-03-01' })
  @IsDay()
  asOf: string;

  @Field(() => GraphQLJSONObject, {
    description:
      'Fact name -> plain value (number, true/false, text, list of texts); a fact left out is missing',
  })
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { household_size: 1, household_income_last_6_months: 1296.01 },
  })
  @IsObject()
  facts: Record<string, unknown>;

  @Field(() => EligibilityOutcome)
  @ApiProperty({ enum: EligibilityOutcome })
  @IsEnum(EligibilityOutcome)
  expectedOutcome: EligibilityOutcome;

  @Field(() => String, {
    nullable: true,
    description: 'Euro with cents as a decimal string; only for ELIGIBLE',
  })
  @ApiPropertyOptional({ type: String, nullable: true, example: '116.00' })
  @IsOptional()
  @Matches(EURO_AMOUNT, { message: 'expectedAmount must be a decimal number with at most two decimals' })
  expectedAmount?: string | null;
}
