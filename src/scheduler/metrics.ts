// The scheduler's metrics under upstream's names: attempts and their durations by result and
// profile, and the pods waiting in each part of the scheduling queue (read when /metrics is).

import { defaultRegistry, exponentialBuckets, type Registry } from '../base/metrics.js';

type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export interface SchedulerMetrics {
  /** an attempt that began at `t0` (performance.now()) ended with `result` */
  attempt(result: AttemptResult, t0: number): void;
  /** stops reading this scheduler's queue sizes (it stopped) */
  close(): void;
}

export function createSchedulerMetrics(
  profile: string,
  sizes: () => { active: number; backoff: number; unschedulable: number; parked: number },
  registry: Registry = defaultRegistry,
): SchedulerMetrics {
  const labelNames = ['result', 'profile'];
  const attempts = registry.counter({
    name: 'scheduler_schedule_attempts_total',
    help: "Scheduling attempts by result: 'unschedulable' when no node fits the pod, 'error' when something went wrong inside the scheduler or its binding.",
    labelNames,
  });
  const durations = registry.histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Seconds a scheduling attempt took, from taking the pod off the queue to the end of its binding or failure.',
    labelNames,
    buckets: exponentialBuckets(0.001, 2, 15),
  });
  const pending = registry.gauge({
    name: 'scheduler_pending_pods',
    help: "Pods waiting to be scheduled, by queue: 'active' ready for an attempt, 'backoff' waiting out a backoff after a failure, 'unschedulable' waiting for a change in the cluster (or an external event), 'gated' held by scheduling gates.",
    labelNames: ['queue'],
  });
  const children = {
    scheduled: [attempts.labels('scheduled', profile), durations.labels('scheduled', profile)],
    unschedulable: [attempts.labels('unschedulable', profile), durations.labels('unschedulable', profile)],
    error: [attempts.labels('error', profile), durations.labels('error', profile)],
  } as const;
  const stopCollecting = pending.onCollect(() => {
    const s = sizes();
    pending.labels('active').set(s.active);
    pending.labels('backoff').set(s.backoff);
    // pods a plugin parked until an external event are unschedulable ones to upstream
    pending.labels('unschedulable').set(s.unschedulable + s.parked);
    // this scheduler does not hold pods back by spec.schedulingGates (yet): none is gated
    pending.labels('gated').set(0);
  });
  return {
    attempt(result, t0) {
      const [c, h] = children[result];
      c.inc();
      h.observe((performance.now() - t0) / 1000);
    },
    close: stopCollecting,
  };
}
