// HTTP for the registry client over node:http/https. Plain HTTP is used only for loopback hosts and
// for hosts the operator named insecure; every other URL (registry, token realm, redirect target)
// must be HTTPS, so credentials and tokens never cross the network in clear text.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

export interface TransportOptions {
  /** host or host:port names that may be reached over plain HTTP */
  insecureRegistries?: string[];
  /** extra CA certificates (PEM) for HTTPS */
  ca?: string | Buffer | Array<string | Buffer>;
  userAgent?: string;
  /** per-request idle timeout in ms (default 60 s) */
  timeoutMs?: number;
}

export class InsecureTransportError extends Error {
  constructor(url: string) {
    super(`refusing plain HTTP to ${url}: only loopback hosts and registries named with --insecure-registry may be reached without TLS`);
    this.name = 'InsecureTransportError';
  }
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > 0 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

function isLoopback(hostPort: string): boolean {
  const h = hostOnly(hostPort).toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** Whether `hostPort` may be spoken to over plain HTTP. */
export function plainHttpAllowed(hostPort: string, insecure: readonly string[] = []): boolean {
  const h = hostPort.toLowerCase();
  return isLoopback(h) || insecure.some((i) => i.toLowerCase() === h || i.toLowerCase() === hostOnly(h));
}

/** The base URL of a registry host's API. */
export function registryBaseUrl(hostPort: string, insecure: readonly string[] = []): string {
  return `${plainHttpAllowed(hostPort, insecure) ? 'http' : 'https'}://${hostPort}`;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** the URL that answered, after redirects */
  url: string;
  stream: IncomingMessage;
}

const MAX_REDIRECTS = 10;

// Connections are kept open between requests: reading the facts of many images (and every pull)
// would otherwise pay a TCP (and TLS) handshake per manifest. Own agents, not the global ones, so
// that no other code in the process can turn this off. An idle connection is closed after 5 s (as
// Node's global agent does), before a registry or a load balancer in front of it would drop it.
const KEEP_ALIVE = { keepAlive: true, scheduling: 'lifo', timeout: 5000 } as const;
const httpAgent = new HttpAgent(KEEP_ALIVE);
const httpsAgent = new HttpsAgent(KEEP_ALIVE);

/** A response body over the limit its caller set: a manifest or config that cannot be one. */
export class ResponseTooLargeError extends Error {
  constructor(url: string, limit: number) {
    super(`${url}: response larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

function checkScheme(u: URL, o: TransportOptions): void {
  if (u.protocol === 'https:') return;
  if (u.protocol !== 'http:') throw new Error(`unsupported URL scheme ${u.protocol} in ${u.href}`);
  if (!plainHttpAllowed(u.host, o.insecureRegistries)) throw new InsecureTransportError(u.href);
}

function once(req: HttpRequest, u: URL, o: TransportOptions): Promise<IncomingMessage> {
  checkScheme(u, o);
  const headers: Record<string, string> = { 'User-Agent': o.userAgent ?? 'tandem', ...req.headers };
  if (req.body) headers['Content-Length'] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const tls = u.protocol === 'https:';
    const options = { method: req.method, headers, agent: tls ? httpsAgent : httpAgent, ...(tls && o.ca ? { ca: o.ca } : {}) };
    const r = fn(u, options, resolve);
    r.setTimeout(o.timeoutMs ?? 60_000, () =>
      r.destroy(Object.assign(new Error(`${req.method} ${u.href}: no answer within ${o.timeoutMs ?? 60_000} ms`), { code: 'ETIMEDOUT' })),
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Sends a request, following redirects for GET/HEAD (dropping Authorization when the host changes). */
export async function send(req: HttpRequest, o: TransportOptions): Promise<HttpResponse> {
  let u = new URL(req.url);
  let headers = { ...req.headers };
  for (let hop = 0; ; hop++) {
    const res = await once({ ...req, headers }, u, o);
    const loc = res.headers.location;
    if (res.statusCode && [301, 302, 303, 307, 308].includes(res.statusCode) && loc && req.method !== 'POST') {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new Error(`${req.method} ${req.url}: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(loc, u);
      // blob stores behind a redirect (S3, CDNs) sign the URL itself and reject a registry's token
      if (next.host !== u.host) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      u = next;
      continue;
    }
    return { status: res.statusCode ?? 0, headers: res.headers, url: u.href, stream: res };
  }
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of res.stream) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      res.stream.destroy();
      throw new ResponseTooLargeError(res.url, limit);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** The message of a registry error body (`{"errors":[{"code","message"}]}`), or the status line. */
export async function errorText(res: HttpResponse): Promise<string> {
  const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    if (Array.isArray(doc.errors) && doc.errors.length)
      return doc.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    /* not a registry error document */
  }
  const text = body.toString('utf8').trim().slice(0, 200);
  return `HTTP ${res.status}${text ? `: ${text}` : ''}`;
}
