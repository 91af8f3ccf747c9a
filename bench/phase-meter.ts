// Benchmark phases: wall time, the server child's CPU seconds and the load generator's own CPU,
// on the monotonic clock that V8 CPU profiles use (so a profile can be cut per phase).

import { cpuUsage } from 'node:process';
import type { ServerProc } from './server-proc.js';
import { fmt } from './stats.js';

export interface PhaseStat {
  name: string;
  fromUs: number;
  toUs: number;
  wallS: number;
  /** CPU seconds of the server child during the phase */
  serverCpuS: number;
  /** CPU seconds of this (load generator) process during the phase */
  clientCpuS: number;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export interface PhaseMeter {
  phases: PhaseStat[];
  run<T>(name: string, server: ServerProc | undefined, f: () => Promise<T>): Promise<T>;
  get(name: string): PhaseStat | undefined;
}

export function createPhaseMeter(): PhaseMeter {
  const phases: PhaseStat[] = [];
  return {
    phases,
    async run(name, server, f) {
      const fromUs = nowUs();
      const s0 = server?.cpuSeconds() ?? Number.NaN;
      const c0 = cpuUsage();
      try {
        return await f();
      } finally {
        const toUs = nowUs();
        const c = cpuUsage(c0);
        phases.push({
          name,
          fromUs,
          toUs,
          wallS: (toUs - fromUs) / 1e6,
          serverCpuS: (server?.cpuSeconds() ?? Number.NaN) - s0,
          clientCpuS: (c.user + c.system) / 1e6,
        });
      }
    },
    get: (name) => phases.find((p) => p.name === name),
  };
}

/** "server 0.93 ms CPU/op (97% of a core), client 45%" */
export function cpuNote(p: PhaseStat | undefined, ops: number): string {
  if (!p || !Number.isFinite(p.serverCpuS)) return '';
  const per = ops > 0 ? `${fmt((1000 * p.serverCpuS) / ops)} ms CPU/op, ` : '';
  return `server ${per}${fmt((100 * p.serverCpuS) / p.wallS, 0)}% of a core; client ${fmt((100 * p.clientCpuS) / p.wallS, 0)}%`;
}
