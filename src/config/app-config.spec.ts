import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies defaults for development', () => {
    const config = loadConfig({});
    expect(config.NODE_ENV).toBe('development');
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SEED_DEMO).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).SEED_DEMO).toBe(false);
  });

  it('reads and converts values', () => {
    const config = loadConfig({ PORT: '8080', SEED_DEMO: 'true', DATABASE_URL: 'postgres://u@h/db' });
    expect(config.PORT).toBe(8080);
    expect(config.SEED_DEMO).toBe(true);
    expect(config.DATABASE_URL).toBe('postgres://u@h/db');
  });

  it('keeps webhooks to public addresses by default, and to https in production', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-characters!',
      REFERRAL_LINK_SECRET: 'another-production-secret-of-32-chars',
    };
    expect(loadConfig({})).toMatchObject({
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: false,
      WEBHOOK_REQUIRE_HTTPS: false,
    });
    expect(loadConfig(production)).toMatchObject({
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: false,
      WEBHOOK_REQUIRE_HTTPS: true,
    });
    expect(loadConfig({ ...production, WEBHOOK_REQUIRE_HTTPS: 'false' }).WEBHOOK_REQUIRE_HTTPS).toBe(false);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' }).WEBHOOK_ALLOW_PRIVATE_ADDRESSES).toBe(
      true,
    );
  });

  it('names each bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/DATABASE_URL must be a postgres/);
    }
  });

  it('bounds the token lifetime and the failed-authentication limit', () => {
    const config = loadConfig({});
    expect(config.JWT_MAX_TTL_SECONDS).toBe(43200);
    expect(config.AUTH_FAILURES_PER_MINUTE).toBe(30);
    expect(loadConfig({ JWT_MAX_TTL_SECONDS: '900', AUTH_FAILURES_PER_MINUTE: '5' })).toMatchObject({
      JWT_MAX_TTL_SECONDS: 900,
      AUTH_FAILURES_PER_MINUTE: 5,
    });
    expect(() => loadConfig({ JWT_MAX_TTL_SECONDS: String(100 * 365 * 24 * 3600) })).toThrow(
      /JWT_MAX_TTL_SECONDS/,
    );
    expect(() => loadConfig({ JWT_MAX_TTL_SECONDS: 'forever' })).toThrow(/JWT_MAX_TTL_SECONDS/);
    expect(() => loadConfig({ AUTH_FAILURES_PER_MINUTE: '0' })).toThrow(/AUTH_FAILURES_PER_MINUTE/);
  });

  it('has rate limits per caller kind, and names the renamed request limit', () => {
    expect(loadConfig({})).toMatchObject({
      RATE_LIMIT_POINTS_PER_MINUTE: 1200,
      RATE_LIMIT_API_KEY_POINTS_PER_MINUTE: 12000,
      RATE_LIMIT_GRAPHQL_COST_PER_POINT: 100,
    });
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '600' })).toThrow(/RATE_LIMIT_POINTS_PER_MINUTE/);
    expect(() => loadConfig({ RATE_LIMIT_API_KEY_POINTS_PER_MINUTE: '0' })).toThrow(
      /RATE_LIMIT_API_KEY_POINTS_PER_MINUTE/,
    );
  });

  it('requires a strong JWT secret in production', () => {
    const links = { REFERRAL_LINK_SECRET: 'l'.repeat(32) };
    expect(() => loadConfig({ NODE_ENV: 'production', ...links })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short', ...links })).toThrow(
      /at least 32/,
    );
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ...links }).isProduction).toBe(
      true,
    );
  });

  it('requires a referral link secret of its own in production, and sane link lifetimes', () => {
    const jwt = { JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig({ NODE_ENV: 'production', ...jwt })).toThrow(/REFERRAL_LINK_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...jwt, REFERRAL_LINK_SECRET: 'short' })).toThrow(
      /REFERRAL_LINK_SECRET must be at least 32/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', ...jwt, REFERRAL_LINK_SECRET: 'x'.repeat(32) }),
    ).toThrow(/REFERRAL_LINK_SECRET: must differ from JWT_SECRET/);
    const dev = loadConfig({});
    expect([dev.REFERRAL_LINK_SECRET, dev.REFERRAL_LINK_DEFAULT_DAYS, dev.REFERRAL_LINK_MAX_DAYS]).toEqual([
      undefined,
      14,
      30,
    ]);
    expect(() => loadConfig({ REFERRAL_LINK_DEFAULT_DAYS: '40' })).toThrow(
      /REFERRAL_LINK_DEFAULT_DAYS: must not exceed REFERRAL_LINK_MAX_DAYS/,
    );
    expect(() => loadConfig({ PUBLIC_URL: 'mitroa.example.gr' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ PUBLIC_URL: 'https://mitroa.example.gr' }).PUBLIC_URL).toBe(
      'https://mitroa.example.gr',
    );
  });
});

describe('database scaling settings', () => {
  it('reads DATABASE_READ_URL and DATABASE_PREPARED_STATEMENTS', () => {
    const defaults = loadConfig({});
    expect(defaults.DATABASE_READ_URL).toBeUndefined();
    expect(defaults.DATABASE_PREPARED_STATEMENTS).toBe(true);
    const set = loadConfig({
      DATABASE_READ_URL: 'postgres://u@replica/db',
      DATABASE_PREPARED_STATEMENTS: 'false',
    });
    expect(set.DATABASE_READ_URL).toBe('postgres://u@replica/db');
    expect(set.DATABASE_PREPARED_STATEMENTS).toBe(false);
    expect(() => loadConfig({ DATABASE_READ_URL: 'mysql://x' })).toThrow(
      /DATABASE_READ_URL must be a postgres/,
    );
  });
});
