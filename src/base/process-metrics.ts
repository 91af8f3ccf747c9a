// The standard process metrics of every Prometheus client (process_cpu_seconds_total,
// process_resident_memory_bytes, process_start_time_seconds), read from Node at each scrape, so
// that a scrape shows what the process costs beside what it does.

import type { Registry } from './metrics.js';

const registered = new WeakSet<Registry>();

export function registerProcessMetrics(registry: Registry): void {
  if (registered.has(registry)) return;
  registered.add(registry);
  const cpu = registry.counter({ name: 'process_cpu_seconds_total', help: 'User and system CPU time of this process, in seconds.' });
  const rss = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory of this process, in bytes.' });
  const heap = registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: "Bytes in use in the JavaScript heap of this process's main realm.",
  });
  const start = registry.gauge({ name: 'process_start_time_seconds', help: 'When this process started, in seconds since the Unix epoch.' });
  start.labels().set(Math.round((Date.now() - process.uptime() * 1000) / 10) / 100);
  cpu.onCollect(() => {
    const u = process.cpuUsage();
    cpu.labels().value = (u.user + u.system) / 1e6;
  });
  rss.onCollect(() => rss.labels().set(process.memoryUsage.rss()));
  heap.onCollect(() => heap.labels().set(process.memoryUsage().heapUsed));
}
