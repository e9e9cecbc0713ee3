import { Field, ObjectType } from '@nestjs/graphql';
import { Permission, Role } from './roles.js';

@ObjectType({ description: 'The area a caller works in' })
export class AreaScopeModel {
  @Field({ description: 'national, region, centre, provider or none' })
  level: string;

  @Field(() => String, { nullable: true })
  regionCode?: string | null;

  @Field(() => String, { nullable: true })
  centreId?: string | null;

  @Field(() => String, { nullable: true })
  providerId?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Municipality codes in scope; null means the whole country',
  })
  municipalityCodes?: string[] | null;
}

@ObjectType({ description: 'Who the caller is, as the service sees them' })
export class Viewer {
  @Field()
  id: string;

  @Field()
  kind: string;

  @Field(() => [Role])
  roles: Role[];

  @Field(() => [Permission])
  permissions: Permission[];

  @Field(() => AreaScopeModel)
  scope: AreaScopeModel;
}
