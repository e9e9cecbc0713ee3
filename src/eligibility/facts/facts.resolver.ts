import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../auth/ctx.decorator.js';
import type { RequestContext } from '../../auth/request-context.js';
import { PersonFactView } from '../../beneficiaries/beneficiary.model.js';
import { FactBasis, type FactValue } from '../contracts.js';
import { PersonFactsArgs, RecordPersonFactInput } from './dto/facts.input.js';
import { PersonFactEntry, PersonFactsView } from './facts.model.js';
import { FactsService } from './facts.service.js';

@Resolver()
export class FactsResolver {
  constructor(private readonly facts: FactsService) {}

  @Query(() => PersonFactsView, {
    description: 'A person’s facts as of a date, each with its value and provenance',
  })
  async personFacts(@Ctx() ctx: RequestContext, @Args() args: PersonFactsArgs): Promise<PersonFactsView> {
    const row = await this.facts.personFacts(ctx, args.personId, args.asOf);
    return Object.assign(new PersonFactsView(), {
      personId: row.personId,
      municipalityCode: row.municipalityCode,
      asOf: args.asOf,
      withheld: row.withheld,
      facts: Object.entries(row.facts).map(([fact, v]: [string, FactValue]) =>
        Object.assign(new PersonFactEntry(), {
          personId: row.personId,
          municipalityCode: row.municipalityCode,
          fact,
          value: v.value,
          basis: v.basis,
          source: v.source,
          asOf: v.asOf,
          validFrom: v.validFrom ?? null,
          validTo: v.validTo ?? null,
        }),
      ),
    });
  }

  @Mutation(() => PersonFactView, {
    description: 'Records a fact seen in a document, found by staff or declared',
  })
  recordPersonFact(
    @Ctx() ctx: RequestContext,
    @Args('input') input: RecordPersonFactInput,
  ): Promise<PersonFactView> {
    return this.facts.record(ctx, { ...input, basis: input.basis as unknown as FactBasis });
  }
}
