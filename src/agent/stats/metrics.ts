// Prometheus text for the agent's /metrics: per-container and per-pod CPU seconds and memory working
// set, and the node's, computed from the stats summary on every scrape (own registry, not the global).

import { Gauge, Registry } from 'prom-client';
import type { StatsProvider } from './summary.js';

export interface AgentMetrics {
  contentType: string;
  render(): Promise<string>;
}

export function createAgentMetrics(stats: StatsProvider): AgentMetrics {
  const registry = new Registry();
  const cLabels = ['namespace', 'pod', 'container'] as const;
  const pLabels = ['namespace', 'pod'] as const;
  const containerCpu = new Gauge({
    name: 'container_cpu_usage_seconds_total',
    help: 'Cumulative CPU time of the container in core-seconds',
    labelNames: cLabels,
    registers: [registry],
  });
  const containerMem = new Gauge({
    name: 'container_memory_working_set_bytes',
    help: 'Current working set of the container in bytes',
    labelNames: cLabels,
    registers: [registry],
  });
  const podCpu = new Gauge({
    name: 'pod_cpu_usage_seconds_total',
    help: 'Cumulative CPU time of the pod in core-seconds',
    labelNames: pLabels,
    registers: [registry],
  });
  const podMem = new Gauge({
    name: 'pod_memory_working_set_bytes',
    help: 'Current working set of the pod in bytes',
    labelNames: pLabels,
    registers: [registry],
  });
  const nodeCpu = new Gauge({
    name: 'node_cpu_usage_seconds_total',
    help: 'Cumulative CPU time of the node in core-seconds',
    registers: [registry],
  });
  const nodeMem = new Gauge({
    name: 'node_memory_working_set_bytes',
    help: 'Current working set of the node in bytes',
    registers: [registry],
  });
  return {
    contentType: registry.contentType,
    async render() {
      const s = await stats.summary();
      for (const g of [containerCpu, containerMem, podCpu, podMem]) g.reset();
      nodeCpu.set(s.node.cpu.usageCoreNanoSeconds / 1e9);
      nodeMem.set(s.node.memory.workingSetBytes);
      for (const p of s.pods) {
        const pl = { namespace: p.podRef.namespace, pod: p.podRef.name };
        podCpu.set(pl, p.cpu.usageCoreNanoSeconds / 1e9);
        podMem.set(pl, p.memory.workingSetBytes);
        for (const c of p.containers) {
          const cl = { ...pl, container: c.name };
          containerCpu.set(cl, c.cpu.usageCoreNanoSeconds / 1e9);
          containerMem.set(cl, c.memory.workingSetBytes);
        }
      }
      return registry.metrics();
    },
  };
}
