// Shared pieces of the node end-to-end tests and the node benchmark: a random pod CIDR, whether this
// host can run real pods, and a complete teardown of what a `tandem up` node leaves behind (pods keep
// running after the agent stops, by design): sandboxes, shims, the CNI bridge, pod cgroups, and what
// a service proxy that did not stop cleanly left (its nftables table, the userspace proxy's addresses).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerdSkipReason } from '../images/containerd-env.js';
import { createLinuxPlatform, hostResourceNames, removeBridge } from '../../src/agent/platform/linux/index.js';
import { createCriRuntime } from '../../src/agent/runtime/cri/index.js';
import { createLogger } from '../../src/base/log.js';
import { createPodNetProgrammer } from '../../src/network/podnet/programmer.js';
import { createNftablesBackend } from '../../src/network/proxy/nftables/nftables-backend.js';
import { createLinuxAddressManager } from '../../src/network/proxy/userspace/linux-addresses.js';

/** 10.<100-199>.<0-255>.0/24: a fresh network per run, so parallel or leftover bridges never collide. */
export function randomNodePodCidr(): string {
  return `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 256)}.0/24`;
}

/** Why real pods cannot run here (not root, containerd/runc/CNI/ip missing), or undefined. */
export function nodeSkipReason(): string | undefined {
  return containerdSkipReason();
}

/** Pids of processes whose command line mentions `needle` (e.g. shims of one containerd instance). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(join('/proc', d, 'cmdline'), 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** containerd-shim processes serving the private containerd under `agentDir` (DATA/agent). */
export function shimPids(agentDir: string): number[] {
  const sock = join(agentDir, 'containerd', 'containerd.sock');
  return pidsMentioning(sock).filter((p) => {
    try {
      return readFileSync(join('/proc', String(p), 'comm'), 'utf8').startsWith('containerd-shim');
    } catch {
      return false;
    }
  });
}

/**
 * Removes every sandbox a stopped `tandem up` left under `agentDir`: starts its containerd once more,
 * stops and removes all sandboxes through the CRI, removes their pod cgroups, stops containerd, kills
 * any shim still alive, deletes the CNI bridge, and removes the service proxy's nftables table and
 * cluster-IP addresses (a proxy stopped by SIGTERM removed them itself; one that was killed did not).
 * Safe to call when nothing is left. The tables are named after the data dir (host-names.ts); the
 * cluster-IP device and the pod network's routes are shared, and node tests never run two nodes at once.
 */
export async function teardownNode(
  agentDir: string,
  podCidr: string,
  log: (l: string) => void = () => undefined,
): Promise<{ sandboxes: number }> {
  let sandboxes = 0;
  if (existsSync(join(agentDir, 'containerd', 'config.toml'))) {
    const platform = createLinuxPlatform({ dataDir: agentDir, log: createLogger({ write: log }) });
    const managed = await platform.startRuntime({ dataDir: agentDir, podCidr }).catch((e: unknown) => {
      log(`teardown: containerd did not start: ${String(e)}`);
      return undefined;
    });
    if (managed) {
      const runtime = createCriRuntime(managed.endpoint);
      try {
        for (const s of await runtime.listPodSandboxes()) {
          sandboxes++;
          await runtime.stopPodSandbox(s.id).catch(() => undefined);
          await runtime.removePodSandbox(s.id).catch(() => undefined);
          await platform.cleanupPod(s.uid, undefined).catch(() => undefined);
        }
      } catch (e) {
        log(`teardown: ${String(e)}`);
      }
      await runtime.close();
      await managed.stop();
    }
  }
  for (const pid of shimPids(agentDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await removeBridge(agentDir).catch((e: unknown) => log(`teardown: bridge: ${String(e)}`));
  const quiet = createLogger({ write: log });
  const names = hostResourceNames(agentDir);
  await createNftablesBackend({ nodeIPs: [], log: quiet, table: names.proxyTable })
    .cleanup()
    .catch((e: unknown) => log(`teardown: nftables: ${String(e)}`));
  await createLinuxAddressManager({ log: quiet })
    .cleanup()
    .catch((e: unknown) => log(`teardown: cluster IP addresses: ${String(e)}`));
  // the pod network's routes, tunnel and masquerade stay after an agent stops (its pods keep running)
  await createPodNetProgrammer({ log: quiet, table: names.podnetTable })
    .cleanup()
    .catch((e: unknown) => log(`teardown: pod network: ${String(e)}`));
  return { sandboxes };
}

/** Memory of a process in MB: resident set (VmRSS), its anonymous part (RssAnon: heap, not the mapped
 *  node binary) and the proportional set size (PSS: shared pages divided among their users). NaN when gone. */
export function memoryOf(pid: number): { rss: number; anon: number; pss: number } {
  const kb = (text: string, key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  };
  let status = '';
  let rollup = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    /* gone */
  }
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    /* gone or no smaps_rollup */
  }
  return { rss: kb(status, 'VmRSS'), anon: kb(status, 'RssAnon'), pss: kb(rollup, 'Pss') };
}

/** The pid of the containerd serving `agentDir`, if running. */
export function containerdPid(agentDir: string): number | undefined {
  const config = join(agentDir, 'containerd', 'config.toml');
  return pidsMentioning(config).find((p) => {
    try {
      return readFileSync(join('/proc', String(p), 'comm'), 'utf8').trim() === 'containerd';
    } catch {
      return false;
    }
  });
}
