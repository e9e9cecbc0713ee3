/**
 * Demo data for `npm start`. The foundation has only reference data (geography, seeded by migration);
 * the registries add their demo records here as they land.
 */
export async function seedDemoData(_databaseUrl: string, log: (message: string) => void): Promise<void> {
  log('demo data: geography is seeded by migration; no registry demo data yet');
}
