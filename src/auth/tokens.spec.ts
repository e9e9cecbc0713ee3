import { decodeJwt } from 'jose';
import { loadConfig } from '../config/app-config.js';
import { Role } from './roles.js';
import { signToken, ttlSeconds } from './tokens.js';

describe('signToken', () => {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), JWT_MAX_TTL_SECONDS: '3600' });

  it('always sets iat and exp, within JWT_MAX_TTL_SECONDS', async () => {
    const claims = decodeJwt(await signToken(config, 's', { roles: [Role.NATIONAL_ADMIN] }, '1h'));
    expect(claims.exp! - claims.iat!).toBe(3600);
    await expect(signToken(config, 's', { roles: [Role.NATIONAL_ADMIN] }, '2h')).rejects.toThrow(
      /JWT_MAX_TTL_SECONDS \(3600 s\)/,
    );
  });

  it('reads lifetimes in s, m, h and d', () => {
    expect([
      ttlSeconds('90s'),
      ttlSeconds('15m'),
      ttlSeconds('12h'),
      ttlSeconds('1d'),
      ttlSeconds(60),
    ]).toEqual([90, 900, 43200, 86400, 60]);
    for (const bad of ['forever', '0h', '-1h', '1y', 0]) expect(() => ttlSeconds(bad)).toThrow(/lifetime/);
  });
});
