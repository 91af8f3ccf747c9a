// Files of a private containerd instance under DATA/containerd: config.toml (version 2), the CNI
// conflist (bridge + host-local + portmap + loopback) and registry hosts (certs.d/<host>/hosts.toml).
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ContainerdLayout {
  dir: string;
  config: string;
  socket: string;
  log: string;
  pidFile: string;
  cniConfDir: string;
  cniConfFile: string;
  certsDir: string;
  runcRoot: string;
}

export function containerdLayout(dataDir: string): ContainerdLayout {
  const dir = join(dataDir, 'containerd');
  return {
    dir,
    config: join(dir, 'config.toml'),
    socket: join(dir, 'containerd.sock'),
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniConfFile: join(dir, 'cni', 'net.d', '10-tandem.conflist'),
    certsDir: join(dir, 'certs.d'),
    runcRoot: join(dir, 'runc'),
  };
}

/** Bridge device of the instance: `tdm` + 8 hex of the data dir's hash (11 chars, under IFNAMSIZ). */
export function bridgeName(dataDir: string): string {
  return `tdm${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
}

/** `10.88.5.0/24` → subnet (network address) and gateway (.1 of it). */
export function parsePodCidr(cidr: string): { subnet: string; gateway: string } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`pod CIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`pod CIDR ${cidr} is out of range (prefix 8..30)`);
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (ip & mask) >>> 0;
  const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  return { subnet: `${dotted(net)}/${bits}`, gateway: dotted(net + 1) };
}

const q = (s: string) => JSON.stringify(s);

export interface ContainerdConfigOptions {
  sandboxImage: string;
  cniBinDir: string;
  snapshotter?: string;
}

export function renderContainerdConfig(l: ContainerdLayout, o: ContainerdConfigOptions): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = ${q(join(l.dir, 'root'))}`,
    `state = ${q(join(l.dir, 'state'))}`,
    '',
    '[grpc]',
    `  address = ${q(l.socket)}`,
    '[ttrpc]',
    `  address = ${q(`${l.socket}.ttrpc`)}`,
    '[debug]',
    `  address = ${q(join(l.dir, 'debug.sock'))}`,
    '  level = "info"',
    '',
    `[${cri}]`,
    `  sandbox_image = ${q(o.sandboxImage)}`,
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  restrict_oom_score_adj = true',
    `[${cri}.containerd]`,
    `  snapshotter = ${q(o.snapshotter ?? 'overlayfs')}`,
    '  default_runtime_name = "runc"',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `[${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    `  Root = ${q(l.runcRoot)}`,
    `[${cri}.cni]`,
    `  bin_dir = ${q(o.cniBinDir)}`,
    `  conf_dir = ${q(l.cniConfDir)}`,
    '  max_conf_num = 1',
    `[${cri}.registry]`,
    `  config_path = ${q(l.certsDir)}`,
    '',
  ].join('\n');
}

export function renderCniConflist(dataDir: string, podCidr: string): string {
  const { subnet, gateway } = parsePodCidr(podCidr);
  const l = containerdLayout(dataDir);
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'tandem',
      plugins: [
        {
          type: 'bridge',
          bridge: bridgeName(dataDir),
          isGateway: true,
          // src/network/podnet masquerades only what leaves the cluster CIDR (pod-to-pod across nodes is not NATed)
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: join(l.dir, 'cni', 'ipam'),
            ranges: [[{ subnet, gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
        { type: 'loopback' },
      ],
    },
    null,
    2,
  )}\n`;
}

/** hosts.toml sending pulls of `host` to `endpoint` (e.g. http://127.0.0.1:5000); docker.io keeps its upstream as fallback. */
export function renderHostsToml(host: string, endpoint: string): string {
  const server = host === 'docker.io' ? 'https://registry-1.docker.io' : endpoint;
  return `server = ${q(server)}\n\n[host.${q(endpoint)}]\n  capabilities = ["pull", "resolve"]\n`;
}

async function writeIfChanged(path: string, text: string): Promise<boolean> {
  let old: string | undefined;
  try {
    old = await readFile(path, 'utf8');
  } catch {
    /* new file */
  }
  if (old === text) return false;
  await writeFile(path, text);
  return true;
}

/** Writes every file the instance needs; the conflist before containerd starts (its hot reload is unreliable). */
export async function writeContainerdFiles(
  dataDir: string,
  podCidr: string,
  o: ContainerdConfigOptions & { registryMirrors?: Record<string, string> },
): Promise<ContainerdLayout> {
  const l = containerdLayout(dataDir);
  await mkdir(l.cniConfDir, { recursive: true, mode: 0o755 });
  await mkdir(l.certsDir, { recursive: true });
  await writeIfChanged(l.config, renderContainerdConfig(l, o));
  await writeIfChanged(l.cniConfFile, renderCniConflist(dataDir, podCidr));
  for (const [host, endpoint] of Object.entries(o.registryMirrors ?? {})) {
    const d = join(l.certsDir, host);
    await mkdir(d, { recursive: true });
    await writeIfChanged(join(d, 'hosts.toml'), renderHostsToml(host, endpoint));
  }
  return l;
}
