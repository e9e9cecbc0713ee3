import type { SelectQueryBuilder } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { ForbiddenError, InputError, InputErrorCode, NotFoundError } from '../common/domain-error.js';
import { GeographyService } from '../geography/geography.service.js';
import { ApiKey } from './api-key.entity.js';
import { generateApiKey, hashSecret } from './auth.service.js';
import type { RequestContext } from './request-context.js';
import { Permission, Role } from './roles.js';

export interface NewApiKey {
  name: string;
  regionCode?: string;
  roles: Role[];
  expiresAt?: Date;
}

/** Roles a machine client may carry: region systems read and maintain their own region's registries. */
const MACHINE_ROLES = [Role.REGIONAL_OFFICER, Role.IMPORT_OPERATOR];

/** API keys of regional systems: a region's officer manages its own region's keys only. */
@Injectable()
export class ApiKeyService {
  constructor(private readonly geography: GeographyService) {}

  /** Creates a key and returns it with its secret, which is never shown again. */
  async create(ctx: RequestContext, input: NewApiKey): Promise<{ apiKey: ApiKey; key: string }> {
    ctx.require(Permission.API_KEY_MANAGE, 'api_key.create');
    const scope = ctx.actor.scope;
    const regionCode = scope.level === 'region' ? (input.regionCode ?? scope.regionCode) : input.regionCode;
    if (scope.level === 'region' && regionCode !== scope.regionCode) {
      ctx.audit({
        action: 'api_key.create',
        outcome: 'denied',
        reason: `region ${regionCode} outside scope`,
      });
      throw new ForbiddenError('You can create API keys only for your own region.');
    }
    if (scope.level !== 'national' && scope.level !== 'region')
      throw new ForbiddenError('Only national and regional administrators can create API keys.');
    if (regionCode) this.geography.getRegion(regionCode);
    const notMachine = input.roles.filter((r) => !MACHINE_ROLES.includes(r));
    if (notMachine.length) {
      throw new InputError(
        InputErrorCode.BAD_USER_INPUT,
        `An API key can carry only the roles ${MACHINE_ROLES.join(', ')}.`,
        [{ field: 'roles', reason: `not allowed: ${notMachine.join(', ')}` }],
      );
    }
    if (input.roles.includes(Role.REGIONAL_OFFICER) && !regionCode) {
      throw new InputError(InputErrorCode.BAD_USER_INPUT, 'A regional_officer key must name its region.', [
        { field: 'regionCode', reason: 'required for regional_officer' },
      ]);
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new InputError(InputErrorCode.BAD_USER_INPUT, 'expiresAt must be in the future.', [
        { field: 'expiresAt', reason: 'in the past' },
      ]);
    }
    const generated = generateApiKey();
    const repo = ctx.em.getRepository(ApiKey);
    await repo.insert({
      id: generated.id,
      name: input.name,
      secretHash: hashSecret(generated.secret),
      roles: input.roles,
      permissions: [],
      regionCode: regionCode ?? null,
      createdBy: ctx.actor.id,
      createdAt: new Date(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    });
    ctx.audit({
      action: 'api_key.create',
      subjectType: 'api_key',
      subjectId: generated.id,
      outcome: 'allowed',
    });
    return { apiKey: await repo.findOneByOrFail({ id: generated.id }), key: generated.key };
  }

  async list(ctx: RequestContext): Promise<ApiKey[]> {
    ctx.require(Permission.API_KEY_MANAGE, 'api_key.list');
    const qb = ctx.em
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .orderBy('k.created_at', 'DESC')
      .limit(500);
    this.applyScope(ctx, qb);
    return qb.getMany();
  }

  async revoke(ctx: RequestContext, id: string): Promise<ApiKey> {
    ctx.require(Permission.API_KEY_MANAGE, 'api_key.revoke', { type: 'api_key', id });
    const qb = ctx.em.getRepository(ApiKey).createQueryBuilder('k').where('k.id = :id', { id });
    this.applyScope(ctx, qb);
    const key = await qb.getOne();
    if (!key) {
      ctx.audit({
        action: 'api_key.revoke',
        subjectType: 'api_key',
        subjectId: id,
        outcome: 'denied',
        reason: 'not found in scope',
      });
      throw new NotFoundError('API key', id);
    }
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await ctx.em.getRepository(ApiKey).update({ id }, { revokedAt: key.revokedAt });
    }
    ctx.audit({ action: 'api_key.revoke', subjectType: 'api_key', subjectId: id, outcome: 'allowed' });
    return key;
  }

  private applyScope(ctx: RequestContext, qb: SelectQueryBuilder<ApiKey>): void {
    const scope = ctx.actor.scope;
    if (scope.level === 'national') return;
    if (scope.level === 'region')
      qb.andWhere('k.region_code = :scopeRegion', { scopeRegion: scope.regionCode });
    else qb.andWhere('FALSE');
  }
}
