import type { ParameterValues, PersonFacts } from '../contracts.js';
import { argsOf, isOperation } from './operators.js';

/**
 * Turns a checked JSON Logic expression into the source of one JavaScript function, so that a
 * rule runs as straight-line code with monomorphic property reads (`f["age"]`) instead of a tree
 * of closures: about the speed of hand-written code, which the bulk entitlement runs need.
 *
 * Every name and literal is written with JSON.stringify, and anything the generator does not
 * handle itself is called through a closure in `K`, so no text of a rule is ever code. The
 * semantics are those of compile-rule.ts (three-valued, `U` for unknown), which the property
 * test holds against json-logic-js.
 */
export type Fn = (f: PersonFacts, p: ParameterValues) => unknown;

interface Emitter {
  lines: string[];
  vars: number;
  labels: number;
  constants: unknown[];
  fallback: (node: unknown) => Fn;
}

const COMPARE: Record<string, string> = {
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '==': '==',
  '===': '===',
  '!=': '!=',
  '!==': '!==',
};

const T = (x: string): string => `(Array.isArray(${x}) ? ${x}.length > 0 : !!${x})`;

function fresh(e: Emitter): string {
  return `t${e.vars++}`;
}

function constant(e: Emitter, v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') {
    const r = fresh(e);
    e.lines.push(`${r} = ${typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v)};`);
    return r;
  }
  e.constants.push(v);
  const r = fresh(e);
  e.lines.push(`${r} = K[${e.constants.length - 1}];`);
  return r;
}

/** `r = a op b` with unknown spreading; b is evaluated only when a is known. */
function binary(e: Emitter, a: unknown, b: unknown, expr: (x: string, y: string) => string): string {
  const r = fresh(e);
  const x = emit(e, a);
  e.lines.push(`if (${x} === U) ${r} = U; else {`);
  const y = emit(e, b);
  e.lines.push(`${r} = ${y} === U ? U : ${expr(x, y)}; }`);
  return r;
}

function emit(e: Emitter, node: unknown): string {
  if (!isOperation(node)) {
    if (Array.isArray(node) && !node.every((n) => !isOperation(n) && !Array.isArray(n))) return call(e, node);
    return constant(e, node);
  }
  const op = Object.keys(node)[0]!;
  const args = argsOf(node[op]);
  switch (op) {
    case 'var': {
      if (args.length > 1) return call(e, node);
      const r = fresh(e);
      e.lines.push(`${r} = f[${JSON.stringify(String(args[0]))}];`);
      e.lines.push(`${r} = ${r} === undefined || ${r}.value === null ? U : ${r}.value;`);
      return r;
    }
    case 'param': {
      const r = fresh(e);
      e.lines.push(`${r} = p[${JSON.stringify(String(args[0]))}];`);
      e.lines.push(`if (${r} === undefined) ${r} = U;`);
      return r;
    }
    case 'and':
    case 'or': {
      const r = fresh(e);
      const unknown = fresh(e);
      const label = `L${e.labels++}`;
      const wanted = op === 'or';
      e.lines.push(`${unknown} = false; ${r} = null; ${label}: {`);
      for (const a of args) {
        const x = emit(e, a);
        e.lines.push(
          `if (${x} === U) ${unknown} = true; else if (${T(x)} === ${wanted}) { ${r} = ${x}; break ${label}; } else ${r} = ${x};`,
        );
      }
      e.lines.push(`if (${unknown}) ${r} = U; }`);
      return r;
    }
    case '!':
    case '!!': {
      const r = fresh(e);
      const x = emit(e, args[0]);
      e.lines.push(`${r} = ${x} === U ? U : ${op === '!' ? '!' : ''}${T(x)};`);
      return r;
    }
    case 'if':
    case '?:': {
      const r = fresh(e);
      const label = `L${e.labels++}`;
      e.lines.push(`${label}: {`);
      let i = 0;
      for (; i + 1 < args.length; i += 2) {
        const c = emit(e, args[i]);
        e.lines.push(`if (${c} === U) { ${r} = U; break ${label}; }`);
        e.lines.push(`if (${T(c)}) {`);
        const then = emit(e, args[i + 1]);
        e.lines.push(`${r} = ${then}; break ${label}; }`);
      }
      if (i < args.length) {
        const otherwise = emit(e, args[i]);
        e.lines.push(`${r} = ${otherwise};`);
      } else e.lines.push(`${r} = null;`);
      e.lines.push('}');
      return r;
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '==':
    case '===':
    case '!=':
    case '!==': {
      const sign = COMPARE[op]!;
      if (args.length === 3) {
        const r = fresh(e);
        const x = emit(e, args[0]);
        e.lines.push(`if (${x} === U) ${r} = U; else {`);
        const y = emit(e, args[1]);
        e.lines.push(`if (${y} === U) ${r} = U; else {`);
        const z = emit(e, args[2]);
        e.lines.push(`${r} = ${z} === U ? U : (${x} ${sign} ${y}) && (${y} ${sign} ${z}); } }`);
        return r;
      }
      return binary(e, args[0], args[1], (x, y) => `${x} ${sign} ${y}`);
    }
    case '-':
      if (args.length === 1) {
        const r = fresh(e);
        const x = emit(e, args[0]);
        e.lines.push(`${r} = ${x} === U ? U : -${x};`);
        return r;
      }
      return binary(e, args[0], args[1], (x, y) => `${x} - ${y}`);
    case '/':
      return binary(e, args[0], args[1], (x, y) => `${x} / ${y}`);
    case '%':
      return binary(e, args[0], args[1], (x, y) => `${x} % ${y}`);
    case '+':
    case '*': {
      if (args.length === 2) return binary(e, args[0], args[1], (x, y) => `+${x} ${op} +${y}`);
      // Left to right from 0 (or 1), as json-logic-js reduces.
      const r = fresh(e);
      const label = `L${e.labels++}`;
      e.lines.push(`${r} = ${op === '+' ? 0 : 1}; ${label}: {`);
      for (const a of args) {
        const x = emit(e, a);
        e.lines.push(`if (${x} === U) { ${r} = U; break ${label}; } ${r} = ${r} ${op} +${x};`);
      }
      e.lines.push('}');
      return r;
    }
    case 'min':
    case 'max': {
      const r = fresh(e);
      const label = `L${e.labels++}`;
      const xs: string[] = [];
      e.lines.push(`${label}: {`);
      for (const a of args) {
        const x = emit(e, a);
        e.lines.push(`if (${x} === U) { ${r} = U; break ${label}; }`);
        xs.push(x);
      }
      e.lines.push(`${r} = Math.${op}(${xs.join(', ')}); }`);
      return r;
    }
    case 'in':
      return binary(
        e,
        args[0],
        args[1],
        (x, y) => `(!!${y} && typeof ${y}.indexOf === 'function' && ${y}.indexOf(${x}) !== -1)`,
      );
    default:
      // missing, missing_some, var with a default: the closure does it.
      return call(e, node);
  }
}

function call(e: Emitter, node: unknown): string {
  e.constants.push(e.fallback(node));
  const r = fresh(e);
  e.lines.push(`${r} = K[${e.constants.length - 1}](f, p);`);
  return r;
}

export interface Generated {
  /** One function per expression, in order. */
  expressions: Fn[];
  /**
   * All `tests` in one function: returns 0 when every test holds, 1 when one does not, 2 when
   * none fails but one is unknown (the outcome, without allocating).
   */
  outcome: (f: PersonFacts, p: ParameterValues) => 0 | 1 | 2;
}

/** Source of the statements computing `node`, and the variable holding the result. */
function body(e: Emitter, node: unknown): { code: string; result: string } {
  e.lines = [];
  const result = emit(e, node);
  return { code: e.lines.join('\n'), result };
}

export function generate(
  tests: unknown[],
  others: unknown[],
  unknown: symbol,
  fallback: (node: unknown) => Fn,
): Generated {
  const e: Emitter = { lines: [], vars: 0, labels: 0, constants: [], fallback };
  const sources: string[] = [];
  // Variable and label numbers run on across expressions, so bodies can share one function.
  const bodies = [...tests, ...others].map((node) => {
    const first = e.vars;
    const b = body(e, node);
    const names = Array.from({ length: e.vars - first }, (_v, i) => `t${first + i}`);
    return { ...b, decl: names.length ? `let ${names.join(', ')};` : '' };
  });
  for (const b of bodies) sources.push(`function (f, p) {\n${b.decl}\n${b.code}\nreturn ${b.result};\n}`);
  const outcomeParts = bodies
    .slice(0, tests.length)
    .map(
      (b) =>
        `{ ${b.decl}\n${b.code}\nif (${b.result} === U) unknown = true; else if (!${T(b.result)}) return 1; }`,
    );
  const source = `return {
    expressions: [${sources.join(',\n')}],
    outcome: function (f, p) { let unknown = false;\n${outcomeParts.join('\n')}\nreturn unknown ? 2 : 0; }
  };`;
  // The source holds no text of the rule as code: names and literals are JSON strings, the rest K.
  const factory = new Function('U', 'K', source) as (u: symbol, k: unknown[]) => Generated;
  return factory(unknown, e.constants);
}
