import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'a-subscription-secret-of-32-chars-or-more';
  const body = JSON.stringify({ id: 'e1', topic: 'referral.sent', payload: { a: 1 } });
  const at = new Date('2026-03-01T10:00:00Z');

  it('verify with the same secret and body within the window', () => {
    const header = signWebhook(secret, body, at);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(secret, body, header, new Date(at.getTime() + 60_000))).toEqual({
      ok: true,
      timestamp: at.getTime() / 1000,
    });
  });

  it('fail with another secret, a changed body or a changed timestamp', () => {
    const header = signWebhook(secret, body, at);
    expect(verifyWebhook('another-secret-of-at-least-32-characters', body, header, at)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhook(secret, body.replace('e1', 'e2'), header, at)).toMatchObject({ reason: 'mismatch' });
    const shifted = header.replace(/^t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`);
    expect(verifyWebhook(secret, body, shifted, at)).toMatchObject({ reason: 'mismatch' });
  });

  it('refuse a replay outside the window, and headers that are not signatures', () => {
    const header = signWebhook(secret, body, at);
    expect(verifyWebhook(secret, body, header, new Date(at.getTime() + 301_000))).toMatchObject({
      reason: 'too_old',
    });
    expect(verifyWebhook(secret, body, header, new Date(at.getTime() - 301_000))).toMatchObject({
      reason: 'in_future',
    });
    for (const bad of [undefined, '', 't=1', 'v1=ab', 't=x,v1=' + 'a'.repeat(64), 't=1,v1=zz'])
      expect(verifyWebhook(secret, body, bad, at)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
