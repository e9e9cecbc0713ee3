import { Query, Resolver } from '@nestjs/graphql';
import { Ctx } from './ctx.decorator.js';
import type { RequestContext } from './request-context.js';
import { Viewer } from './viewer.model.js';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'The caller: roles, permissions and area' })
  me(@Ctx() ctx: RequestContext): Viewer {
    const { actor } = ctx;
    const scope = actor.scope;
    return {
      id: actor.id,
      kind: actor.kind,
      roles: actor.roles,
      permissions: [...actor.permissions].sort(),
      scope: {
        level: scope.level,
        regionCode: scope.level === 'region' ? scope.regionCode : null,
        centreId: scope.level === 'centre' ? (scope.centreId ?? null) : null,
        providerId: scope.level === 'provider' ? scope.providerId : null,
        municipalityCodes: scope.level === 'national' ? null : scope.municipalityCodes,
      },
    };
  }
}
