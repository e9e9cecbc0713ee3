import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiExtraModels,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { isDirectoryPath } from '../auth/anonymous-directory.js';
import type { AppConfig } from '../config/app-config.js';
import type { ProblemDetails } from './http-errors.js';

class FieldProblemDocument {
  @ApiProperty({ example: 'municipalityCode' })
  field: string;

  @ApiProperty({ example: 'unknown municipality' })
  reason: string;

  @ApiPropertyOptional({ description: 'Line of an uploaded file, for imports' })
  line?: number;
}

/** The RFC 9457 problem document every REST error answers with (see http-errors.ts). */
export class ProblemDocument implements ProblemDetails {
  @ApiProperty({ example: '/problems/not-found', description: 'Stable per error code' })
  type: string;

  @ApiProperty({ example: 'Not found' })
  title: string;

  @ApiProperty({ example: 404 })
  status: number;

  @ApiProperty({ example: 'No provider with id 0b6f...' })
  detail: string;

  @ApiPropertyOptional({ example: '/api/v1/providers/0b6f...' })
  instance?: string;

  @ApiProperty({ example: 'NOT_FOUND', description: 'The machine-readable error code to branch on' })
  code: string;

  @ApiPropertyOptional({ description: 'The id of the request, also in the X-Request-Id header and the logs' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldProblemDocument], description: 'Which inputs are wrong, and why' })
  errors?: FieldProblemDocument[];
}

/** Problems a route answers only where it can meet them; the others every route can meet. */
export type RouteProblem = 403 | 404 | 409 | 413;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The input is not valid (BAD_USER_INPUT, the fields are in `errors`; a query parameter sent twice too), the body is not valid JSON (BAD_JSON), or X-Purpose names no declared purpose',
  401: 'No credential, or one that is not valid',
  403: 'Your role or area does not allow this',
  404: 'Not found (or outside your area, which looks the same)',
  409: 'Conflicts with the data as it is: a stale version, a code or identifier already taken',
  413: 'The uploaded file is larger than the size limit (IMPORT_MAX_BYTES)',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body has no Content-Type, or one this operation does not read (application/json, unless its request body names another)',
  429: 'Too many requests from this caller, or too many failed sign-ins from this address (see Retry-After)',
  503: 'The service is busy (every database connection is in use): retry shortly',
};

/**
 * Documents a REST route: its summary and the problem+json answers it can give. Every call under
 * /api/v1 can meet 400 (the input, the X-Purpose header), 401 (the credential), 429 (rate limits)
 * and 503 (a full pool); `problems` adds those the route itself can raise. Every route carries one:
 * test/openapi-document.e2e-spec.ts lints the document, and a route without a summary or its 4xx
 * answers fails there.
 */
export function ApiRoute(summary: string, problems: RouteProblem[] = [], description?: string) {
  const statuses = [...new Set([400, 401, ...problems, 429, 503])].sort();
  return applyDecorators(
    ApiOperation({ summary, description }),
    ApiExtraModels(ProblemDocument),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDocument) } } },
      }),
    ),
  );
}

/**
 * The OpenAPI document of the REST API, as served at /api/openapi.json. Regions generate clients
 * from it; test/openapi-document.e2e-spec.ts lints it (redocly, recommended rules) and type-checks a
 * client generated from it.
 */
export function openApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('mitroa REST API')
    .setDescription(
      'Regional integrations with the registries of the national mechanism for social inclusion. ' +
        'Errors are application/problem+json (RFC 9457). ' +
        (config.DIRECTORY_REQUIRES_TOKEN
          ? 'Every call needs a bearer token or an API key.'
          : 'The directory (providers, programmes, HSDS, geography) is read without credentials, rate-limited per address; everything else needs a bearer token or an API key.'),
    )
    .setVersion('1')
    .setLicense('EUPL-1.2', 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12')
    // Relative: the address the document was read from, so "Try it out" works on any deployment.
    .addServer('/', 'This service')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'apiKey')
    .build();
  info.info.contact = { name: 'mitroa maintainers' };
  const document = SwaggerModule.createDocument(app, info);
  if (!config.DIRECTORY_REQUIRES_TOKEN) {
    // An empty Security Requirement Object makes the credential optional for that operation.
    for (const [path, item] of Object.entries(document.paths))
      if (isDirectoryPath(path) && item.get) item.get.security = [{}, ...(item.get.security ?? [])];
  }
  // Every operation that takes a body can meet the body parsers' refusals (common/request-body.ts).
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDocument) } } },
  });
  for (const item of Object.values(document.paths))
    for (const operation of [item.post, item.put, item.patch]) {
      if (!operation) continue;
      operation.responses['413'] ??= problem('BODY_TOO_LARGE: the body is larger than 1 MB');
      operation.responses['415'] ??= problem(PROBLEM_DESCRIPTIONS[415]!);
    }
  // A referral link's routes take no bearer token or API key: the token in the path is the credential.
  for (const [path, item] of Object.entries(document.paths))
    if (path.startsWith('/api/v1/referral-links/'))
      for (const operation of [item.get, item.post]) if (operation) operation.security = [];
  return document;
}
