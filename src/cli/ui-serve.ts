// The web view beside the API server (`tandem server --ui-listen`): its certificate from the
// cluster CA, the HTTPS server of src/webui, the planner wired in with the user's own token, and
// DATA/ui.url, which `tandem ui` reads to know where to ask for a login link.

import { hostname } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { writeFileAtomic } from '../base/fs-atomic.js';
import type { Logger } from '../base/log.js';
import { createRestClient } from '../client/rest-client.js';
import { ensureUiCert } from '../pki/index.js';
import { startUiServer, type UiServer } from '../webui/index.js';
import { parseListen } from './data-dir.js';

export const UI_URL_FILE = 'ui.url';

type UiCert = Awaited<ReturnType<typeof ensureUiCert>>;

/**
 * Starts making (or reading) the web view's certificate: a new key takes most of a second in the
 * generation child, so the server begins it early and runs its own start meanwhile.
 */
export function prepareWebViewCert(dataDir: string, listen: string, ca: { certPem: string; keyPem?: string | undefined }): Promise<UiCert> {
  const { host } = parseListen(listen);
  const hosts = ['localhost', '127.0.0.1', hostname()];
  if (host !== '0.0.0.0' && host !== '::' && !hosts.includes(host)) hosts.push(host);
  const p = ensureUiCert(dataDir, { hosts, ca });
  p.catch(() => undefined); // awaited (and reported) by startWebView; a start that fails earlier drops it
  return p;
}

export interface WebViewOptions {
  dataDir: string;
  listen: string;
  /** from prepareWebViewCert */
  cert: Promise<UiCert>;
  /** a busy address fails the start (the flag was given) rather than only being logged */
  required: boolean;
  api: { url: string; caPem: string };
  insecureRegistries?: readonly string[];
  log: Logger;
}

export async function startWebView(o: WebViewOptions): Promise<UiServer | undefined> {
  const { host, port } = parseListen(o.listen);
  const tls = await o.cert;
  // tests shorten the login link's life to see an expired one refused
  const ttl = Number(process.env['TANDEM_UI_LOGIN_TTL_MS'] ?? '') || undefined;
  let ui: UiServer;
  try {
    ui = await startUiServer({
      host,
      port,
      tls: { cert: tls.certPem, key: tls.keyPem },
      api: { url: o.api.url, caPem: o.api.caPem },
      log: o.log,
      ...(ttl ? { codeTtlMs: ttl } : {}),
      plan: async (token, { selector, build, fromImageIndex }) => {
        const { runPlanUpgrade } = await import('./plan/plan-command.js');
        const client = createRestClient({ server: o.api.url, caPem: o.api.caPem, token, userAgent: 'tandem-ui-plan' });
        const text = await runPlanUpgrade(
          { nodes: selector, toBuild: build, output: 'json', fromImageIndex, insecureRegistry: [...(o.insecureRegistries ?? [])] },
          { client: { client, server: o.api.url } },
        );
        return JSON.parse(text) as unknown;
      },
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is in use' : e instanceof Error ? e.message : String(e);
    if (o.required) throw new Error(`--ui-listen ${o.listen}: ${why}`, { cause: e });
    o.log.warn(`the web view is off: --ui-listen ${o.listen}: ${why} (choose another with --ui-listen HOST:PORT, or none)`);
    return undefined;
  }
  const file = join(o.dataDir, UI_URL_FILE);
  await writeFileAtomic(file, `${ui.url}\n`, 0o644);
  o.log.info(`web view at ${ui.url}/ui/ (a login link: tandem ui)`);
  return {
    ...ui,
    async close() {
      rmSync(file, { force: true });
      await ui.close();
    },
  };
}
