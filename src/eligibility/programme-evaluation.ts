import { isSpecialCategoryProgramme, SPECIAL_CATEGORY_GROUP_CODES } from '../auth/special-category.js';
import {
  EligibilityOutcome,
  FACT_CATALOGUE,
  type FactName,
  type PersonFacts,
  type ProgrammeRule,
  type RuleEvaluation,
} from './contracts.js';
import type { CriterionExplanation, Entitlement } from './entitlements.model.js';
import type { ProgrammeRow } from './entitlements.queries.js';
import { Language, ruleLanguage } from './language.js';
import { checkRule, compileRule, formatMoney, parametersAsOf, type CompiledRule } from './rules/index.js';

/**
 * A programme ready to be evaluated for many people: its rule checked and compiled once, and
 * whether it concerns special-category data. Shared by the per-person answer, the screening, the
 * outreach list, the enrolment snapshot and the benchmark.
 */
export interface PreparedProgramme {
  row: ProgrammeRow;
  /** Undefined when the programme has no rule, or one that does not pass checkRule (staff assess). */
  compiled?: CompiledRule;
  /**
   * Concerns Art. 9 data (rule 17): it targets Roma or disabled people, or its rule reads a
   * special-category fact or names a special-category group (e.g. tests `groups` for DISABILITY):
   * for a caller without special_category it is left out, never evaluated on facts they may not see.
   */
  specialCategory: boolean;
}

const cache = new Map<string, PreparedProgramme>();
const CACHE_LIMIT = 500;

/** Compiles a programme's rule once per programme version (programmes change rarely, people often). */
export function prepareProgramme(row: ProgrammeRow): PreparedProgramme {
  const key = `${row.id}:${row.version}`;
  const hit = cache.get(key);
  if (hit) return { ...hit, row };
  let compiled: CompiledRule | undefined;
  const rule = row.eligibility_rule;
  if (rule !== null && rule !== undefined) {
    const names = new Set(row.parameters.map((p) => p.name));
    if (checkRule(rule, names).length === 0) compiled = compileRule(rule as ProgrammeRule);
  }
  // The database's column (migration 1764700000000) is what enrolments, referrals and figures
  // read; the same test in code covers rows made by hand (benchmarks, unit tests), and a test
  // keeps the two in agreement.
  const specialCategory =
    row.special_category === true ||
    isSpecialCategoryProgramme(row.target_groups) ||
    (compiled?.facts ?? []).some(
      (f) => (FACT_CATALOGUE[f] as { specialCategory?: boolean }).specialCategory,
    ) ||
    mentionsSpecialGroup(rule);
  const prepared = { row, compiled, specialCategory };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, prepared);
  return prepared;
}

function mentionsSpecialGroup(rule: unknown): boolean {
  if (typeof rule === 'string') return SPECIAL_CATEGORY_GROUP_CODES.includes(rule);
  if (Array.isArray(rule)) return rule.some(mentionsSpecialGroup);
  if (rule && typeof rule === 'object') return Object.values(rule).some(mentionsSpecialGroup);
  return false;
}

const TEXT = {
  [Language.EL]: {
    eligible: 'Πιθανότατα δικαιούται',
    amount: (a: string) => `, ποσό ${a}`,
    notEligible: (n: number, of: number) => `Δεν δικαιούται: δεν πληρούνται ${n} από ${of} κριτήρια`,
    cannotTell: (facts: string) => `Δεν μπορεί να κριθεί ακόμη: λείπουν ${facts}`,
    noRule: 'Δεν υπάρχει κανόνας επιλεξιμότητας: την επιλεξιμότητα κρίνει το προσωπικό του Κέντρου',
  },
  [Language.EN]: {
    eligible: 'Likely eligible',
    amount: (a: string) => `, amount ${a}`,
    notEligible: (n: number, of: number) => `Not eligible: ${n} of ${of} criteria not met`,
    cannotTell: (facts: string) => `Cannot tell yet: missing ${facts}`,
    noRule: 'There is no eligibility rule: staff must assess eligibility',
  },
};

export interface ProgrammeOutcome {
  evaluation: RuleEvaluation;
  summary: string;
}

/** The outcome of one programme for one person's facts on a day, explained in `language`. */
export function evaluateProgramme(
  p: PreparedProgramme,
  facts: PersonFacts,
  asOf: string,
  language: Language,
): ProgrammeOutcome {
  const text = TEXT[language];
  if (!p.compiled)
    return {
      evaluation: { outcome: EligibilityOutcome.CANNOT_TELL, criteria: [] },
      summary: text.noRule,
    };
  const evaluation = p.compiled.evaluate(
    facts,
    parametersAsOf(p.row.parameters, asOf),
    ruleLanguage(language),
  );
  const lang = ruleLanguage(language);
  let summary: string;
  if (evaluation.outcome === EligibilityOutcome.ELIGIBLE)
    summary =
      text.eligible +
      (evaluation.amount !== undefined ? text.amount(formatMoney(evaluation.amount, lang)) : '');
  else if (evaluation.outcome === EligibilityOutcome.NOT_ELIGIBLE)
    summary = text.notEligible(
      evaluation.criteria.filter((c) => c.status === 'NOT_MET').length,
      evaluation.criteria.length,
    );
  else {
    const missing = [...new Set(evaluation.criteria.flatMap((c) => c.missing.map((m) => m.fact)))];
    summary = text.cannotTell(missing.map((f) => FACT_CATALOGUE[f][lang]).join(', '));
  }
  return { evaluation, summary };
}

/** Only the outcome and the amount, for bulk runs (no explanation is built). */
export function outcomeOf(
  p: PreparedProgramme,
  facts: PersonFacts,
  params: ReturnType<typeof parametersAsOf>,
): { outcome: EligibilityOutcome; amount?: number } {
  if (!p.compiled) return { outcome: EligibilityOutcome.CANNOT_TELL };
  const outcome = p.compiled.outcome(facts, params);
  if (outcome !== EligibilityOutcome.ELIGIBLE || !p.compiled.rule.amount) return { outcome };
  const amount = p.compiled.amountValue(facts, params);
  return typeof amount === 'number' && Number.isFinite(amount)
    ? { outcome, amount: Math.round((amount + Number.EPSILON) * 100) / 100 }
    : { outcome };
}

export function toCriteria(evaluation: RuleEvaluation, language: Language): CriterionExplanation[] {
  const lang = ruleLanguage(language);
  return evaluation.criteria.map((c) => ({
    id: c.id,
    status: c.status,
    explanation: c.explanation,
    shortfall: c.shortfall ?? null,
    missing: c.missing.map((m) => ({
      fact: m.fact,
      label: FACT_CATALOGUE[m.fact as FactName][lang],
      suppliers: [...m.suppliers],
    })),
  }));
}

/** The entitlement without its providers and enrolment (the caller adds those). */
export function toEntitlement(
  p: PreparedProgramme,
  outcome: ProgrammeOutcome,
  language: Language,
): Omit<Entitlement, 'providers' | 'enrolled'> {
  const r = p.row;
  return {
    programmeId: r.id,
    programmeCode: r.code,
    title: r.title,
    kind: r.kind,
    outcome: outcome.evaluation.outcome,
    summary: outcome.summary,
    criteria: toCriteria(outcome.evaluation, language),
    amount: outcome.evaluation.amount ?? null,
    administeringBody: r.administering_body,
    howToApply: r.how_to_apply,
    whereToApply: r.where_to_apply,
    requiredDocuments: r.required_documents,
  };
}
