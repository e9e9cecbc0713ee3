import { Field, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';

@ObjectType({ description: 'One fact of a person on a date: its value and where it came from' })
export class PersonFactEntry {
  /** Whose it is: not a GraphQL field, but the subject its read is audited under. */
  personId: string;
  municipalityCode: string;

  @Field({ description: 'The catalogue name, e.g. age, household_income_annual' })
  fact: string;

  @Field(() => GraphQLJSON)
  value: unknown;

  @Field({ description: 'FEED, DOCUMENT, STAFF or SELF_DECLARED (derived facts: STAFF, source REGISTRY)' })
  basis: string;

  @Field({ description: 'TAXIS, EFKA, ..., REGISTRY, or the id of the staff member who recorded it' })
  source: string;

  @Field()
  asOf: string;

  @Field(() => String, { nullable: true })
  validFrom: string | null;

  @Field(() => String, { nullable: true })
  validTo: string | null;
}

@ObjectType({ description: 'Everything a rule may ask about a person, as of a date' })
export class PersonFactsView {
  personId: string;
  municipalityCode: string;

  @Field()
  asOf: string;

  @Field(() => [PersonFactEntry], { description: 'Facts nobody supplied, or no longer valid, are absent' })
  facts: PersonFactEntry[];

  @Field({ description: 'Special-category facts were left out (they need the special_category permission)' })
  withheld: boolean;
}
