// Certificate expiry: every certificate Tandem keeps under the data dir (the CA, the serving and
// client certificates of the server and of joined nodes).

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { findFiles } from './find-files.js';
import { fail, ok, skip, warn, type CheckResult } from './doctor-types.js';

const DAY_MS = 86_400_000;

/** Expired or not yet valid: fail; within 30 days of expiry: warn (servers renew their own at 30 days, so one that close did not). */
export function checkCertificates(dataDir: string, now = Date.now()): CheckResult {
  const id = 'certs.expiry';
  const title = 'certificates are valid and not about to expire';
  const files = findFiles(dataDir, 3, (n) => n.endsWith('.crt'));
  if (files.length === 0) return skip(id, title, `no certificates under ${dataDir}`);
  const bad: string[] = [];
  const soon: string[] = [];
  let first = Infinity;
  for (const f of files) {
    let c: X509Certificate;
    try {
      c = new X509Certificate(readFileSync(f));
    } catch {
      bad.push(`${f} is not a PEM certificate`);
      continue;
    }
    const from = Date.parse(c.validFrom);
    const to = Date.parse(c.validTo);
    if (to <= now) bad.push(`${f} expired on ${new Date(to).toISOString()}`);
    else if (from > now) bad.push(`${f} is not valid before ${new Date(from).toISOString()} (is this host's clock behind?)`);
    else if (to - now < 30 * DAY_MS) soon.push(`${f} expires in ${Math.floor((to - now) / DAY_MS)} days`);
    first = Math.min(first, to);
  }
  const fix =
    'restart the component that owns it: `tandem up`/`tandem server` renew their serving certificate at start; a joined node renews its own (or run `tandem join` again)';
  if (bad.length) return fail(id, title, bad.join('; '), fix);
  if (soon.length) return warn(id, title, soon.join('; '), fix);
  return ok(id, title, `${files.length} certificates; the first to expire does on ${new Date(first).toISOString().slice(0, 10)}`);
}
