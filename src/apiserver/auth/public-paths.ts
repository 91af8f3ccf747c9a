// Paths anyone may read without credentials: health checks and the version. Everything else needs a token.

import { unauthorized, type Status } from '../../base/errors.js';

const PUBLIC_TREES = ['/healthz', '/livez', '/readyz'];
const PUBLIC_EXACT = new Set(['/version', '/version/']);

/**
 * True for /healthz, /livez, /readyz (and their sub-checks such as /livez/ping) and /version.
 * A query string is ignored. Paths with dot segments, empty segments or percent-escapes are never
 * public, so a router that normalises differently cannot be led past authentication.
 */
export function isPublicPath(path: string): boolean {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  if (PUBLIC_EXACT.has(p)) return true;
  if (p.includes('%') || p.includes('\\')) return false;
  for (const root of PUBLIC_TREES) {
    if (p === root) return true;
    if (!p.startsWith(`${root}/`)) continue;
    const rest = p.slice(root.length + 1).split('/');
    // A trailing slash (empty last segment) is fine; empty or dot segments elsewhere are not.
    return rest.every((s, i) => (s !== '' || i === rest.length - 1) && s !== '.' && s !== '..');
  }
  return false;
}

/** The body of a 401 answer. */
export const unauthorizedStatus = (): Status => unauthorized().toStatus();
