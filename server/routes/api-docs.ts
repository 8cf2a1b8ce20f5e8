import { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import type { AppEnv } from '../http/env.ts';
import { doc, openApiDocument } from '../http/openapi.ts';

const tags = ['documentation'];

/**
 * The reference page: swagger-ui from the same origin (the web build copies swagger-ui-dist into
 * dist/web/api-docs/), started by a script file, since the CSP allows no inline script.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kompetenskoll API</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script src="/api-docs/init.js"></script>
</body>
</html>
`;

/**
 * The OpenAPI 3.1 document of the whole app and its reference page; open to read, mounted at /api.
 * `routesOf` is the finished app's route list, read when the document is first asked for.
 */
export function apiDocs(routesOf: () => readonly RouterRoute[], info: { title: string; version: string; description?: string }) {
  let document: ReturnType<typeof openApiDocument> | undefined;
  return new Hono<AppEnv>()
    .get('/openapi.json', doc({ tags, auth: 'none', summary: 'This document (OpenAPI 3.1)' }), (c) => c.json((document ??= openApiDocument(routesOf(), info))))
    .get('/docs', doc({ tags, auth: 'none', summary: 'The reference page of this document', responses: { 200: { description: 'HTML', type: 'text/html' } } }), (c) =>
      c.html(PAGE),
    );
}
