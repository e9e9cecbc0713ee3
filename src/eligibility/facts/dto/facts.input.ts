import { ArgsType, Field, InputType, registerEnumType } from '@nestjs/graphql';
import { Allow, IsEnum, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { UuidScalar } from '../../../common/graphql/scalars.js';
import { IsDay } from '../../../common/validators.js';
import { FACT_CATALOGUE, FactBasis } from '../../contracts.js';

/** The bases staff may record; FEED is written by imports only. */
export enum RecordedFactBasis {
  DOCUMENT = FactBasis.DOCUMENT,
  STAFF = FactBasis.STAFF,
  SELF_DECLARED = FactBasis.SELF_DECLARED,
}
registerEnumType(RecordedFactBasis, {
  name: 'RecordedFactBasis',
  description:
    'How staff came to know a fact: a document seen, their own finding, or the person’s declaration',
});

const FACT_NAMES = Object.keys(FACT_CATALOGUE);

@InputType({
  description: 'A fact staff record about a person (self-declared, from a document, or established by staff)',
})
export class RecordPersonFactInput {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field({ description: 'A recorded fact of the catalogue, e.g. household_income_last_6_months' })
  @IsString()
  @IsIn(FACT_NAMES, { message: 'fact must be a fact of the catalogue' })
  fact: string;

  /** Type-checked against the catalogue by the service, which names the field when it is wrong. */
  @Field(() => GraphQLJSON, {
    description: 'Of the fact’s type: a number, true/false, a text or a list of texts',
  })
  @Allow()
  value: unknown;

  @Field(() => RecordedFactBasis)
  @IsEnum(RecordedFactBasis)
  basis: RecordedFactBasis;

  @Field({ description: 'The day the value describes (YYYY-MM-DD)' })
  @IsDay()
  asOf: string;

  @Field(() => String, { nullable: true, description: 'From when it holds (YYYY-MM-DD); else from asOf' })
  @IsOptional()
  @IsDay()
  validFrom?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Until when it holds (YYYY-MM-DD); else until replaced',
  })
  @IsOptional()
  @IsDay()
  validTo?: string | null;

  @Field(() => String, { nullable: true, description: 'The document seen (its number or title)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  documentReference?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

@ArgsType()
export class PersonFactsArgs {
  @Field(() => UuidScalar)
  @IsUUID()
  personId: string;

  @Field({ description: 'The day (YYYY-MM-DD) the facts hold on' })
  @IsDay()
  asOf: string;
}
