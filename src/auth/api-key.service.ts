import type { SelectQueryBuilder } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { ForbiddenError, InputError, InputErrorCode, NotFoundError } from '../common/domain-error.js';
import { GeographyService } from '../geography/geography.service.js';
import { ApiKey } from './api-key.entity.js';
import { checkAreaClaims } from './area-claims.js';
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

/**
 * API keys of regional systems: a region's officer manages its own region's keys only, and only a
 * signed-in person manages keys at all. A key that could mint keys would outlive its own
 * revocation (nothing links a key to the key that made it), so a key caller is refused.
 */
@Injectable()
export class ApiKeyService {
  constructor(private readonly geography: GeographyService) {}

  /** Creates a key and returns it with its secret, which is never shown again. */
  async create(ctx: RequestContext, input: NewApiKey): Promise<{ apiKey: ApiKey; key: string }> {
    ctx.require(Permission.API_KEY_MANAGE, 'api_key.create');
    this.requirePerson(ctx, 'api_key.create');
    const scope = ctx.actor.scope;
    if (scope.level === 'region' && !input.roles.includes(Role.REGIONAL_OFFICER)) {
      ctx.audit({
        action: 'api_key.create',
        outcome: 'denied',
        reason: 'national key by a regional officer',
      });
      throw new ForbiddenError(
        'A regional officer can create only regional_officer keys of their own region; a key with only national roles is created by a national administrator.',
      );
    }
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
    // The same table as for tokens: regional_officer needs its region, national roles none.
    const area = checkAreaClaims(input.roles, { region: regionCode });
    if (!area.ok) {
      throw new InputError(InputErrorCode.BAD_USER_INPUT, area.why, [
        { field: 'regionCode', reason: area.why },
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
    this.requirePerson(ctx, 'api_key.list');
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
    this.requirePerson(ctx, 'api_key.revoke', id);
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

  /** Keys are managed by people (a JWT), never by a key: the refusal is audited. */
  private requirePerson(ctx: RequestContext, action: string, id?: string): void {
    if (ctx.actor.kind === 'user') return;
    ctx.audit({
      action,
      subjectType: id ? 'api_key' : undefined,
      subjectId: id,
      outcome: 'denied',
      reason: `${ctx.actor.kind} caller`,
    });
    throw new ForbiddenError('API keys are managed by a signed-in person only, never with an API key.');
  }

  private applyScope(ctx: RequestContext, qb: SelectQueryBuilder<ApiKey>): void {
    const scope = ctx.actor.scope;
    if (scope.level === 'national') return;
    if (scope.level === 'region')
      qb.andWhere('k.region_code = :scopeRegion', { scopeRegion: scope.regionCode });
    else qb.andWhere('FALSE');
  }
}
