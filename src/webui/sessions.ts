// The web view's server-side state: sessions (a random id in an HttpOnly cookie mapped to the
// credential the user logged in with) and one-time login codes (what `tandem ui` prints in its link).
// Both live in this process's memory: a UI server restart logs everyone out, and a link works only
// on the UI server that made it (`tandem ui` asks one server and links to that same server), which
// keeps the bearer tokens off the store. See docs/web-view.md.

import { randomBytes } from 'node:crypto';
import { realClock, type Clock } from '../base/clock.js';

/** What a session or a code stands for: the caller's bearer token and who the API said it is. */
export interface Credential {
  token: string;
  user: string;
  groups: string[];
}

interface Entry {
  credential: Credential;
  /** sessions: last use; codes: creation */
  at: number;
}

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const LOGIN_CODE_MS = 60 * 1000;

/** 32 random bytes, base64url: unguessable, safe in a cookie and a URL. */
const newId = (): string => randomBytes(32).toString('base64url');

/** Sessions that end after `idleMs` without a request, or at logout. */
export class Sessions {
  private readonly map = new Map<string, Entry>();
  constructor(
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly clock: Clock = realClock,
  ) {}

  create(credential: Credential): string {
    this.sweep();
    const id = newId();
    this.map.set(id, { credential, at: this.clock.now() });
    return id;
  }

  /** The session's credential, its idle time restarted; undefined when unknown or expired. */
  use(id: string | undefined): Credential | undefined {
    if (!id) return undefined;
    const e = this.map.get(id);
    if (!e) return undefined;
    const now = this.clock.now();
    if (now - e.at >= this.idleMs) {
      this.map.delete(id);
      return undefined;
    }
    e.at = now;
    return e.credential;
  }

  end(id: string | undefined): boolean {
    return id !== undefined && this.map.delete(id);
  }

  get size(): number {
    return this.map.size;
  }

  /** Drops expired sessions, so that abandoned ones do not pile up. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [id, e] of this.map) if (now - e.at >= this.idleMs) this.map.delete(id);
  }
}

/** One-time login codes: each works once, within `ttlMs` of its making. */
export class LoginCodes {
  private readonly map = new Map<string, Entry>();
  constructor(
    readonly ttlMs = LOGIN_CODE_MS,
    private readonly clock: Clock = realClock,
  ) {}

  create(credential: Credential): { code: string; expiresAt: number } {
    const now = this.clock.now();
    for (const [c, e] of this.map) if (now - e.at >= this.ttlMs) this.map.delete(c);
    const code = newId();
    this.map.set(code, { credential, at: now });
    return { code, expiresAt: now + this.ttlMs };
  }

  /** The code's credential, and the code is gone; why not otherwise. */
  take(code: string | null | undefined): Credential | 'unknown' | 'expired' {
    if (!code) return 'unknown';
    const e = this.map.get(code);
    if (!e) return 'unknown';
    this.map.delete(code);
    return this.clock.now() - e.at >= this.ttlMs ? 'expired' : e.credential;
  }
}
