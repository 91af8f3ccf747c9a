// An in-memory Runtime for agent tests: sandboxes with IPs, containers that run until told to exit
// (or exit by a rule), images, exec answers. Every call is recorded for assertions.

import {
  RuntimeNotFoundError,
  type AuthConfig,
  type ContainerConfig,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type ContainerResources,
  type ImageInfo,
  type Runtime,
  type RuntimeCondition,
  type RuntimeHandlerInfo,
  type SandboxConfig,
  type SandboxStatus,
} from '../runtime/runtime.js';

interface FakeExit {
  afterMs: number;
  exitCode: number;
  reason?: string;
}

export interface FakeContainerRuntimeOptions {
  /** images present from the start */
  images?: string[];
  /** decides, at start, whether (and when) a container exits by itself */
  autoExit?: (cfg: ContainerConfig) => FakeExit | undefined;
  /** answers execSync (default: exit 0, empty output) */
  exec?: (cfg: ContainerConfig, cmd: string[]) => ExecResult | Promise<ExecResult>;
  /** images whose pull fails */
  failPull?: (image: string) => string | undefined;
  ipPrefix?: string;
  /** the runtime handlers it offers (default: runc and the default "") */
  handlers?: RuntimeHandlerInfo[];
  /** starts every sandbox and container id (two fakes side by side need distinct ids, as real runtimes have) */
  idPrefix?: string;
}

interface FakeSandbox {
  status: SandboxStatus;
  cfg: SandboxConfig;
}
interface FakeContainer {
  status: ContainerStatus;
  cfg: ContainerConfig;
  timer?: NodeJS.Timeout;
}

export interface FakeContainerRuntime extends Runtime {
  calls: string[];
  /** `runtimeHandler`: the handler of the sandbox the image was pulled for, when one was given */
  pulls: Array<{ image: string; auth?: AuthConfig; runtimeHandler?: string }>;
  sandboxes: Map<string, FakeSandbox>;
  containers: Map<string, FakeContainer>;
  /** Ends a running container now. */
  exit(id: string, exitCode: number, reason?: string): void;
  setCondition(type: string, status: boolean, reason?: string, message?: string): void;
  configOf(id: string): ContainerConfig | undefined;
}

const ns = () => Date.now() * 1e6;
const clone = <T>(x: T): T => structuredClone(x);
const matches = (labels: Record<string, string>, want?: Record<string, string>) =>
  !want || Object.entries(want).every(([k, v]) => labels[k] === v);

export function createFakeContainerRuntime(opts: FakeContainerRuntimeOptions = {}): FakeContainerRuntime {
  const sandboxes = new Map<string, FakeSandbox>();
  const containers = new Map<string, FakeContainer>();
  const images = new Map<string, ImageInfo>();
  const conditions: RuntimeCondition[] = [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ];
  const calls: string[] = [];
  const pulls: FakeContainerRuntime['pulls'] = [];
  let seq = 0;
  let ipSeq = 1;
  const id = (p: string) => `${opts.idPrefix ?? ''}${p}${(++seq).toString(16).padStart(12, '0')}`;
  const addImage = (ref: string) => {
    if (!images.has(ref))
      images.set(ref, {
        id: `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`,
        repoTags: [ref],
        repoDigests: [],
        size: 1000,
      });
  };
  for (const i of opts.images ?? []) addImage(i);

  const sb = (i: string) => {
    const s = sandboxes.get(i);
    if (!s) throw new RuntimeNotFoundError(`sandbox ${i} not found`);
    return s;
  };
  const ct = (i: string) => {
    const c = containers.get(i);
    if (!c) throw new RuntimeNotFoundError(`container ${i} not found`);
    return c;
  };

  function exit(cid: string, exitCode: number, reason?: string): void {
    const c = containers.get(cid);
    if (!c || c.status.state !== 'running') return;
    if (c.timer) clearTimeout(c.timer);
    c.status.state = 'exited';
    c.status.exitCode = exitCode;
    c.status.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.status.finishedAt = ns();
  }

  const rt: FakeContainerRuntime = {
    name: 'fake',
    calls,
    pulls,
    sandboxes,
    containers,
    exit,
    configOf: (i) => containers.get(i)?.cfg,
    setCondition(type, status, reason = '', message = '') {
      const c = conditions.find((x) => x.type === type);
      if (c) Object.assign(c, { status, reason, message });
    },
    async version() {
      return { runtimeName: 'containerd', runtimeVersion: '1.6.20-fake', runtimeApiVersion: 'v1' };
    },
    async status() {
      return clone(conditions);
    },
    async runtimeHandlers() {
      return clone(opts.handlers ?? [{ name: 'runc', recursiveReadOnlyMounts: true, userNamespaces: false }, { name: '' }]);
    },

    async runPodSandbox(cfg) {
      calls.push(`runPodSandbox ${cfg.namespace}/${cfg.name}`);
      const sid = id('s');
      const ip = cfg.hostNetwork ? undefined : `${opts.ipPrefix ?? '10.88.0.'}${++ipSeq}`;
      sandboxes.set(sid, {
        cfg: clone(cfg),
        status: {
          id: sid,
          state: 'ready',
          createdAt: ns(),
          ...(ip ? { ip } : {}),
          additionalIps: [],
          name: cfg.name,
          namespace: cfg.namespace,
          uid: cfg.uid,
          attempt: cfg.attempt,
          labels: { ...cfg.labels },
          annotations: { ...cfg.annotations },
        },
      });
      return sid;
    },
    async stopPodSandbox(i) {
      calls.push(`stopPodSandbox ${i}`);
      const s = sandboxes.get(i);
      if (!s) return;
      for (const c of containers.values()) if (c.status.sandboxId === i) exit(c.status.id, 137, 'Error');
      s.status.state = 'notready';
    },
    async removePodSandbox(i) {
      calls.push(`removePodSandbox ${i}`);
      for (const [cid, c] of containers)
        if (c.status.sandboxId === i) {
          if (c.timer) clearTimeout(c.timer);
          containers.delete(cid);
        }
      sandboxes.delete(i);
    },
    async podSandboxStatus(i) {
      return clone(sb(i).status);
    },
    async listPodSandboxes(filter) {
      return [...sandboxes.values()].filter((s) => matches(s.status.labels, filter?.labels)).map((s) => clone(s.status));
    },

    async createContainer(sid, cfg) {
      sb(sid);
      if (!images.has(cfg.image)) throw new Error(`failed to resolve image "${cfg.image}": not found`);
      const cid = id('c');
      calls.push(`createContainer ${cfg.name} ${cfg.attempt}`);
      containers.set(cid, {
        cfg: clone(cfg),
        status: {
          id: cid,
          sandboxId: sid,
          name: cfg.name,
          attempt: cfg.attempt,
          state: 'created',
          createdAt: ns(),
          startedAt: 0,
          finishedAt: 0,
          exitCode: 0,
          reason: '',
          message: '',
          image: cfg.image,
          imageRef: images.get(cfg.image)?.id ?? '',
          labels: { ...cfg.labels },
          annotations: { ...cfg.annotations },
          logPath: cfg.logPath,
        },
      });
      return cid;
    },
    async startContainer(cid) {
      calls.push(`startContainer ${cid}`);
      const c = ct(cid);
      if (c.status.state !== 'created') throw new Error(`container is in CONTAINER_${c.status.state.toUpperCase()} state`);
      c.status.state = 'running';
      c.status.startedAt = ns();
      const rule = opts.autoExit?.(c.cfg);
      if (rule) {
        c.timer = setTimeout(() => exit(cid, rule.exitCode, rule.reason), rule.afterMs);
        c.timer.unref();
      }
    },
    async stopContainer(cid, timeout) {
      calls.push(`stopContainer ${cid} ${timeout}`);
      const c = containers.get(cid);
      if (c?.status.state === 'created') {
        c.status.state = 'exited';
        c.status.finishedAt = ns();
        return;
      }
      exit(cid, 143, 'Error');
    },
    async removeContainer(cid) {
      calls.push(`removeContainer ${cid}`);
      const c = containers.get(cid);
      if (c?.timer) clearTimeout(c.timer);
      containers.delete(cid);
    },
    async containerStatus(cid) {
      return clone(ct(cid).status);
    },
    async listContainers(filter) {
      return [...containers.values()]
        .filter((c) => (!filter?.sandboxId || c.status.sandboxId === filter.sandboxId) && matches(c.status.labels, filter?.labels))
        .map((c) => clone(c.status));
    },
    async updateContainerResources(cid: string, _r: ContainerResources) {
      ct(cid);
    },
    async reopenContainerLog(cid) {
      ct(cid);
    },

    async execSync(cid, cmd) {
      calls.push(`execSync ${cid} ${cmd.join(' ')}`);
      const c = ct(cid);
      if (c.status.state !== 'running') throw new Error('container is not running');
      return opts.exec ? opts.exec(c.cfg, cmd) : { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    },
    async exec(cid) {
      ct(cid);
      return `http://127.0.0.1:1/exec/${cid}`;
    },
    async attach(cid) {
      ct(cid);
      return `http://127.0.0.1:1/attach/${cid}`;
    },
    async portForward(sid) {
      sb(sid);
      return `http://127.0.0.1:1/portforward/${sid}`;
    },

    async pullImage(image, auth, sandbox) {
      calls.push(`pullImage ${image}`);
      pulls.push({ image, ...(auth ? { auth } : {}), ...(sandbox ? { runtimeHandler: sandbox.runtimeHandler } : {}) });
      const err = opts.failPull?.(image);
      if (err) throw new Error(err);
      addImage(image);
      return images.get(image)?.id ?? '';
    },
    async imageStatus(image) {
      const i = images.get(image);
      return i ? clone(i) : undefined;
    },
    async listImages() {
      return [...images.values()].map(clone);
    },
    async removeImage(image) {
      images.delete(image);
    },
    async listContainerStats(): Promise<ContainerStats[]> {
      return [];
    },
    async close() {
      for (const c of containers.values()) if (c.timer) clearTimeout(c.timer);
    },
  };
  return rt;
}
