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

  it('names each bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/DATABASE_URL must be a postgres/);
    }
  });

  it('requires a strong JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).isProduction).toBe(true);
  });
});
