// Response helpers of the web view's server: the security headers every answer carries, Kubernetes
// Status bodies for errors (the page handles them like the API's own), the session cookie, and the
// CSRF check of calls from the page.

import type { IncomingMessage, ServerResponse } from 'node:http';

export const SESSION_COOKIE = 'tandem_ui_session';
const UI_HEADER = 'x-tandem-ui';

/** Headers of every answer: nothing from elsewhere, no framing, no sniffing, no referrer leaking the login code. */
export function securityHeaders(res: ServerResponse): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalError',
  502: 'ServiceUnavailable',
};

/** A Kubernetes Status as the error body, so the page reads every failure the same way. */
export function sendStatus(res: ServerResponse, code: number, message: string): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code], code });
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session cookie: script cannot read it, it goes over TLS only, and never with a request another site starts. */
export function sessionCookie(id: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/ui; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeS}`;
}

export const CLEAR_COOKIE = `${SESSION_COOKIE}=; Path=/ui; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

/**
 * Why a call from the page is refused as a possible cross-site request, or undefined when it is fine.
 * The custom header cannot be sent cross-origin without a CORS preflight this server never answers;
 * a changing method also needs the Origin of the UI itself (browsers always send it on those).
 */
export function csrfProblem(method: string, headers: IncomingMessage['headers'], ownOrigins: ReadonlySet<string>): string | undefined {
  if (headers[UI_HEADER] !== '1') return `the header X-Tandem-UI: 1 is missing (calls come from the web view's page only)`;
  if (method === 'GET' || method === 'HEAD') return undefined;
  const origin = headers.origin;
  if (origin === undefined) return `a ${method} needs an Origin header`;
  if (!ownOrigins.has(origin)) return `Origin ${origin} is not this web view's`;
  return undefined;
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new Error(`the request body is over ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
