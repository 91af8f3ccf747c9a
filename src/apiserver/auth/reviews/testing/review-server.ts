// Test support: a plain HTTP server that dispatches to the API server's resource handlers with the
// review handlers registered, a given authorizer and rule resolver, and a fixed requester; the
// reviews are exercised over real HTTP without TLS, authentication or storage.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { kindByGVK, kindByResource } from '../../../../api/kinds/index.js';
import type { ApiContext, RequestScope } from '../../../handlers/context.js';
import { createCustomHandlers } from '../../../handlers/custom.js';
import { handleResource } from '../../../handlers/resource.js';
import { parseRequestInfo } from '../../../http/request-info.js';
import { sendError, toStatusError } from '../../../http/respond.js';
import type { Authorizer, RuleResolver } from '../../authorizer.js';
import type { UserInfo } from '../../user.js';
import { registerReviewHandlers } from '../index.js';

export interface ReviewServer {
  post(path: string, body: unknown, query?: string): Promise<{ status: number; body: Record<string, unknown>; warning: string | null }>;
  close(): Promise<void>;
}

export async function startReviewServer(o: { authorizer: Authorizer; ruleResolver?: RuleResolver; user: UserInfo }): Promise<ReviewServer> {
  const custom = createCustomHandlers();
  registerReviewHandlers(custom);
  const partial: Partial<ApiContext> = {
    authorizer: o.authorizer,
    custom,
    kinds: [],
    kindFor: kindByResource,
    kindByGVK,
    now: Date.now,
    ...(o.ruleResolver ? { ruleResolver: o.ruleResolver } : {}),
  };
  // the review handlers reach nothing else of the context (no store, no admission)
  const ctx = partial as ApiContext;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const kind = info?.kind === 'resource' ? ctx.kindFor(info.group, info.version, info.resource) : undefined;
    if (!info || info.kind !== 'resource' || !kind) {
      res.writeHead(404).end();
      return;
    }
    const scope: RequestScope = { ctx, req, res, info, kind, query: url.searchParams, user: o.user };
    handleResource(scope).catch((e: unknown) => sendError(res, toStatusError(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    async post(path, body, query = '') {
      const r = await fetch(`http://127.0.0.1:${port}${path}${query ? `?${query}` : ''}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown>, warning: r.headers.get('warning') };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
