// `tandem ui`: prints a one-time login link for the web view. It asks the UI server (its address
// from DATA/ui.url, written by `tandem server`, or --url) with the kubeconfig's bearer token; the
// UI server checks the token with the API server, and the session the link opens carries it. The
// link works once, within a minute. Nothing is opened: the user pastes the link in a browser.

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isErrno } from '../base/fs-atomic.js';
import { resolveDataDir } from './data-dir.js';
import { UI_URL_FILE } from './ui-serve.js';

interface UiFlags {
  kubeconfig?: string;
  dataDir?: string;
  url?: string;
}

function uiUrl(o: UiFlags, dataDir: string): string {
  if (o.url) {
    try {
      return new URL(o.url).origin;
    } catch (e) {
      throw new Error(`--url ${JSON.stringify(o.url)} is not a URL (e.g. https://127.0.0.1:6444)`, { cause: e });
    }
  }
  const file = join(dataDir, UI_URL_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
    throw new Error(
      `the web view is not running for ${dataDir} (no ${file}): start \`tandem server\` without \`--ui-listen none\` ` +
        `(its log says where the web view listens), or give its address with --url https://HOST:PORT`,
      { cause: e },
    );
  }
}

function post(url: string, caPem: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(
      `${url}/ui/api/login-links`,
      {
        method: 'POST',
        ca: caPem,
        headers: { authorization: `Bearer ${token}`, 'x-tandem-ui': '1', 'content-length': 0 },
        timeout: 15_000,
      },
      (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 15 s')));
    req.on('error', (e: NodeJS.ErrnoException) =>
      rej(new Error(e.code === 'ECONNREFUSED' ? `no web view answers at ${url} (is \`tandem server\` running?)` : `${url}: ${e.message}`)),
    );
    req.end();
  });
}

export function registerUiCommand(program: Command, io: { log: (line: string) => void; fail: (e: unknown) => never }): void {
  program
    .command('ui')
    .description('print a one-time login link for the web view (works once, within a minute)')
    .option('--kubeconfig <file>', 'whose token the web view session carries (default DATA/kubeconfig, the admin)')
    .option('--data-dir <dir>', "the server's state directory (default $TANDEM_HOME, else ~/.tandem)")
    .option('--url <url>', "the web view's address (default: read from DATA/ui.url)")
    .action(async (o: UiFlags) => {
      try {
        const dataDir = resolveDataDir(o.dataDir);
        const path = o.kubeconfig ? resolve(o.kubeconfig) : join(dataDir, 'kubeconfig');
        const { readKubeconfig } = await import('../client/kubeconfig.js');
        const creds = readKubeconfig(path);
        if (!creds.token)
          throw new Error(`${path} has no bearer token: the web view logs in with tokens (client certificates are not supported)`);
        const url = uiUrl(o, dataDir);
        const r = await post(url, creds.caPem, creds.token);
        if (r.status !== 201) {
          const msg = (() => {
            try {
              return (JSON.parse(r.body) as { message?: string }).message ?? r.body;
            } catch {
              return r.body;
            }
          })();
          throw new Error(`the web view refused a login link (${r.status}): ${msg}`);
        }
        const link = JSON.parse(r.body) as { url: string; expiresAt: string; user?: string };
        io.log(`${link.url}\n  (one-time login${link.user ? ` as ${link.user}` : ''}; expires ${link.expiresAt})`);
      } catch (e) {
        io.fail(e);
      }
    });
}
