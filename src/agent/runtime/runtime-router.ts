// Several runtimes behind the one Runtime seam, so that one node can offer more than one (containerd
// and, later, native processes): a pod sandbox goes to the runtime of its RuntimeClass handler (the
// default runtime takes every handler no other runtime claims, '' included); a call that names a
// sandbox or a container goes to the runtime holding it; lists and stats cover them all; the
// handlers the node advertises are the ones each runtime runs. The pod workers, probes, stats and
// streaming server use the router as they would use one runtime (optional methods, such as direct
// streams, are forwarded to the holder and answer undefined when it lacks them). Ids are unique across runtimes
// (each makes random ones).

import {
  RuntimeNotFoundError,
  type ContainerStatus,
  type Runtime,
  type RuntimeCondition,
  type RuntimeHandlerInfo,
  type SandboxStatus,
} from './runtime.js';

export interface RuntimeRouterOptions {
  /** runs the handlers no other runtime claims, the default handler '' included */
  default: Runtime;
  /** RuntimeClass handler -> the runtime that runs its pods */
  handlers?: Readonly<Record<string, Runtime>>;
}

export interface RuntimeRouter extends Runtime {
  /** The runtime that runs pods of this RuntimeClass handler. */
  forHandler(handler: string): Runtime;
  readonly runtimes: readonly Runtime[];
}

/** Conditions of several runtimes as one list: a type holds only when every runtime says so. */
export function mergeConditions(lists: readonly RuntimeCondition[][]): RuntimeCondition[] {
  const out: RuntimeCondition[] = [];
  for (const list of lists) {
    for (const c of list) {
      const have = out.find((o) => o.type === c.type);
      if (!have) out.push({ ...c });
      else if (have.status && !c.status) Object.assign(have, { status: false, reason: c.reason, message: c.message });
    }
  }
  return out;
}

export function createRuntimeRouter(o: RuntimeRouterOptions): RuntimeRouter {
  const claimed = new Map(Object.entries(o.handlers ?? {}));
  const runtimes = [...new Set([o.default, ...claimed.values()])];
  const single = runtimes.length === 1;
  const forHandler = (handler: string) => claimed.get(handler) ?? o.default;
  // who holds which sandbox and container (kept only when there is more than one runtime)
  const sandboxes = new Map<string, Runtime>();
  const containers = new Map<string, Runtime>();

  /** The runtime holding `id`: remembered, else the first whose status call knows it. */
  async function holder(id: string, known: Map<string, Runtime>, probe: (rt: Runtime) => Promise<unknown>): Promise<Runtime> {
    if (single) return o.default;
    const hit = known.get(id);
    if (hit) return hit;
    for (const rt of runtimes) {
      try {
        await probe(rt);
        known.set(id, rt);
        return rt;
      } catch (e) {
        if (!(e instanceof RuntimeNotFoundError)) throw e;
      }
    }
    throw new RuntimeNotFoundError(`${id} is held by no runtime of this node`);
  }
  const sandboxHolder = (id: string) => holder(id, sandboxes, (rt) => rt.podSandboxStatus(id));
  const containerHolder = (id: string) => holder(id, containers, (rt) => rt.containerStatus(id));

  /** Lists from every runtime; an unfiltered list also refreshes who holds what. */
  async function listAll<T extends { id: string }>(
    list: (rt: Runtime) => Promise<T[]>,
    known: Map<string, Runtime>,
    complete: boolean,
  ): Promise<T[]> {
    if (single) return list(o.default);
    const parts = await Promise.all(runtimes.map(async (rt) => ({ rt, items: await list(rt) })));
    if (complete) known.clear();
    for (const { rt, items } of parts) for (const x of items) known.set(x.id, rt);
    return parts.flatMap((p) => p.items);
  }

  return {
    name: runtimes.map((r) => r.name).join('+'),
    runtimes,
    forHandler,

    version: () => o.default.version(),
    async status() {
      if (single) return o.default.status();
      return mergeConditions(await Promise.all(runtimes.map((rt) => rt.status())));
    },
    async runtimeHandlers() {
      const own = (await o.default.runtimeHandlers()).filter((h) => !claimed.has(h.name) || claimed.get(h.name) === o.default);
      const others: RuntimeHandlerInfo[] = [];
      for (const [name, rt] of claimed) {
        if (rt === o.default) continue;
        others.push((await rt.runtimeHandlers()).find((h) => h.name === name) ?? { name });
      }
      return [...own, ...others];
    },

    async runPodSandbox(cfg) {
      const rt = forHandler(cfg.runtimeHandler);
      const id = await rt.runPodSandbox(cfg);
      if (!single) sandboxes.set(id, rt);
      return id;
    },
    async stopPodSandbox(id) {
      await (await sandboxHolder(id)).stopPodSandbox(id);
    },
    async removePodSandbox(id) {
      await (await sandboxHolder(id)).removePodSandbox(id);
      sandboxes.delete(id);
    },
    async podSandboxStatus(id) {
      return (await sandboxHolder(id)).podSandboxStatus(id);
    },
    listPodSandboxes: (filter) => listAll<SandboxStatus>((rt) => rt.listPodSandboxes(filter), sandboxes, !filter?.labels),

    async createContainer(sandboxId, cfg, sandbox) {
      const rt = await sandboxHolder(sandboxId);
      const id = await rt.createContainer(sandboxId, cfg, sandbox);
      if (!single) containers.set(id, rt);
      return id;
    },
    async startContainer(id) {
      await (await containerHolder(id)).startContainer(id);
    },
    async stopContainer(id, timeoutSeconds) {
      await (await containerHolder(id)).stopContainer(id, timeoutSeconds);
    },
    async removeContainer(id) {
      await (await containerHolder(id)).removeContainer(id);
      containers.delete(id);
    },
    async containerStatus(id) {
      return (await containerHolder(id)).containerStatus(id);
    },
    async listContainers(filter) {
      if (filter?.sandboxId) return (await sandboxHolder(filter.sandboxId)).listContainers(filter);
      return listAll<ContainerStatus>((rt) => rt.listContainers(filter), containers, !filter?.labels);
    },
    async updateContainerResources(id, resources) {
      await (await containerHolder(id)).updateContainerResources(id, resources);
    },
    async reopenContainerLog(id) {
      await (await containerHolder(id)).reopenContainerLog(id);
    },
    async unenforcedLimits(id) {
      const rt = await containerHolder(id);
      return rt.unenforcedLimits ? rt.unenforcedLimits(id) : undefined;
    },

    async execSync(id, cmd, timeoutSeconds) {
      return (await containerHolder(id)).execSync(id, cmd, timeoutSeconds);
    },
    async exec(id, cmd, opts) {
      return (await containerHolder(id)).exec(id, cmd, opts);
    },
    async attach(id, opts) {
      return (await containerHolder(id)).attach(id, opts);
    },
    async openStream(id, kind, cmd, opts) {
      const rt = await containerHolder(id);
      return rt.openStream ? rt.openStream(id, kind, cmd, opts) : undefined;
    },
    async portForward(sandboxId, ports) {
      return (await sandboxHolder(sandboxId)).portForward(sandboxId, ports);
    },

    pullImage: (image, auth, sandbox) => forHandler(sandbox?.runtimeHandler ?? '').pullImage(image, auth, sandbox),
    imageStatus: (image, runtimeHandler) => forHandler(runtimeHandler ?? '').imageStatus(image, runtimeHandler),
    async listImages() {
      return (await Promise.all(runtimes.map((rt) => rt.listImages()))).flat();
    },
    async removeImage(image) {
      for (const rt of runtimes) {
        try {
          await rt.removeImage(image);
        } catch (e) {
          if (!(e instanceof RuntimeNotFoundError)) throw e;
        }
      }
    },

    async listContainerStats(filter) {
      if (filter?.sandboxId) return (await sandboxHolder(filter.sandboxId)).listContainerStats(filter);
      return (await Promise.all(runtimes.map((rt) => rt.listContainerStats(filter)))).flat();
    },

    async close() {
      await Promise.all(runtimes.map((rt) => rt.close()));
    },
  };
}
