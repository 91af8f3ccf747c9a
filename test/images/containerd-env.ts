// Test helper: a private containerd in a temp dir (own CNI bridge and pod CIDR), with a CRI
// runtime client, torn down completely by stop(): sandboxes, pod cgroups, containerd, bridge, files.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLinuxPlatform,
  missingRuntimeTools,
  removePodCgroups,
  type LinuxPlatform,
  type SupervisedContainerd,
} from '../../src/agent/platform/linux/index.js';
import { createCriRuntime, type CriRuntime } from '../../src/agent/runtime/cri/index.js';
import { createLogger } from '../../src/base/log.js';

export interface TestContainerd {
  dataDir: string;
  podCidr: string;
  cgroupRoot: string;
  platform: LinuxPlatform;
  managed: SupervisedContainerd;
  runtime: CriRuntime;
  logs: string[];
  /** stops containerd (pods keep running) and starts a new instance on the same data dir, like an agent restart */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why containerd tests cannot run here, or undefined when they can. */
export function containerdSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'containerd tests need Linux';
  if (process.getuid?.() !== 0) return 'containerd tests need root';
  const missing = missingRuntimeTools();
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    missing.push('iproute2 (ip)');
  }
  return missing.length ? `containerd tests skipped: missing ${missing.join(', ')}` : undefined;
}

function randomPodCidr(): string {
  return `10.${90 + Math.floor(Math.random() * 60)}.${Math.floor(Math.random() * 256)}.0/24`;
}

export async function startTestContainerd(
  o: { podCidr?: string; sandboxImage?: string; pauseImageArchive?: string; registryMirrors?: Record<string, string> } = {},
): Promise<TestContainerd> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-ctrd-'));
  const podCidr = o.podCidr ?? randomPodCidr();
  const cgroupRoot = `tandem-test-${dataDir.slice(-6)}`;
  const logs: string[] = [];
  const platform = createLinuxPlatform({
    dataDir,
    cgroupRoot,
    log: createLogger({ write: (l) => logs.push(l) }),
    ...(o.sandboxImage ? { sandboxImage: o.sandboxImage } : {}),
    ...(o.pauseImageArchive ? { pauseImageArchive: o.pauseImageArchive } : {}),
    ...(o.registryMirrors ? { registryMirrors: o.registryMirrors } : {}),
  });
  const managed = await platform.startRuntime({ dataDir, podCidr });
  if (!managed) throw new Error(`containerd did not start: ${logs.join('; ')}`);
  const runtime = createCriRuntime(managed.endpoint);
  const env: TestContainerd = {
    dataDir,
    podCidr,
    cgroupRoot,
    platform,
    managed,
    runtime,
    logs,
    async restart() {
      await env.managed.stop();
      const next = await platform.startRuntime({ dataDir, podCidr });
      if (!next) throw new Error('containerd did not start again');
      env.managed = next;
    },
    async stop() {
      try {
        for (const s of await runtime.listPodSandboxes()) {
          await runtime.stopPodSandbox(s.id).catch(() => undefined);
          await runtime.removePodSandbox(s.id).catch(() => undefined);
          await platform.cleanupPod(s.uid, undefined).catch(() => undefined);
        }
      } catch {
        /* containerd already gone */
      }
      await runtime.close();
      await env.managed.stop();
      await platform.removeNetwork(dataDir).catch(() => undefined);
      await removePodCgroups(`/${cgroupRoot}`).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  return env;
}
