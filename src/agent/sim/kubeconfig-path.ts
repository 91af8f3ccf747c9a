// Which kubeconfig `tandem sim` uses when --kubeconfig is absent, in the order a user expects:
// --data-dir's kubeconfig (asked for by name), then $KUBECONFIG as kubectl reads it (a path list;
// when set, nothing else is tried, so a sim never joins another cluster than kubectl does), then
// the kubeconfig `tandem up` writes into the default data dir. A miss names everything tried.

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { badRequest } from '../../base/errors.js';

export interface KubeconfigSources {
  flag?: string | undefined;
  /** --data-dir, resolved */
  dataDir?: string | undefined;
  /** $KUBECONFIG */
  env?: string | undefined;
  /** the data dir without --data-dir ($TANDEM_HOME or the OS default), resolved */
  defaultDataDir: string;
  exists?: (path: string) => boolean;
  /** $KUBECONFIG's separator (`:`, `;` on Windows) */
  listDelimiter?: string;
}

export function resolveSimKubeconfig(s: KubeconfigSources): string {
  if (s.flag) return s.flag;
  const exists = s.exists ?? existsSync;
  if (s.dataDir) {
    const f = join(s.dataDir, 'kubeconfig');
    if (exists(f)) return f;
    throw badRequest(`--data-dir ${s.dataDir}: there is no ${f} (is it the data dir of a tandem up or tandem server?)`);
  }
  const listed = (s.env ?? '').split(s.listDelimiter ?? delimiter).filter(Boolean);
  if (listed.length > 0) {
    // kubectl merges the files; the sim needs one server, so the first file that exists wins (as its context does)
    const found = listed.find((f) => exists(f));
    if (found) return found;
    throw badRequest(`no kubeconfig: $KUBECONFIG names ${listed.join(', ')}, and none of these exists`);
  }
  const f = join(s.defaultDataDir, 'kubeconfig');
  if (exists(f)) return f;
  throw badRequest(
    `no kubeconfig: --kubeconfig is not given, $KUBECONFIG is not set, and ${f} does not exist ` +
      '(start a server with tandem up, or pass --kubeconfig FILE or --data-dir DIR)',
  );
}
