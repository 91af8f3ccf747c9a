// `tandem token create|list|delete`: bootstrap tokens for `tandem join`, made with the admin
// kubeconfig (DATA/kubeconfig by default). `create` prints the token and the whole join command,
// the CA pin included, with a server address other hosts can reach when this host has one.
// `create --control-plane` also uploads the cluster's keys, sealed (control-plane-certs.ts), and
// prints the `tandem server --join` command of a second API server instead.

import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { secretKind as SECRETS } from '../api/kinds/core/secret.js';
import { isStatusError } from '../base/errors.js';
import { parseDuration } from '../base/parse-duration.js';
import { resolveDataDir } from './data-dir.js';
import { CONTROL_PLANE_GROUP } from './control-plane-certs.js';
import { buildTokenSecret, newBootstrapToken, parseGroups, renderTokenTable, tokenRow, tokenString } from './bootstrap-token.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE as TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE as TOKEN_SECRET_TYPE,
} from '../api/bootstrap/bootstrap-token.js';

const CONTROL_PLANE_TTL = '2h';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

interface CommonFlags {
  kubeconfig?: string;
  dataDir?: string;
}

async function adminClient(o: CommonFlags) {
  const { clientFromKubeconfig } = await import('../client/kubeconfig.js');
  const path = o.kubeconfig ? resolve(o.kubeconfig) : join(resolveDataDir(o.dataDir), 'kubeconfig');
  return { path, ...clientFromKubeconfig(path, 'tandem-token') };
}

/** Whether something accepts TCP connections at host:port within a second. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host, port, timeout: 1000 });
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('timeout', () => (s.destroy(), r(false)));
    s.once('error', () => r(false));
  });
}

/**
 * The server URL for the join command, and a note when other hosts may not reach it: a kubeconfig's
 * loopback address is replaced by an address of this host that the server also answers on.
 */
async function joinServer(server: string): Promise<{ url: string; note?: string }> {
  const u = new URL(server);
  if (!LOOPBACK.has(u.hostname)) return { url: `https://${u.host}` };
  const port = Number(u.port || 443);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal && (await answers(a.address, port))) return { url: `https://${a.address}:${port}` };
    }
  }
  return {
    url: `https://${u.host}`,
    note:
      `note: the server listens on ${u.hostname}, which other hosts cannot reach: restart it with --listen 0.0.0.0:${port} ` +
      '(or an address of this host), and give that address in the join command',
  };
}

/** The flags of `create`; a control-plane token defaults to 2h (kubeadm's lifetime for uploaded certificates) and must expire. */
function createFlags(o: { ttl: string; groups?: string; controlPlane?: boolean }, ttlIsDefault: boolean) {
  if (!o.controlPlane) return { ttl: o.ttl, ttlMs: parseDuration(o.ttl, '--ttl'), groups: parseGroups(o.groups) };
  const ttl = ttlIsDefault ? CONTROL_PLANE_TTL : o.ttl;
  const ttlMs = parseDuration(ttl, '--ttl');
  if (ttlMs === 0)
    throw new Error("--ttl 0 with --control-plane: the cluster's keys are not left in the store for ever; give a duration (default 2h)");
  return { ttl, ttlMs, groups: [...(o.groups === undefined ? [] : parseGroups(o.groups)), CONTROL_PLANE_GROUP] };
}

export function registerTokenCommands(program: Command, io: { log: (line: string) => void; fail: (e: unknown) => never }): void {
  const token = program.command('token').description('bootstrap tokens with which nodes join (`tandem join`)');
  const common = (c: Command) =>
    c
      .option('--kubeconfig <file>', 'the admin kubeconfig (default DATA/kubeconfig)')
      .option('--data-dir <dir>', 'the server data dir whose kubeconfig to use (default $TANDEM_HOME, else ~/.tandem)');

  common(
    token
      .command('create')
      .description('create a bootstrap token and print it with the `tandem join` command that uses it')
      .option('--ttl <duration>', 'how long the token is valid (0: forever)', '24h')
      .option('--description <text>', 'what the token is for (shown by `tandem token list`)')
      .option('--groups <list>', 'extra groups of the token user, comma-separated, each under system:bootstrappers:')
      .option(
        '--control-plane',
        'for a second API server (`tandem server --join`): also upload the cluster keys, encrypted (default --ttl 2h)',
      )
      .option('--store <spec>', 'with --control-plane: the --store of the running servers, printed in the command'),
  ).action(
    async (
      o: CommonFlags & { ttl: string; description?: string; groups?: string; controlPlane?: boolean; store?: string },
      cmd: Command,
    ) => {
      const flags = (() => {
        try {
          return createFlags(o, cmd.getOptionValueSource('ttl') === 'default');
        } catch (e) {
          return io.fail(e);
        }
      })();
      const { client, creds } = await adminClient(o).catch(io.fail);
      const { caCertHash } = await import('../pki/index.js');
      let made: { token: string; name: string; uid: string } | undefined;
      try {
        // a clash of two random ids is rare; a new id is the answer
        for (let attempt = 0; made === undefined; attempt++) {
          const t = newBootstrapToken();
          const secret = buildTokenSecret({
            token: t,
            ...flags,
            now: Date.now(),
            ...(o.description ? { description: o.description } : {}),
          });
          try {
            const created = await client.resource(SECRETS).namespace(TOKEN_NAMESPACE).create(secret);
            made = { token: tokenString(t), name: created.metadata.name ?? '', uid: created.metadata.uid ?? '' };
          } catch (e) {
            if (!(isStatusError(e) && e.code === 409 && attempt < 3)) throw e;
          }
        }
        const { url, note } = await joinServer(creds.server);
        const hash = caCertHash(creds.caPem);
        const valid = flags.ttlMs === 0 ? 'until deleted' : `for ${flags.ttl}`;
        if (o.controlPlane) {
          const { uploadControlPlaneCerts } = await import('./control-plane-certs.js');
          const key = await uploadControlPlaneCerts(client, {
            dataDir: resolveDataDir(o.dataDir),
            caPem: creds.caPem,
            owner: { name: made.name, uid: made.uid },
            notAfter: Date.now() + flags.ttlMs,
          });
          io.log(made.token);
          io.log(`join another API server with (the token and the uploaded keys are valid ${valid}):`);
          io.log(
            `  tandem server --store ${o.store ?? 'STORE'} --join ${url} --token ${made.token} --certificate-key ${key} --ca-cert-hash ${hash}`,
          );
          if (o.store === undefined)
            io.log("replace STORE with the running servers' --store (etcd://HOST:PORT…); give it the same --etcd-* files");
          io.log('the certificate key opens the cluster keys: keep it as secret as the token');
        } else {
          io.log(made.token);
          io.log(`join a node with (the token is valid ${valid}):`);
          io.log(`  tandem join ${url} --token ${made.token} --ca-cert-hash ${hash}`);
        }
        if (note) io.log(note);
      } catch (e) {
        // a control-plane token without its upload is no use: take it back
        if (made && o.controlPlane)
          await client
            .resource(SECRETS)
            .namespace(TOKEN_NAMESPACE)
            .delete(made.name)
            .catch(() => undefined);
        io.fail(`cannot create the token through ${creds.server}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        client.close();
      }
    },
  );

  common(token.command('list').description('list the bootstrap tokens')).action(async (o: CommonFlags) => {
    const { client, creds } = await adminClient(o).catch(io.fail);
    try {
      const list = await client
        .resource(SECRETS)
        .namespace(TOKEN_NAMESPACE)
        .list({ fieldSelector: `type=${TOKEN_SECRET_TYPE}` });
      const now = Date.now();
      const rows = list.items.flatMap((s) => tokenRow(s, now) ?? []);
      io.log(rows.length === 0 ? 'no bootstrap tokens' : renderTokenTable(rows));
    } catch (e) {
      io.fail(`cannot list tokens through ${creds.server}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      client.close();
    }
  });

  common(token.command('delete').description('delete bootstrap tokens (by id or whole token)').argument('<tokens...>')).action(
    async (ids: string[], o: CommonFlags) => {
      const bad = ids.find((t) => !/^[a-z0-9]{6}(\.[a-z0-9]{16})?$/.test(t));
      if (bad) io.fail(`${JSON.stringify(bad)} is neither a token id (6 characters of [a-z0-9]) nor a token (id.secret)`);
      const { client } = await adminClient(o).catch(io.fail);
      try {
        for (const t of ids) {
          const id = t.slice(0, 6);
          await client.resource(SECRETS).namespace(TOKEN_NAMESPACE).delete(`bootstrap-token-${id}`);
          io.log(`bootstrap token ${id} deleted`);
        }
      } catch (e) {
        io.fail(e);
      } finally {
        client.close();
      }
    },
  );
}
