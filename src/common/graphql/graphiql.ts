import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';

const ASSETS: Record<string, [module: string, type: string]> = {
  'react.js': ['react/umd/react.production.min.js', 'text/javascript'],
  'react-dom.js': ['react-dom/umd/react-dom.production.min.js', 'text/javascript'],
  'graphiql.js': ['graphiql/graphiql.min.js', 'text/javascript'],
  'graphiql.css': ['graphiql/graphiql.min.css', 'text/css'],
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mitroa GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css"><style>body{margin:0;height:100vh}#graphiql{height:100vh}</style></head>
<body><div id="graphiql">Loading…</div>
<script src="/graphiql/react.js"></script><script src="/graphiql/react-dom.js"></script><script src="/graphiql/graphiql.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, {
    fetcher, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: true,
    defaultHeaders: JSON.stringify({
      Authorization: 'Bearer <paste a token printed by npm start>',
      'X-Purpose': 'CASE_MANAGEMENT',
    }, null, 2),
  }));
</script></body></html>`;

/**
 * A GraphiQL page at /graphiql for development, served from the npm packages (no CDN). The packages
 * are development dependencies, so a production image has no page to serve.
 */
export function mountGraphiql(app: NestExpressApplication): boolean {
  const files: Record<string, [string, string]> = {};
  for (const [name, [module, type]] of Object.entries(ASSETS)) {
    const path = findInNodeModules(module);
    if (!path) return false;
    files[name] = [path, type];
  }
  const http = app.getHttpAdapter().getInstance();
  http.get('/graphiql', (_req: Request, res: Response) => {
    res
      .type('html')
      .setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      );
    res.send(PAGE);
  });
  http.get('/graphiql/:file', (req: Request, res: Response) => {
    const file = files[String(req.params.file)];
    if (!file) return void res.status(404).end();
    res.type(file[1]).sendFile(file[0]);
  });
  return true;
}

/** The file in the nearest node_modules up from here (these UMD files are not in the packages' exports maps). */
function findInNodeModules(file: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', file);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
