import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPurpose } from '../audit/purpose.js';
import type { Actor } from '../auth/actor.js';
import type { RequestContext } from '../auth/request-context.js';
import { Permission } from '../auth/roles.js';
import { NotFoundError } from '../common/domain-error.js';
import { isUuid } from '../common/validators.js';
import { AppConfig } from '../config/app-config.js';
import type { ReferralLinkAnswerInput } from './dto/referral-link.input.js';
import { ReferralLinkTokens } from './referral-link-token.js';
import type { ReferralLinkView, ReferralView } from './referral.model.js';
import { ReferralError, ReferralErrorCode } from './referrals.errors.js';
import {
  ANSWERABLE_STATUSES,
  INSERT_LINK,
  LINKABLE_REFERRAL,
  REVOKE_LINK,
  STANDING_LINK,
  USE_LINK,
  type LinkRow,
} from './referrals.queries.js';
import { ReferralsService } from './referrals.service.js';

/** The one answer to every unusable link, whatever the cause (docs/security.md). */
export function invalidLink(): ReferralError {
  return new ReferralError(
    ReferralErrorCode.REFERRAL_LINK_INVALID,
    'This referral link is not valid (any more): ask the community centre that sent it for a new one.',
  );
}

/**
 * Signed links to referrals (docs/referrals.md, "Providers without an account"). A centre that sent
 * a referral hands its provider a link; the link acts as that provider's staff would, for that one
 * referral only: it reads it through ReferralsService.get (the provider inbox's projection, audited)
 * and answers through ReferralsService.changeStatus (the same transitions, history, consent rules and
 * outbox events), with the actor `referral-link:<id>` and the purpose REFERRAL.
 */
@Injectable()
export class ReferralLinksService {
  private readonly tokens: ReferralLinkTokens;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly referrals: ReferralsService,
  ) {
    this.tokens = new ReferralLinkTokens(config);
  }

  /**
   * A link to a referral the caller sent (its referring area), addressed to a provider and still
   * answerable, valid for `expiresInDays` (REFERRAL_LINK_DEFAULT_DAYS, at most
   * REFERRAL_LINK_MAX_DAYS). The answer is the only place its URL and token appear. Audited.
   */
  async create(ctx: RequestContext, referralId: string, expiresInDays?: number): Promise<ReferralLinkView> {
    ctx.require(Permission.PERSON_WRITE, 'referral_link.create', { type: 'referral', id: referralId });
    const days = expiresInDays ?? this.config.REFERRAL_LINK_DEFAULT_DAYS;
    if (days > this.config.REFERRAL_LINK_MAX_DAYS)
      throw new ReferralError(
        ReferralErrorCode.REFERRAL_LINK_TOO_LONG,
        `A referral link may be valid for at most ${this.config.REFERRAL_LINK_MAX_DAYS} days.`,
        [{ field: 'expiresInDays', reason: `at most ${this.config.REFERRAL_LINK_MAX_DAYS}` }],
      );
    const [referral]: Array<{
      id: string;
      status: string;
      provider_id: string | null;
      special_category: boolean;
      person_id: string;
      from_municipality_code: string;
    }> = isUuid(referralId) ? await ctx.em.query(LINKABLE_REFERRAL, [referralId, senderArea(ctx)]) : [];
    if (!referral) {
      ctx.audit({
        action: 'referral_link.create',
        subjectType: 'referral',
        subjectId: referralId,
        outcome: 'denied',
        reason: 'not found in scope',
      });
      throw new NotFoundError('referral', referralId);
    }
    const refuse = (reason: string) =>
      new ReferralError(ReferralErrorCode.REFERRAL_LINK_NOT_POSSIBLE, `No link can be made: ${reason}.`, [
        { field: 'referralId', reason },
      ]);
    if (!referral.provider_id) throw refuse('the referral is not addressed to a provider');
    if (!ANSWERABLE_STATUSES.includes(referral.status))
      throw refuse(
        `the referral is ${referral.status}; a provider answers it only once SENT, ACCEPTED or IN_PROGRESS`,
      );
    // Art. 9 data stays with accounts that hold the special_category permission.
    if (referral.special_category) throw refuse('the referral reveals special-category data');
    const [row]: LinkRow[] = await ctx.em.query(INSERT_LINK, [referral.id, ctx.actor.id, days]);
    ctx.audit({
      action: 'referral_link.create',
      subjectType: 'person',
      subjectId: referral.person_id,
      municipalityCode: referral.from_municipality_code,
      outcome: 'allowed',
      purpose: AccessPurpose.REFERRAL,
    });
    const token = await this.tokens.sign(row.id, referral.id, row.expires_at, row.created_at);
    return { ...toView(row), token, url: `${this.config.PUBLIC_URL?.replace(/\/+$/, '') ?? ''}/r/${token}` };
  }

  /**
   * Revokes a link of a referral the caller sent; revoking it again changes nothing. `referralId`
   * (REST) must be the link's referral. Audited.
   */
  async revoke(ctx: RequestContext, linkId: string, referralId?: string): Promise<ReferralLinkView> {
    ctx.require(Permission.PERSON_WRITE, 'referral_link.revoke', { type: 'referral_link', id: linkId });
    const [row]: Array<LinkRow & { person_id: string; from_municipality_code: string }> =
      isUuid(linkId) && (referralId === undefined || isUuid(referralId))
        ? await ctx.em.query(REVOKE_LINK, [linkId, ctx.actor.id, senderArea(ctx), referralId ?? null])
        : [];
    if (!row) {
      ctx.audit({
        action: 'referral_link.revoke',
        subjectType: 'referral_link',
        subjectId: linkId,
        outcome: 'denied',
        reason: 'not found in scope',
      });
      throw new NotFoundError('referral link', linkId);
    }
    ctx.audit({
      action: 'referral_link.revoke',
      subjectType: 'person',
      subjectId: row.person_id,
      municipalityCode: row.from_municipality_code,
      outcome: 'allowed',
      purpose: AccessPurpose.REFERRAL,
    });
    return toView(row);
  }

  /**
   * The credential of a link, before the request's transaction: a token signed with our key, not
   * expired, naming a link that stands (not revoked, not expired, its referral answerable). The actor
   * is the link, with the scope of the referral's provider. Anything else: REFERRAL_LINK_INVALID.
   */
  async authenticate(token: string): Promise<Actor> {
    const claims = await this.tokens.verify(token);
    if (!claims) throw invalidLink();
    const [row]: Array<{ provider_id: string }> = await this.dataSource.query(STANDING_LINK, [
      claims.linkId,
      claims.referralId,
      ANSWERABLE_STATUSES,
    ]);
    if (!row) throw invalidLink();
    return {
      id: `referral-link:${claims.linkId}`,
      kind: 'referral_link',
      roles: [],
      permissions: new Set([Permission.REFERRAL_RECEIVE]),
      scope: { level: 'provider', providerId: row.provider_id, municipalityCodes: [] },
      link: { id: claims.linkId, referralId: claims.referralId },
    };
  }

  /** The referral of the calling link, as its provider's staff see it, with its history; audited. */
  async view(ctx: RequestContext): Promise<ReferralView> {
    const link = await this.use(ctx);
    return this.referrals.get(ctx, link.referralId);
  }

  /** Answers the referral of the calling link by the referral's own rules (changeStatus). */
  async answer(ctx: RequestContext, input: ReferralLinkAnswerInput): Promise<ReferralView> {
    const link = await this.use(ctx);
    return this.referrals.changeStatus(ctx, link.referralId, input);
  }

  /**
   * The link checked again in the request's transaction (it may have been revoked since the
   * credential was read) and its use recorded. The referral is the link's, never one a client names.
   */
  private async use(ctx: RequestContext): Promise<{ id: string; referralId: string }> {
    const link = ctx.actor.link;
    if (!link) throw invalidLink();
    const rows: unknown[] = await ctx.em.query(USE_LINK, [link.id, link.referralId, ANSWERABLE_STATUSES]);
    if (rows.length === 0) throw invalidLink();
    ctx.purpose = AccessPurpose.REFERRAL;
    return link;
  }
}

/** The municipalities whose referrals the caller sent; null for national callers (all). */
function senderArea(ctx: RequestContext): string[] | null {
  const scope = ctx.actor.scope;
  return scope.level === 'national' ? null : scope.municipalityCodes;
}

function toView(row: LinkRow): ReferralLinkView {
  return {
    id: row.id,
    referralId: row.referral_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    url: null,
    token: null,
  };
}
