import type { FactDefinition, FactSupplier } from '../contracts.js';

export type Language = 'el' | 'en';
export type ValueUnit = FactDefinition['unit'] | undefined;

/** Digits grouped by three, without Intl (this runs for every criterion of a million people). */
function grouped(integer: string, separator: string): string {
  let out = '';
  for (let i = 0; i < integer.length; i++) {
    if (i > 0 && (integer.length - i) % 3 === 0) out += separator;
    out += integer[i];
  }
  return out;
}

/** 1450 -> "1.450,00 €" in Greek, "1,450.00 €" in English. */
export function formatMoney(n: number, language: Language): string {
  if (!Number.isFinite(n)) return String(n);
  const [integer, decimals] = Math.abs(n).toFixed(2).split('.') as [string, string];
  const sign = n < 0 ? '-' : '';
  return language === 'el'
    ? `${sign}${grouped(integer, '.')},${decimals} €`
    : `${sign}${grouped(integer, ',')}.${decimals} €`;
}

/** A number without unit: at most two decimals, decimal comma in Greek. */
export function formatNumber(n: number, language: Language): string {
  if (!Number.isFinite(n)) return String(n);
  const rounded = Math.round(n * 100) / 100;
  const [integer, decimals] = Math.abs(rounded).toString().split('.') as [string, string | undefined];
  const sign = rounded < 0 ? '-' : '';
  const body = grouped(integer, language === 'el' ? '.' : ',');
  return decimals ? `${sign}${body}${language === 'el' ? ',' : '.'}${decimals}` : `${sign}${body}`;
}

/** [one, many] */
const UNIT_WORDS: Record<string, { el: [string, string]; en: [string, string] }> = {
  YEARS: { el: ['έτος', 'έτη'], en: ['year', 'years'] },
  MONTHS: { el: ['μήνας', 'μήνες'], en: ['month', 'months'] },
};

export function formatQuantity(n: number, unit: ValueUnit, language: Language): string {
  if (unit === 'EUR' || unit === 'EUR_PER_MONTH') return formatMoney(n, language);
  if (unit === 'PERCENT') return `${formatNumber(n, language)}%`;
  const words = unit ? UNIT_WORDS[unit]?.[language] : undefined;
  return words ? `${formatNumber(n, language)} ${words[n === 1 ? 0 : 1]}` : formatNumber(n, language);
}

export function formatValue(v: unknown, unit: ValueUnit, language: Language): string {
  if (typeof v === 'number') return formatQuantity(v, unit, language);
  if (typeof v === 'boolean') return language === 'el' ? (v ? 'ναι' : 'όχι') : v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length ? v.map(String).join(', ') : language === 'el' ? 'κανένα' : 'none';
  if (v === null || v === undefined) return '—';
  return String(v);
}

export const SUPPLIER_NAMES: Record<FactSupplier, { el: string; en: string }> = {
  REGISTRY: { el: 'το μητρώο ωφελουμένων', en: 'the beneficiary registry' },
  TAXIS: { el: 'ΑΑΔΕ (TAXIS)', en: 'the tax administration (TAXIS)' },
  EFKA: { el: 'e-ΕΦΚΑ', en: 'e-EFKA' },
  OPEKA: { el: 'ΟΠΕΚΑ', en: 'OPEKA' },
  KEPA: { el: 'ΚΕΠΑ', en: 'KEPA' },
  DYPA: { el: 'ΔΥΠΑ', en: 'DYPA' },
  DOCUMENT: { el: 'δικαιολογητικό που προσκομίζει ο/η ενδιαφερόμενος/η', en: 'a document the person brings' },
};

export function formatSuppliers(suppliers: readonly FactSupplier[], language: Language): string {
  const names = suppliers.map((s) => SUPPLIER_NAMES[s][language]);
  if (names.length <= 1) return names.join('');
  const last = names.pop()!;
  return `${names.join(', ')} ${language === 'el' ? 'ή' : 'or'} ${last}`;
}
