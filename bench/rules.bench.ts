import { performance } from 'node:perf_hooks';
import { SEEDED_RULES } from '../src/demo/programme-rules.seed.js';
import { FactBasis, type FactName, type PersonFacts } from '../src/eligibility/contracts.js';
import { compileRule } from '../src/eligibility/rules/compile-rule.js';
import { parametersAsOf } from '../src/eligibility/rules/parameters.js';
import { printTable } from './report.js';

/**
 * Micro-benchmark of the rule evaluator alone (no SQL): every seeded programme's compiled rule
 * over BENCH_PEOPLE (200,000) synthetic people whose facts are built once, a tenth of them with a
 * fact missing. Prints evaluations per second for the outcome alone, for full evaluations without
 * explanations and with them (Greek). The entitlements bench budgets ~15 programmes × 1,000,000
 * people in 60 s including SQL, i.e. well over 250,000 evaluations per second are needed.
 *
 * Run: npm run build && node dist/bench/rules.bench.js
 */
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 200_000);

/** A small deterministic generator, so runs compare. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function people(n: number): PersonFacts[] {
  const r = lcg(20_261_201);
  const fact = (
    value: PersonFacts[FactName] extends infer F ? (F extends { value: infer V } ? V : never) : never,
  ) => ({
    value,
    basis: FactBasis.FEED,
    source: 'BENCH',
    asOf: '2024-06-01',
  });
  const out: PersonFacts[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const adults = 1 + Math.floor(r() * 3);
    const minors = Math.floor(r() * 4);
    const p: PersonFacts = {
      age: fact(Math.floor(r() * 95)),
      municipality_code: fact(r() < 0.5 ? '0802' : '4912'),
      household_size: fact(adults + minors),
      household_adults: fact(adults),
      household_minors: fact(minors),
      household_income_last_6_months: fact(Math.round(r() * 400_000) / 100),
      household_income_annual: fact(Math.round(r() * 4_000_000) / 100),
      real_estate_value: fact(Math.round(r() * 200_000)),
      vehicle_value: fact(Math.round(r() * 9_000)),
      disability_percentage: fact(Math.floor(r() * 100)),
      legal_residence: fact(r() < 0.97),
      insured: fact(r() < 0.8),
      receives_pension: fact(r() < 0.3),
      lives_alone: fact(r() < 0.2),
      self_sufficient: fact(r() < 0.9),
      has_active_lease: fact(r() < 0.4),
      enrolled_programmes: fact(r() < 0.1 ? ['GMI'] : []),
      benefits_received: fact([]),
    };
    // Missing facts as the facts view would leave them out (a new object without the key, not `delete`).
    if (r() < 0.1) {
      const { household_income_last_6_months: _income, ...rest } = p;
      out[i] = rest;
    } else if (r() < 0.05) {
      const { has_active_lease: _lease, ...rest } = p;
      out[i] = rest;
    } else out[i] = p;
  }
  return out;
}

function main(): void {
  const population = people(PEOPLE);
  const programmes = Object.entries(SEEDED_RULES).map(([code, s]) => ({
    code,
    compiled: compileRule(s.rule),
    params: parametersAsOf(s.parameters, '2024-06-01'),
  }));
  const rows: Array<[string, string]> = [];
  const run = (label: string, one: (i: number, k: number) => unknown): void => {
    // A warm-up pass so the JIT has seen every closure before the timed one.
    for (let k = 0; k < programmes.length; k++) for (let i = 0; i < Math.min(20_000, PEOPLE); i++) one(i, k);
    let sink = 0; // keeps the results alive, so no evaluation is optimised away
    const start = performance.now();
    for (let k = 0; k < programmes.length; k++)
      for (let i = 0; i < PEOPLE; i++) if (one(i, k) === undefined) sink++;
    const seconds = (performance.now() - start) / 1000;
    const n = PEOPLE * programmes.length;
    rows.push([
      label,
      `${Math.round(n / seconds).toLocaleString('en')} evaluations/s (${n.toLocaleString('en')} in ${seconds.toFixed(2)} s)${sink ? ' ?' : ''}`,
    ]);
  };
  run('outcome only', (i, k) => programmes[k]!.compiled.outcome(population[i]!, programmes[k]!.params));
  run('evaluate, no explanations', (i, k) =>
    programmes[k]!.compiled.evaluate(population[i]!, programmes[k]!.params, 'el', { explain: false }),
  );
  run('evaluate with explanations (el)', (i, k) =>
    programmes[k]!.compiled.evaluate(population[i]!, programmes[k]!.params, 'el'),
  );
  const perMillion = (label: string): string => {
    const row = rows.find(([l]) => l === label)!;
    const rate = Number(row[1].split(' ')[0]!.replace(/,/g, ''));
    return `${((15 * 1_000_000) / rate).toFixed(1)} s`;
  };
  rows.push(['15 programmes × 1,000,000 people (outcome only)', perMillion('outcome only')]);
  rows.push(['15 programmes × 1,000,000 people (no explanations)', perMillion('evaluate, no explanations')]);
  rows.push(['15 programmes × 1,000,000 people (explained)', perMillion('evaluate with explanations (el)')]);
  printTable(
    `Rule evaluation: ${programmes.length} programmes × ${PEOPLE.toLocaleString('en')} people`,
    rows,
  );
}

main();
