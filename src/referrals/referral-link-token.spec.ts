import { SignJWT } from 'jose';
import { loadConfig } from '../config/app-config.js';
import { ReferralLinkTokens, withoutLinkToken } from './referral-link-token.js';

const LINK = '3f0b7d43-8d0e-4d5f-9a51-0d2b8c1e6a11';
const REFERRAL = '8a1c2f6e-2b7d-4c3e-8f9a-5e6d7c8b9a00';
const config = (secret: string) => loadConfig({ NODE_ENV: 'test', REFERRAL_LINK_SECRET: secret });

describe('referral link tokens', () => {
  const tokens = new ReferralLinkTokens(config('a'.repeat(40)));
  const inOneDay = () => new Date(Date.now() + 86400_000);

  it('signs jti = the link, sub = the referral, exp = the expiry, and verifies its own', async () => {
    const expiresAt = inOneDay();
    const token = await tokens.sign(LINK, REFERRAL, expiresAt);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ jti: LINK, sub: REFERRAL, exp: Math.floor(expiresAt.getTime() / 1000) });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256' });
    await expect(tokens.verify(token)).resolves.toEqual({ linkId: LINK, referralId: REFERRAL });
  });

  it('verifies nothing expired, signed with another key, or meant as something else', async () => {
    await expect(
      tokens.verify(await tokens.sign(LINK, REFERRAL, new Date(Date.now() - 1000))),
    ).resolves.toBeUndefined();
    const other = new ReferralLinkTokens(config('b'.repeat(40)));
    await expect(tokens.verify(await other.sign(LINK, REFERRAL, inOneDay()))).resolves.toBeUndefined();
    const key = new TextEncoder().encode('a'.repeat(40));
    const accessToken = await new SignJWT({ roles: ['centre_staff'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setJti(LINK)
      .setSubject(REFERRAL)
      .setAudience('mitroa-api')
      .setExpirationTime('1h')
      .sign(key);
    await expect(tokens.verify(accessToken)).resolves.toBeUndefined();
    const notUuids = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setJti('1')
      .setSubject('2')
      .setAudience('mitroa-referral-link')
      .setExpirationTime('1h')
      .sign(key);
    await expect(tokens.verify(notUuids)).resolves.toBeUndefined();
    await expect(tokens.verify('x'.repeat(2000))).resolves.toBeUndefined();
  });

  it('keeps the token out of logged paths', () => {
    expect(withoutLinkToken('/api/v1/referral-links/eyJ.abc.def/answer')).toBe(
      '/api/v1/referral-links/:token/answer',
    );
    expect(withoutLinkToken('/r/eyJ.abc.def')).toBe('/r/:token');
    expect(withoutLinkToken('/api/v1/referrals/1/links')).toBe('/api/v1/referrals/1/links');
  });
});
