// Checks of the node half on this host: the container runtime, CNI, the pod bridge, the service
// proxy, cluster DNS, and (when nothing runs) whether the ports Tandem needs are free.

import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { fail, ok, skip, type CheckResult } from './doctor-types.js';

const run = (cmd: string, args: string[]): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 127) : 0, out: `${stdout}${stderr}` }),
    );
  });

/** containerd answering on the private socket a node of this data dir uses (when it uses one). */
export async function checkContainerd(
  agentDir: string,
  ask: (endpoint: string) => Promise<{ version: string } | { error: string }>,
  platform = process.platform,
): Promise<CheckResult> {
  const id = 'node.runtime';
  const title = 'the container runtime answers';
  const endpoint =
    platform === 'win32' ? 'npipe:////./pipe/containerd-containerd' : `unix://${join(agentDir, 'containerd', 'containerd.sock')}`;
  if (platform !== 'win32' && !existsSync(join(agentDir, 'containerd')))
    return ok(id, title, 'this node runs native processes only (no private containerd in its data dir)');
  const r = await ask(endpoint);
  if ('version' in r) return ok(id, title, `containerd ${r.version} at ${endpoint}`);
  return fail(
    id,
    title,
    `containerd does not answer at ${endpoint}: ${r.error}`,
    platform === 'win32'
      ? 'start the containerd service (Start-Service containerd), or install it (see docs/windows.md)'
      : 'the agent starts its private containerd: is `tandem up`/`tandem agent` running? Its log is DATA/agent/containerd/containerd.log',
  );
}

/** The CNI plugins a private containerd's pod network needs. */
export function checkCni(cniBinDir = '/usr/lib/cni', platform = process.platform): CheckResult {
  const id = 'node.cni';
  const title = 'CNI plugins are installed';
  if (platform === 'win32') return skip(id, title, 'Windows: the pod network is containerd’s nat/HNS, not these plugins');
  const missing = ['bridge', 'host-local', 'portmap', 'loopback'].filter((p) => !existsSync(join(cniBinDir, p)));
  if (missing.length)
    return fail(id, title, `missing in ${cniBinDir}: ${missing.join(', ')}`, 'apt-get install containernetworking-plugins');
  return ok(id, title, `bridge, host-local, portmap, loopback in ${cniBinDir}`);
}

/** The pod bridge of this data dir's node exists and is up (only meaningful while the node runs containers). */
export async function checkBridge(name: string): Promise<CheckResult> {
  const id = 'node.bridge';
  const title = 'the pod bridge is up';
  const r = await run('ip', ['-o', 'link', 'show', 'dev', name]);
  if (r.code === 127) return skip(id, title, 'the `ip` command is missing (apt-get install iproute2)');
  if (r.code !== 0) return skip(id, title, `no bridge ${name} yet: the first container pod creates it`);
  if (!/[<,]UP[,>]/.test(r.out)) return fail(id, title, `${name} exists but is down`, `ip link set ${name} up (or restart the agent)`);
  return ok(id, title, `${name} is up`);
}

/** The nftables service proxy's table is loaded (the userspace proxy has nothing to look at here). */
export async function checkServiceProxy(table: string): Promise<CheckResult> {
  const id = 'node.service-proxy';
  const title = 'the service proxy has programmed its rules';
  const r = await run('nft', ['list', 'table', 'ip', table]);
  if (r.code === 127) return skip(id, title, 'nft is missing: the agent uses its userspace proxy');
  if (r.code !== 0 && /Operation not permitted/i.test(r.out)) return skip(id, title, 'reading nftables needs root');
  if (r.code !== 0)
    return fail(
      id,
      title,
      `no nftables table ip ${table}: Services do not route on this host`,
      'is the agent running (with --proxy auto or nftables)? Its log says why the proxy did not start',
    );
  const rules = (r.out.match(/\n\s*(ip daddr|meta|ct|dnat|jump|goto)/g) ?? []).length;
  return ok(id, title, `table ip ${table} loaded (${rules} rules)`);
}

/** The cluster DNS server answers for kubernetes.default.svc.<domain>. */
export function checkDns(host: string, port: number, domain = 'cluster.local', timeoutMs = 2000): Promise<CheckResult> {
  const id = 'node.dns';
  const title = 'cluster DNS answers';
  const name = `kubernetes.default.svc.${domain}`;
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (r: CheckResult) => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        done(
          fail(
            id,
            title,
            `no answer from ${host}:${port} within ${timeoutMs / 1000} s`,
            'is the server running with cluster DNS (--cluster-dns-listen)? Its log says why DNS did not start',
          ),
        ),
      timeoutMs,
    );
    sock.on('error', (e) => done(fail(id, title, `${host}:${port}: ${e.message}`, 'check --cluster-dns-listen')));
    sock.on('message', (msg) => {
      try {
        const a = dnsPacket.decode(msg);
        const rec = (a.answers ?? []).find((x) => x.type === 'A') as { data?: unknown } | undefined;
        const ip = rec?.data;
        const rcode = (a.flags ?? 0) & 0x0f;
        if (typeof ip === 'string') done(ok(id, title, `${name} is ${ip}`));
        else
          done(
            fail(
              id,
              title,
              `${host}:${port} answered rcode ${rcode} without an address for ${name}`,
              'is the `kubernetes` Service in `default` there? (kubectl get svc kubernetes)',
            ),
          );
      } catch (e) {
        done(
          fail(
            id,
            title,
            `${host}:${port} sent an unreadable answer: ${e instanceof Error ? e.message : String(e)}`,
            'something else listens on that port',
          ),
        );
      }
    });
    const q = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
    sock.send(q, port, host);
  });
}

/** When Tandem is not running here: the ports it would listen on are free. */
export async function checkPortsFree(ports: Array<{ port: number; what: string }>, host = '0.0.0.0'): Promise<CheckResult> {
  const id = 'node.ports';
  const title = 'the ports Tandem listens on are free';
  const taken: string[] = [];
  for (const p of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(p.port, host, () => s.close(() => resolve(true)));
    });
    if (!free) taken.push(`${p.port} (${p.what})`);
  }
  if (taken.length)
    return fail(
      id,
      title,
      `in use by another process: ${taken.join(', ')}`,
      'find it with `ss -ltnp`; stop it, or start Tandem with other ports (--listen, --streaming-port, --cluster-dns-listen)',
    );
  return ok(id, title, ports.map((p) => `${p.port} (${p.what})`).join(', '));
}
