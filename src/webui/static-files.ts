// The page's files from dist/ui (built by `npm run build`, scripts/build-ui.mjs): index.html for
// /ui/ and every deep link (revalidated on each load, so a new build shows at once), and the
// content-hashed files under /ui/assets/ (never change under one name: cached for a year).

import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { isErrno } from '../base/fs-atomic.js';

/** dist/ui beside dist/src (this file runs as dist/src/webui/static-files.js). */
export const DEFAULT_UI_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem web view not built</title></head>
<body><main><h1>The web view is not built</h1>
<p>This server has no page to serve: <code>${dir}/index.html</code> is missing.</p>
<p>Run <code>npm run build</code> in the Tandem checkout, then reload this page.</p></main></body></html>
`;

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'EISDIR') || isErrno(e, 'ENOTDIR')) return undefined;
    throw e;
  }
}

export async function sendIndex(res: ServerResponse, dir: string): Promise<void> {
  const body = await readOrUndefined(join(dir, 'index.html'));
  if (!body) {
    res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(NOT_BUILT(dir));
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache', 'Content-Length': body.length });
  res.end(body);
}

/** /ui/assets/NAME; false when there is no such file (the caller answers 404). */
export async function sendAsset(res: ServerResponse, dir: string, name: string): Promise<boolean> {
  // one plain file name: no folders, no dot segments, nothing outside dist/ui/assets
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) return false;
  const body = await readOrUndefined(join(dir, 'assets', name));
  if (!body) return false;
  res.writeHead(200, {
    'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream',
    'Cache-Control': 'public, max-age=31536000, immutable',
    'Content-Length': body.length,
  });
  res.end(body);
  return true;
}
