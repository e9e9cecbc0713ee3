import {
  applyDecorators,
  HttpException,
  Inject,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { RequestBodyError, RequestBodyErrorCode } from './domain-error.js';

/**
 * How a request body is read, for every route at once. The body parsers (app.factory.ts) read JSON
 * and, for the referral link page's forms, urlencoded bodies; anything else is left unread, and a
 * handler would see no fields at all. So a body must be of a media type its operation reads:
 * JSON unless the route declares otherwise with `@Consumes(...)` (the import upload reads
 * multipart/form-data, the link page urlencoded forms), else 415 UNSUPPORTED_MEDIA_TYPE. A request
 * with no body (a POST that takes none) needs no Content-Type. The parsers' own refusals (bad
 * JSON, a charset or encoding they cannot read, over 1 MB) get typed codes here too.
 */
const CONSUMES = 'mitroa:consumes';
const JSON_TYPE = 'application/json';
const METHODS_WITH_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/** The media types a route reads (also its OpenAPI `consumes`); without it, JSON only. */
export const Consumes = (...types: string[]) =>
  applyDecorators(SetMetadata(CONSUMES, types), ApiConsumes(...types));

/** Whether the request carries a body at all (Content-Length 0, or none, is no body). */
function carriesBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/** The media type as sent, only when it looks like one (a header is client input of any length). */
function sentType(req: Request): string | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '') return undefined;
  return /^[\w!#$&^.+-]{1,64}\/[\w!#$&^.+-]{1,64}$/.test(type) ? type : 'of an unrecognised type';
}

function howToSend(accepted: string[]): string {
  return accepted.length === 1 && accepted[0] === JSON_TYPE
    ? `send JSON with Content-Type: ${JSON_TYPE}`
    : `send it with Content-Type: ${accepted.join(' or ')}`;
}

/** Refuses, before any pipe or handler, a body of a media type the route does not read. */
@Injectable()
export class RequestBodyInterceptor implements NestInterceptor {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    if (!METHODS_WITH_BODY.has(req.method) || !carriesBody(req)) return next.handle();
    const accepted = this.reflector.getAllAndOverride<string[] | undefined>(CONSUMES, [
      context.getHandler(),
      context.getClass(),
    ]) ?? [JSON_TYPE];
    if (req.is(accepted)) return next.handle();
    const type = sentType(req);
    throw new RequestBodyError(
      RequestBodyErrorCode.UNSUPPORTED_MEDIA_TYPE,
      type === undefined
        ? `The body has no Content-Type, so it was not read: ${howToSend(accepted)}.`
        : `The body is ${type}, which this operation does not read: ${howToSend(accepted)}.`,
    );
  }
}

/** The shape of body-parser's errors (http-errors, with the raw body on a parse failure). */
interface BodyParserError {
  type?: unknown;
  body?: unknown;
  message?: unknown;
  charset?: unknown;
  encoding?: unknown;
}

/**
 * The typed error for a refusal of the body parsers, which run before any route (Nest hands them
 * to the filter as an HttpException whose cause is body-parser's error); undefined for any other.
 */
export function requestBodyErrorOf(thrown: unknown): RequestBodyError | undefined {
  if (!(thrown instanceof HttpException)) return undefined;
  const cause = thrown.cause as BodyParserError | undefined;
  if (typeof cause !== 'object' || cause === null) return undefined;
  const name = (value: unknown) =>
    typeof value === 'string' && /^[\w.-]{1,40}$/.test(value) ? value : 'this one';
  switch (cause.type) {
    case 'entity.parse.failed':
      // The urlencoded parser fails with the same type; only JSON.parse throws a SyntaxError.
      if (!((cause as unknown) instanceof SyntaxError)) return undefined;
      return badJson(String(cause.message ?? ''), typeof cause.body === 'string' ? cause.body : '');
    case 'charset.unsupported':
      return new RequestBodyError(
        RequestBodyErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `The body's charset (${name(cause.charset)}) is not supported: send it in UTF-8 (Content-Type: ${JSON_TYPE}; charset=utf-8).`,
      );
    case 'encoding.unsupported':
      return new RequestBodyError(
        RequestBodyErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `The body's Content-Encoding (${name(cause.encoding)}) is not supported: send the body uncompressed, or with gzip.`,
      );
    case 'entity.too.large':
      return new RequestBodyError(
        RequestBodyErrorCode.BODY_TOO_LARGE,
        'The body is larger than the 1 MB limit: send less in one request (an import file goes to POST /api/v1/imports).',
      );
    default:
      return undefined;
  }
}

/**
 * BAD_JSON with what JSON.parse found and where (line and column), in words of our own: V8's
 * "Unexpected token" message quotes the body around the error, and a body can hold an AMKA or a
 * name, so no part of the body is echoed but the one offending character.
 */
function badJson(message: string, body: string): RequestBodyError {
  let reason = 'it cannot be parsed';
  let position: number | undefined;
  const first = /\S/.exec(body)?.[0];
  const at = / in JSON at position (\d+)/.exec(message);
  const token = /^Unexpected token '(.)'/su.exec(message);
  if (first !== undefined && first !== '{' && first !== '[') {
    reason = 'it must be a JSON object (or a list), starting with { or [';
  } else if (/^Unexpected end of JSON input/.test(message)) {
    reason = 'it ends before the JSON value does';
    position = body.length;
  } else if (at) {
    const words = message.slice(0, at.index);
    // V8's words for the problem ("Expected ',' or '}' after property value") hold none of the body.
    if (/^[A-Za-z ,'{}[\]:-]{1,80}$/.test(words)) reason = words[0]!.toLowerCase() + words.slice(1);
    position = Number(at[1]);
  } else if (token) {
    const char = token[1]!;
    const shown = /^[!-~]$/.test(char) ? `'${char}'` : `U+${char.codePointAt(0)!.toString(16).toUpperCase()}`;
    reason = `unexpected character ${shown}`;
  }
  let where = '';
  if (position !== undefined && position <= body.length) {
    const before = body.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    where = ` at line ${line}, column ${column}`;
  }
  return new RequestBodyError(
    RequestBodyErrorCode.BAD_JSON,
    `The body is not valid JSON: ${reason}${where}. Send a JSON object with Content-Type: ${JSON_TYPE}.`,
    [{ field: 'body', reason: `is not valid JSON: ${reason}${where}` }],
  );
}
