// The Runtime interface over the CRI v1 gRPC API (containerd on Linux and Windows).
import {
  ExecTimeoutError,
  RuntimeNotFoundError,
  type AuthConfig,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type ImageInfo,
  type Runtime,
  type RuntimeHandlerInfo,
} from '../runtime.js';
import { createCriClient, GrpcStatus, isGrpcError, type CriClient } from './cri-client.js';
import {
  fromWireContainer,
  fromWireContainerStats,
  fromWireWindowsContainerStats,
  fromWireContainerStatus,
  fromWireImage,
  fromWireSandbox,
  fromWireSandboxStatus,
  toWireContainerConfig,
  toWireResources,
  toWireSandboxConfig,
  toWireWindowsResources,
} from './cri-convert.js';
import type { CriMethod, CriMethods } from './cri-wire.js';

export interface CriRuntimeOptions {
  /** deadline of every call except ExecSync, default 120 s */
  deadlineMs?: number;
  /** runtime name reported by `name`, default 'cri' */
  name?: string;
}

interface PodSandboxStats {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  cpuUsageCoreNanoSeconds: number;
  cpuUsageNanoCores: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  memoryRssBytes: number;
  processCount: number;
  timestamp: number;
  containers: ContainerStats[];
}

interface FsUsage {
  mountpoint: string;
  usedBytes: number;
  inodesUsed: number;
}

/** The Runtime, plus CRI extras the agent's stats and diagnostics use. */
export interface CriRuntime extends Runtime {
  readonly endpoint: string;
  listPodSandboxStats(filter?: { sandboxId?: string }): Promise<PodSandboxStats[]>;
  imageFsInfo(): Promise<{ images: FsUsage[]; containers: FsUsage[] }>;
  /** raw verbose Status `info` map (containerd puts its CRI config under `config`) */
  statusInfo(): Promise<Record<string, string>>;
}

const hasLabels = (l?: Record<string, string>) => (l && Object.keys(l).length ? { label_selector: l } : {});

export function createCriRuntime(endpoint: string, opts: CriRuntimeOptions = {}): CriRuntime {
  const client: CriClient = createCriClient(endpoint, opts.deadlineMs ?? 120_000);

  async function call<M extends CriMethod>(method: M, req: CriMethods[M][0], deadlineMs?: number): Promise<CriMethods[M][1]> {
    try {
      return await client.call(method, req, deadlineMs);
    } catch (e) {
      if (isGrpcError(e) && e.code === GrpcStatus.NOT_FOUND) throw new RuntimeNotFoundError(`${method}: ${e.details || e.message}`);
      throw e;
    }
  }

  async function statusResponse() {
    return call('Status', { verbose: true });
  }
  const sandboxNet = new Map<string, { ip?: string; additionalIps: string[] }>();
  const containerDetail = new Map<string, ContainerStatus>();

  const rt: CriRuntime = {
    name: opts.name ?? 'cri',
    endpoint,

    async version() {
      const v = await call('Version', { version: 'v1' });
      return { runtimeName: v.runtime_name, runtimeVersion: v.runtime_version, runtimeApiVersion: v.runtime_api_version };
    },
    async status() {
      const s = await statusResponse();
      return (s.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
    },
    async statusInfo() {
      return (await statusResponse()).info;
    },
    async runtimeHandlers() {
      const s = await statusResponse();
      if (s.runtime_handlers.length) {
        return s.runtime_handlers.map((h) => ({
          name: h.name,
          recursiveReadOnlyMounts: h.features?.recursive_read_only_mounts ?? false,
          userNamespaces: h.features?.user_namespaces ?? false,
        }));
      }
      return handlersFromConfig(s.info['config']);
    },

    async runPodSandbox(cfg) {
      const r = await call('RunPodSandbox', { config: toWireSandboxConfig(cfg), runtime_handler: cfg.runtimeHandler });
      return r.pod_sandbox_id;
    },
    async stopPodSandbox(id) {
      await call('StopPodSandbox', { pod_sandbox_id: id });
    },
    async removePodSandbox(id) {
      await call('RemovePodSandbox', { pod_sandbox_id: id });
    },
    async podSandboxStatus(id) {
      const r = await call('PodSandboxStatus', { pod_sandbox_id: id, verbose: false });
      if (!r.status) throw new RuntimeNotFoundError(`pod sandbox ${id} not found`);
      return fromWireSandboxStatus(r.status);
    },
    async listPodSandboxes(filter) {
      const r = await call('ListPodSandbox', { filter: { ...hasLabels(filter?.labels) } });
      const out = r.items.map(fromWireSandbox);
      // ListPodSandbox carries no network facts: a ready sandbox's IPs come from its status, asked
      // once per sandbox (they never change) and remembered
      await Promise.all(
        out.map(async (sb) => {
          if (sb.state !== 'ready') return;
          let net = sandboxNet.get(sb.id);
          if (!net) {
            const st = await rt.podSandboxStatus(sb.id).catch(() => undefined);
            if (!st) return;
            net = { ...(st.ip ? { ip: st.ip } : {}), additionalIps: st.additionalIps };
            sandboxNet.set(sb.id, net);
          }
          if (net.ip) sb.ip = net.ip;
          sb.additionalIps = net.additionalIps;
        }),
      );
      for (const id of sandboxNet.keys()) if (!out.some((sb) => sb.id === id)) sandboxNet.delete(id);
      return out;
    },

    async createContainer(sandboxId, cfg, sandbox) {
      const r = await call('CreateContainer', {
        pod_sandbox_id: sandboxId,
        config: toWireContainerConfig(cfg, sandbox),
        sandbox_config: toWireSandboxConfig(sandbox),
      });
      return r.container_id;
    },
    async startContainer(id) {
      await call('StartContainer', { container_id: id });
    },
    async stopContainer(id, timeoutSeconds) {
      const deadline = Math.max(opts.deadlineMs ?? 120_000, (timeoutSeconds + 30) * 1000);
      await call('StopContainer', { container_id: id, timeout: timeoutSeconds }, deadline);
    },
    async removeContainer(id) {
      await call('RemoveContainer', { container_id: id });
    },
    async containerStatus(id) {
      const r = await call('ContainerStatus', { container_id: id, verbose: false });
      if (!r.status) throw new RuntimeNotFoundError(`container ${id} not found`);
      return fromWireContainerStatus(r.status);
    },
    async listContainers(filter) {
      const r = await call('ListContainers', {
        filter: { ...(filter?.sandboxId ? { pod_sandbox_id: filter.sandboxId } : {}), ...hasLabels(filter?.labels) },
      });
      const out = r.containers.map(fromWireContainer);
      // ListContainers has no start/finish times, exit codes or reasons: fill them from
      // ContainerStatus whenever a container's state differs from the one remembered
      const details = await Promise.all(
        out.map(async (c) => {
          const known = containerDetail.get(c.id);
          if (known && known.state === c.state) return known;
          const st = await rt.containerStatus(c.id).catch(() => undefined);
          if (st) containerDetail.set(c.id, st);
          return st;
        }),
      );
      if (!filter) for (const id of containerDetail.keys()) if (!out.some((c) => c.id === id)) containerDetail.delete(id);
      return out.map((c, i) => {
        const d = details[i];
        return d && d.state === c.state
          ? {
              ...c,
              startedAt: d.startedAt,
              finishedAt: d.finishedAt,
              exitCode: d.exitCode,
              reason: d.reason,
              message: d.message,
              logPath: d.logPath || c.logPath,
              imageRef: d.imageRef || c.imageRef,
            }
          : c;
      });
    },
    async updateContainerResources(id, resources) {
      await call('UpdateContainerResources', {
        container_id: id,
        ...(resources.linux ? { linux: toWireResources(resources.linux) } : {}),
        ...(resources.windows ? { windows: toWireWindowsResources(resources.windows) } : {}),
      });
    },
    async reopenContainerLog(id) {
      await call('ReopenContainerLog', { container_id: id });
    },

    async execSync(id, cmd, timeoutSeconds): Promise<ExecResult> {
      const deadline = timeoutSeconds > 0 ? (timeoutSeconds + 5) * 1000 : (opts.deadlineMs ?? 120_000);
      try {
        const r = await client.call('ExecSync', { container_id: id, cmd, timeout: timeoutSeconds }, deadline);
        return { exitCode: r.exit_code, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) };
      } catch (e) {
        if (isGrpcError(e) && e.code === GrpcStatus.DEADLINE_EXCEEDED) {
          throw new ExecTimeoutError(`command timed out after ${timeoutSeconds}s: ${e.details || e.message}`);
        }
        if (isGrpcError(e) && e.code === GrpcStatus.NOT_FOUND) throw new RuntimeNotFoundError(`ExecSync: ${e.details || e.message}`);
        throw e;
      }
    },
    async exec(id, cmd, o) {
      return (await call('Exec', { container_id: id, cmd, tty: o.tty, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr })).url;
    },
    async attach(id, o) {
      return (await call('Attach', { container_id: id, tty: o.tty, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr })).url;
    },
    async portForward(sandboxId, ports) {
      return (await call('PortForward', { pod_sandbox_id: sandboxId, port: ports })).url;
    },

    async pullImage(image, auth, sandbox) {
      const r = await call('PullImage', {
        image: { image },
        ...(auth ? { auth: wireAuth(auth) } : {}),
        ...(sandbox ? { sandbox_config: toWireSandboxConfig(sandbox) } : {}),
      });
      return r.image_ref;
    },
    async imageStatus(image): Promise<ImageInfo | undefined> {
      const r = await call('ImageStatus', { image: { image }, verbose: false });
      return r.image && r.image.id ? fromWireImage(r.image) : undefined;
    },
    async listImages() {
      return (await call('ListImages', {})).images.map(fromWireImage);
    },
    async removeImage(image) {
      await call('RemoveImage', { image: { image } });
    },

    async listContainerStats(filter) {
      if (filter?.sandboxId) {
        const r = await call('ListContainerStats', { filter: { pod_sandbox_id: filter.sandboxId } });
        return r.stats.map((s) => fromWireContainerStats(s, filter.sandboxId));
      }
      // the stats' attributes carry no sandbox id: take it from the plain container list
      const [r, list] = await Promise.all([call('ListContainerStats', { filter: {} }), call('ListContainers', { filter: {} })]);
      const sandboxOf = new Map(list.containers.map((c) => [c.id, c.pod_sandbox_id]));
      return r.stats.map((s) => fromWireContainerStats(s, sandboxOf.get(s.attributes?.id ?? '')));
    },
    async listPodSandboxStats(filter) {
      const r = await call('ListPodSandboxStats', { filter: filter?.sandboxId ? { id: filter.sandboxId } : {} });
      return r.stats.map((s) => {
        const a = s.attributes;
        const l = s.linux;
        const w = s.windows;
        const cpu = l?.cpu ?? w?.cpu;
        return {
          id: a?.id ?? '',
          name: a?.metadata?.name ?? '',
          namespace: a?.metadata?.namespace ?? '',
          uid: a?.metadata?.uid ?? '',
          cpuUsageCoreNanoSeconds: cpu?.usage_core_nano_seconds?.value ?? 0,
          cpuUsageNanoCores: cpu?.usage_nano_cores?.value ?? 0,
          memoryWorkingSetBytes: (l?.memory ?? w?.memory)?.working_set_bytes?.value ?? 0,
          // Windows: the commit charge stands for usage, and there is no RSS (fromWireWindowsContainerStats)
          memoryUsageBytes: l?.memory?.usage_bytes?.value ?? w?.memory?.commit_memory_bytes?.value ?? 0,
          memoryRssBytes: l?.memory?.rss_bytes?.value ?? 0,
          processCount: (l?.process ?? w?.process)?.process_count?.value ?? 0,
          timestamp: cpu?.timestamp || (l?.memory ?? w?.memory)?.timestamp || 0,
          containers: l
            ? l.containers.map((c) => fromWireContainerStats(c, a?.id))
            : (w?.containers ?? []).map((c) => fromWireWindowsContainerStats(c, a?.id)),
        };
      });
    },
    async imageFsInfo() {
      const r = await call('ImageFsInfo', {});
      const fs = (u: typeof r.image_filesystems) =>
        u.map((x) => ({
          mountpoint: x.fs_id?.mountpoint ?? '',
          usedBytes: x.used_bytes?.value ?? 0,
          inodesUsed: x.inodes_used?.value ?? 0,
        }));
      return { images: fs(r.image_filesystems), containers: fs(r.container_filesystems) };
    },

    async close() {
      client.close();
    },
  };
  return rt;
}

function wireAuth(a: AuthConfig): Record<string, string> {
  return {
    username: a.username ?? '',
    password: a.password ?? '',
    auth: a.auth ?? '',
    server_address: a.serverAddress ?? '',
    identity_token: a.identityToken ?? '',
    registry_token: a.registryToken ?? '',
  };
}

/**
 * Runtimes that report no handlers in Status (containerd 1.6) list them in the CRI config JSON of
 * the verbose Status info: `containerd.runtimes` plus the default handler ''.
 */
export function handlersFromConfig(config: string | undefined): RuntimeHandlerInfo[] {
  const out: RuntimeHandlerInfo[] = [{ name: '' }];
  if (!config) return out;
  try {
    const parsed: unknown = JSON.parse(config);
    const containerd = isRecord(parsed) ? parsed['containerd'] : undefined;
    const runtimes = isRecord(containerd) ? containerd['runtimes'] : undefined;
    if (isRecord(runtimes)) for (const name of Object.keys(runtimes).sort()) out.push({ name });
  } catch {
    /* not JSON: only the default handler */
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
