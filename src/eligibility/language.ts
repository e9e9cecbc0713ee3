import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, registerEnumType } from '@nestjs/graphql';
import type { Request } from 'express';

/** The language of explanations: Greek by default, English on request. */
export enum Language {
  EL = 'EL',
  EN = 'EN',
}
registerEnumType(Language, { name: 'Language', description: 'Language of explanations (EL default)' });

/**
 * The language asked: the explicit argument, else the first of Greek or English in the
 * Accept-Language header by its q-value, else Greek (the registry's own language).
 */
export function languageOf(explicit: Language | undefined, acceptLanguage: string | undefined): Language {
  if (explicit) return explicit;
  if (!acceptLanguage) return Language.EL;
  const ranked = acceptLanguage
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { primary: (tag ?? '').split('-')[0], q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((x) => (x.primary === 'el' || x.primary === 'en') && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.primary === 'en' ? Language.EN : Language.EL;
}

/** The rule compiler's spelling of a language. */
export const ruleLanguage = (language: Language): 'el' | 'en' => (language === Language.EN ? 'en' : 'el');

/** The request's Accept-Language header, whichever transport called (GraphQL or REST). */
export const AcceptLanguage = createParamDecorator(
  (_: unknown, host: ExecutionContext): string | undefined => {
    const req: Request =
      host.getType<'graphql' | 'http'>() === 'graphql'
        ? GqlExecutionContext.create(host).getContext().req
        : host.switchToHttp().getRequest();
    return req.headers['accept-language'];
  },
);
