import { ApiProperty } from '@nestjs/swagger';
import { Programme, ProgrammeCoverage, ProgrammeParameter, ProgrammeRuleCase } from './programme.entity.js';

/** A programme with its coverage, delivering providers and parameters, as REST returns it. */
export class ProgrammeDetail extends Programme {
  @ApiProperty({ type: [ProgrammeCoverage] })
  coverage: ProgrammeCoverage[];

  @ApiProperty({ type: [String], description: 'Ids of the providers that deliver it' })
  deliveringProviderIds: string[];

  @ApiProperty({ type: [ProgrammeParameter] })
  parameters: ProgrammeParameter[];

  @ApiProperty({ type: [ProgrammeRuleCase], description: 'Test cases of the eligibility rule' })
  ruleCases: ProgrammeRuleCase[];
}

export class ProgrammePage {
  @ApiProperty({ type: [Programme] })
  items: Programme[];

  @ApiProperty()
  total: number;

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
