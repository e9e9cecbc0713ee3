import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AccessPurpose } from './purpose.js';

@ObjectType({ description: 'One entry of the append-only audit trail' })
export class AuditEventView {
  @Field(() => ID)
  @ApiProperty()
  id: string;

  @Field()
  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt: Date;

  @Field()
  @ApiProperty()
  actorId: string;

  @Field()
  @ApiProperty()
  actorKind: string;

  @Field(() => [String])
  @ApiProperty({ type: [String] })
  actorRoles: string[];

  @Field()
  @ApiProperty({ example: 'person.read' })
  action: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  subjectType: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  subjectId: string | null;

  @Field(() => AccessPurpose, { nullable: true })
  @ApiPropertyOptional({ enum: AccessPurpose, nullable: true })
  purpose: AccessPurpose | null;

  @Field()
  @ApiProperty({ enum: ['allowed', 'denied'] })
  outcome: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  requestId: string | null;
}
