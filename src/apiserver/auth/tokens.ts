// Bearer tokens: the admin token kept in DATA/pki/admin.token, and a static-token authenticator.
// Tokens are compared as SHA-256 digests with timingSafeEqual, against every entry, so the time an
// answer takes says nothing about how much of a token was right.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileOnce, isErrno, tightenMode, writeFileAtomic } from '../../base/fs-atomic.js';
import { PkiError, pkiPaths } from '../../pki/index.js';
import type { UserInfo } from './user.js';

const TOKEN_MODE = 0o600;
/** What a token may look like: RFC 6750 b64token characters, no whitespace. */
const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;

export const adminTokenPath = (dataDir: string) => join(pkiPaths(dataDir).dir, 'admin.token');

/** 32 random bytes, base64url without padding (43 characters). */
const generateToken = (): string => randomBytes(32).toString('base64url');

/** The admin bearer token: created once (0600), then read back unchanged on every later call. */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const path = adminTokenPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    let text: string | undefined;
    try {
      text = (await readFile(path, 'utf8')).trim();
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
    if (text !== undefined && TOKEN_SYNTAX.test(text)) {
      await tightenMode(path, TOKEN_MODE);
      return text;
    }
    const token = generateToken();
    if (text !== undefined) {
      // Empty or garbled: replace it.
      await writeFileAtomic(path, `${token}\n`, TOKEN_MODE);
      return token;
    }
    if (await createFileOnce(path, `${token}\n`, TOKEN_MODE)) return token;
    // Another process created it between our read and our create: read theirs.
  }
  throw new PkiError(`could not create or read ${path}`);
}

export interface TokenEntry {
  token: string;
  user: UserInfo;
}

export interface TokenAuthenticator {
  /** The user behind an `Authorization: Bearer <token>` header, or undefined (missing, other scheme, unknown token). */
  authenticate(authorizationHeader: string | undefined): UserInfo | undefined;
  /** Adds a token (e.g. a node agent's); a token already present is re-bound to the new user. */
  add(entry: TokenEntry): void;
  /** Forgets a token; true if it was known. */
  remove(token: string): boolean;
  readonly size: number;
}

/** The token of a `Bearer` Authorization header (scheme case-insensitive), else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^bearer +(\S+)$/i.exec(header.trim());
  return m?.[1];
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

const copyUser = (u: UserInfo): UserInfo => ({
  name: u.name,
  ...(u.uid !== undefined ? { uid: u.uid } : {}),
  groups: [...u.groups],
  ...(u.extra !== undefined ? { extra: Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]])) } : {}),
});

export function createTokenAuthenticator(entries: TokenEntry[] = []): TokenAuthenticator {
  const table: { hash: Buffer; user: UserInfo }[] = [];
  const accepted = new Map<string, UserInfo>();
  // Headers already refused, so a client sending another authenticator's token (a ServiceAccount
  // JWT) on every request is not hashed every time. Answering such a header faster tells its sender
  // only that it was refused before; any change to the table forgets them.
  const refused = new Set<string>();

  const indexOf = (hash: Buffer): number => {
    let found = -1;
    for (let i = 0; i < table.length; i++) {
      const row = table[i];
      // No early exit: every entry is compared whatever matched.
      if (row && timingSafeEqual(row.hash, hash) && found < 0) found = i;
    }
    return found;
  };

  const add = (e: TokenEntry): void => {
    if (!TOKEN_SYNTAX.test(e.token)) throw new Error('a bearer token must be non-empty and use only base64/base64url characters');
    const hash = digest(e.token);
    const user = copyUser(e.user);
    const i = indexOf(hash);
    if (i >= 0) table[i] = { hash, user };
    else table.push({ hash, user });
  };
  for (const e of entries) add(e);

  return {
    authenticate(header) {
      if (header === undefined) return undefined;
      // Successful headers are remembered (only exact matches hit; misses always take the hashed,
      // constant-time path), so hashing is not paid on every request of a keep-alive client.
      const hit = accepted.get(header);
      if (hit) return copyUser(hit);
      if (refused.has(header)) return undefined;
      const token = bearerToken(header);
      if (token === undefined) return undefined;
      const i = indexOf(digest(token));
      const row = i >= 0 ? table[i] : undefined;
      if (!row) {
        if (refused.size >= 1024) refused.clear();
        refused.add(header);
        return undefined;
      }
      if (accepted.size >= 256) accepted.clear();
      accepted.set(header, row.user);
      return copyUser(row.user);
    },
    add(entry) {
      accepted.clear();
      refused.clear();
      add(entry);
    },
    remove(token) {
      accepted.clear();
      refused.clear();
      const i = indexOf(digest(token));
      if (i < 0) return false;
      table.splice(i, 1);
      return true;
    },
    get size() {
      return table.length;
    },
  };
}
