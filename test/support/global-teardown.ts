import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.MITROA_TEST_SERVER_URL;
  const template = process.env.MITROA_TEST_TEMPLATE;
  if (serverUrl && template) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.end();
  }
  const embedded = (globalThis as Record<string, unknown>).__mitroaEmbedded as
    { stop(): Promise<void> } | undefined;
  await embedded?.stop();
}
