// Compact JWS (RFC 7515) with RS256 only: signing for the token issuer, and a verifier that treats
// every token as hostile. Anything that is not exactly a three-part base64url token with an RS256
// header, our key id (when it names one) and a valid signature over a JSON object is refused with
// a reason; nothing here throws on bad input.

import { sign, verify, type KeyObject } from 'node:crypto';

/** Larger tokens are refused before any decoding (upstream's are well under 2 KiB). */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;

export type JsonRecord = Record<string, unknown>;

export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
}

export type JwsResult = { ok: true; header: JsonRecord; payload: JsonRecord } | { ok: false; reason: string };

const encode = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

/** Signs `payload` as an RS256 compact JWS whose header names `kid`. */
export function signJws(payload: JsonRecord, key: { privateKey: KeyObject; kid: string }): string {
  const input = `${encode({ alg: 'RS256', kid: key.kid })}.${encode(payload)}`;
  const sig = sign('sha256', Buffer.from(input, 'ascii'), key.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

function decodeJsonPart(part: string): JsonRecord | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `token` is shaped like a compact JWS (three base64url parts); cheap, no decoding of the signature. */
export function looksLikeJws(token: string): boolean {
  if (token.length > MAX_TOKEN_LENGTH) return false;
  const parts = token.split('.');
  return parts.length === 3 && parts.every((p) => B64URL.test(p));
}

/**
 * The unverified payload of a compact JWS, or undefined. Only for routing (which issuer, which
 * authenticator): nothing in it may be trusted before verifyJws.
 */
export function peekPayload(token: string): JsonRecord | undefined {
  if (!looksLikeJws(token)) return undefined;
  return decodeJsonPart(token.split('.')[1] ?? '');
}

/** Verifies an RS256 compact JWS against `keys`: the one its kid names, or each in turn when it names none. */
export function verifyJws(token: string, keys: readonly VerificationKey[]): JwsResult {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: `token is longer than ${MAX_TOKEN_LENGTH} bytes` };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'token is not a compact JWS (three dot-separated parts)' };
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) return { ok: false, reason: 'token parts are not base64url' };
  const header = decodeJsonPart(h);
  if (!header) return { ok: false, reason: 'token header is not a JSON object' };
  if (header['alg'] !== 'RS256') return { ok: false, reason: `unsupported signing algorithm ${JSON.stringify(header['alg'] ?? null)}` };
  // No critical extension is understood here, so any is a reason to refuse (RFC 7515 4.1.11).
  if (header['crit'] !== undefined) return { ok: false, reason: 'token header has critical extensions' };
  const kid = header['kid'];
  if (kid !== undefined && typeof kid !== 'string') return { ok: false, reason: 'token header kid is not a string' };
  const candidates = kid ? keys.filter((k) => k.kid === kid) : keys;
  if (candidates.length === 0) return { ok: false, reason: 'invalid signature, no keys found' };
  const sig = Buffer.from(s, 'base64url');
  const data = Buffer.from(`${h}.${p}`, 'ascii');
  const good = candidates.some((k) => {
    try {
      return verify('sha256', data, k.publicKey, sig);
    } catch {
      return false;
    }
  });
  if (!good) return { ok: false, reason: 'invalid signature' };
  const payload = decodeJsonPart(p);
  if (!payload) return { ok: false, reason: 'token payload is not a JSON object' };
  return { ok: true, header, payload };
}
