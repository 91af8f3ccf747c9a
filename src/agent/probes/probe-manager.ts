// Probe workers, one per running container and probe kind: the first run after
// initialDelaySeconds from the container's start, then every periodSeconds. Liveness and readiness
// wait for the startup probe to pass. Verdict changes are reported to the pod workers.

import type { Container, Probe } from '../../api/gen/types.js';
import type { Clock } from '../../base/clock.js';
import type { Runtime } from '../runtime/runtime.js';
import { runHandler, type ProbeOutcome } from './probe-handler.js';
import { createProbeTracker, type ProbeKind, type ProbeTracker } from './probe-tracker.js';

interface ProbeEvent {
  podUid: string;
  containerId: string;
  container: string;
  kind: ProbeKind;
  ok: boolean;
  output: string;
}

export interface ProbeManagerOptions {
  runtime: Runtime;
  clock: Clock;
  /** a verdict changed (pod needs a status update; a liveness failure needs a restart) */
  onChange: (podUid: string) => void;
  /** every failed probe run (for Unhealthy events) */
  onFailure?: (e: ProbeEvent) => void;
  /** test hook: runs the probe instead of the real handler */
  run?: (probe: Probe, target: { containerId: string; container: Container; host: string }) => Promise<ProbeOutcome>;
}

interface ContainerProbeState {
  ready: boolean;
  started: boolean;
  livenessFailed: boolean;
}

interface Worker {
  tracker: ProbeTracker;
  cancel: () => void;
  busy: boolean;
}
interface Entry {
  podUid: string;
  workers: Map<ProbeKind, Worker>;
}

export interface ProbeManager {
  /** Starts the probe workers of a running container (once per container ID). */
  ensure(podUid: string, containerId: string, c: Container, host: string, startedAtMs: number): void;
  state(containerId: string, c: Container): ContainerProbeState;
  /** Stops probing containers of the pod that are not in `keep`. */
  prune(podUid: string, keep: ReadonlySet<string>): void;
  stop(): void;
}

export function createProbeManager(o: ProbeManagerOptions): ProbeManager {
  const entries = new Map<string, Entry>();

  function startWorker(
    e: Entry,
    containerId: string,
    c: Container,
    kind: ProbeKind,
    probe: Probe,
    host: string,
    startedAtMs: number,
  ): void {
    const tracker = createProbeTracker(kind, kind === 'readiness' ? (probe.successThreshold ?? 1) : 1, probe.failureThreshold ?? 3);
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const w: Worker = { tracker, cancel: () => {}, busy: false };
    const tick = async () => {
      w.cancel = o.clock.schedule(() => void tick(), period);
      if (w.busy) return;
      if (kind !== 'startup') {
        const startup = e.workers.get('startup');
        if (startup && !startup.tracker.result()) return;
      }
      if (kind === 'startup' && tracker.result()) return;
      w.busy = true;
      try {
        const target = { containerId, container: c, host };
        const out = o.run
          ? await o.run(probe, target)
          : await runHandler(probe, { ...target, runtime: o.runtime, timeoutSeconds: probe.timeoutSeconds ?? 1 });
        if (!entries.has(containerId)) return;
        if (!out.ok) o.onFailure?.({ podUid: e.podUid, containerId, container: c.name, kind, ok: false, output: out.output });
        if (tracker.observe(out.ok)) o.onChange(e.podUid);
      } finally {
        w.busy = false;
      }
    };
    const delay = Math.max(0, startedAtMs + (probe.initialDelaySeconds ?? 0) * 1000 - o.clock.now());
    w.cancel = o.clock.schedule(() => void tick(), delay);
    e.workers.set(kind, w);
  }

  const stopEntry = (e: Entry) => {
    for (const w of e.workers.values()) w.cancel();
  };

  return {
    ensure(podUid, containerId, c, host, startedAtMs) {
      if (entries.has(containerId)) return;
      const e: Entry = { podUid, workers: new Map() };
      entries.set(containerId, e);
      if (c.startupProbe) startWorker(e, containerId, c, 'startup', c.startupProbe, host, startedAtMs);
      if (c.livenessProbe) startWorker(e, containerId, c, 'liveness', c.livenessProbe, host, startedAtMs);
      if (c.readinessProbe) startWorker(e, containerId, c, 'readiness', c.readinessProbe, host, startedAtMs);
    },
    state(containerId, c) {
      const e = entries.get(containerId);
      const r = (k: ProbeKind, dflt: boolean) => e?.workers.get(k)?.tracker.result() ?? dflt;
      const started = c.startupProbe ? r('startup', false) : true;
      return {
        started,
        ready: started && (c.readinessProbe ? r('readiness', false) : true),
        livenessFailed: !!c.livenessProbe && !r('liveness', true),
      };
    },
    prune(podUid, keep) {
      for (const [id, e] of entries)
        if (e.podUid === podUid && !keep.has(id)) {
          stopEntry(e);
          entries.delete(id);
        }
    },
    stop() {
      for (const e of entries.values()) stopEntry(e);
      entries.clear();
    },
  };
}
