import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import { startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{
    ruleId: string;
    severity: string;
    message: string;
    location: Array<{ pointer?: string }>;
  }>;
}

/**
 * The document regions generate their clients from: it passes `redocly lint` with the recommended
 * rules (redocly.yaml), so every route has a summary and documents the problem+json answers it gives
 * (see ApiRoute), and a TypeScript client generated from it type-checks a call.
 */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenAPI3;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/api/openapi.json').expect(200)).body as OpenAPI3;
    dir = mkdtempSync(join(tmpdir(), 'mitroa-openapi-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('passes redocly lint with the recommended rules: no error, no warning', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    // The CLI exits non-zero when it finds a problem; its report is on stdout either way.
    const { stdout } = await run(
      process.execPath,
      ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--config=redocly.yaml', '--format=json'],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 << 20,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`,
    );
    expect(problems).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });

  it('documents every operation with a summary and its problem+json answers', () => {
    const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;
    const operations = Object.values(doc.paths ?? {}).flatMap((item) =>
      methods.flatMap((m) =>
        (item as Record<string, unknown>)[m] ? [(item as Record<string, never>)[m]] : [],
      ),
    ) as Array<{ summary?: string; responses: Record<string, { content?: Record<string, unknown> }> }>;
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      expect(op.summary).toEqual(expect.any(String));
      for (const status of ['400', '401', '429', '503'])
        expect(Object.keys(op.responses[status]?.content ?? {})).toEqual(['application/problem+json']);
    }
  });

  it('generates a TypeScript client that type-checks a call, and refuses a wrong one', async () => {
    writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(doc)));
    writeFileSync(
      join(dir, 'call.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './schema';

const client = createClient<paths>({ baseUrl: 'http://localhost:3000' });

export async function providerName(id: string): Promise<string> {
  const { data, error } = await client.GET('/api/v1/providers/{id}', { params: { path: { id } } });
  if (error) throw new Error(\`\${error.status} \${error.code}: \${error.detail}\`);
  const openOn: string[] = data.locations.flatMap((l) => l.openingHours.map((h) => String(h.weekday)));
  return \`\${data.name} (\${openOn.length})\`;
}

export async function municipalities(q: string) {
  const { data } = await client.GET('/api/v1/geography/municipalities', { params: { query: { q } } });
  return data?.items.map((m) => m.code) ?? [];
}

// @ts-expect-error a path the API does not have
void client.GET('/api/v1/no-such-route');
// @ts-expect-error a provider id is required
void client.GET('/api/v1/providers/{id}', { params: { path: {} } });
`,
    );
    // The temporary folder resolves openapi-fetch from the project's node_modules.
    symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'), 'dir');
    const program = ts.createProgram([join(dir, 'call.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: true,
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
