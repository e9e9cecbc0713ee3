import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Role } from '../src/auth/roles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Tokens of an OIDC issuer (e.g. Keycloak) are verified against its JWKS. */
describe('OIDC bearer tokens', () => {
  let t: TestApp;
  let jwks: Server;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const issuer = 'https://keycloak.example/realms/mitroa';

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) =>
      res.setHeader('Content-Type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    t = await startTestApp({ OIDC_JWKS_URL: `http://127.0.0.1:${port}/certs`, OIDC_ISSUER: issuer });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const sign = (claims: Record<string, unknown>, iss = issuer, expiresIn: string | null = '5m') => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('kc-user-1')
      .setIssuer(iss)
      .setAudience('mitroa-api')
      .setIssuedAt();
    if (expiresIn) jwt.setExpirationTime(expiresIn);
    return jwt.sign(privateKey);
  };

  it('accepts a token signed by the issuer, with its roles and area', async () => {
    const token = await sign({ roles: [Role.REGIONAL_OFFICER], region: '2' });
    const res = await t.gql(token, '{ me { id roles scope { level regionCode } } }');
    expect(res.body.data.me).toEqual({
      id: 'kc-user-1',
      roles: ['REGIONAL_OFFICER'],
      scope: { level: 'region', regionCode: '2' },
    });
  });

  it('refuses an issuer token without expiry, or valid for longer than JWT_MAX_TTL_SECONDS', async () => {
    for (const expiresIn of [null, '100y', '13h']) {
      const token = await sign({ roles: [Role.NATIONAL_ADMIN] }, issuer, expiresIn);
      const res = await t.gql(token, '{ me { id } }');
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('refuses a token from another issuer', async () => {
    const token = await sign({ roles: [Role.NATIONAL_ADMIN] }, 'https://evil.example');
    const res = await t.gql(token, '{ me { id } }');
    expect(res.status).toBe(401);
  });
});
