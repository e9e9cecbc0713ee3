import { FeedFormat, FeedKind } from './contracts.js';
import { FEEDS, feedDefinition, fieldForHeader, normalizeHeader } from './feeds.js';

describe('feed definitions', () => {
  it('defines every feed kind, with its person keys among its fields', () => {
    for (const kind of Object.values(FeedKind)) {
      const definition = feedDefinition(kind);
      expect(definition.kind).toBe(kind);
      const names = definition.fields.map((f) => f.name);
      for (const key of definition.personKeys) expect(names).toContain(key);
      expect(new Set(names).size).toBe(names.length);
      for (const f of definition.fields) {
        expect(f.headers[0]).toBe(f.name);
        if (f.type === 'code') expect(f.codes?.length).toBeGreaterThan(0);
      }
    }
    expect(FEEDS.TAXIS.formats).toContain(FeedFormat.FIXED_WIDTH);
    expect(FEEDS.EFKA.formats).not.toContain(FeedFormat.FIXED_WIDTH);
  });

  it('gives no two fields of one feed the same header once normalized', () => {
    for (const definition of Object.values(FEEDS)) {
      const seen = new Map<string, string>();
      for (const f of definition.fields) {
        for (const h of f.headers) {
          const key = normalizeHeader(h);
          expect([definition.kind, key, seen.get(key) ?? f.name]).toEqual([definition.kind, key, f.name]);
          seen.set(key, f.name);
        }
      }
    }
  });

  it('matches Greek and English headers whatever their accents, case, dots and separators', () => {
    expect(normalizeHeader('Α.Φ.Μ.')).toBe('αφμ');
    expect(normalizeHeader('  Tax_Year ')).toBe('tax year');
    expect(normalizeHeader('ΕΠΩΝΥΜΟ')).toBe(normalizeHeader('Επώνυμο'));
    expect(fieldForHeader(FEEDS.TAXIS, 'Α.Φ.Μ.')?.name).toBe('afm');
    expect(fieldForHeader(FEEDS.TAXIS, 'ετος')?.name).toBe('tax_year');
    expect(fieldForHeader(FEEDS.TAXIS, 'ΟΙΚΟΓΕΝΕΙΑΚΟ ΕΙΣΟΔΗΜΑ')?.name).toBe('household_income');
    expect(fieldForHeader(FEEDS.TAXIS, 'TAX-YEAR')?.name).toBe('tax_year');
    expect(fieldForHeader(FEEDS.EFKA, 'ΑΜΚΑ')?.name).toBe('amka');
    expect(fieldForHeader(FEEDS.KEPA, 'Ποσοστό Αναπηρίας')?.name).toBe('percentage');
    expect(fieldForHeader(FEEDS.REGISTRY, 'ΦΥΛΟ')?.name).toBe('gender');
    expect(fieldForHeader(FEEDS.TAXIS, 'amka')).toBeUndefined();
  });
});
