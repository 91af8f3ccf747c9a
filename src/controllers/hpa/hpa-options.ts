// The HPA controller's timing from the environment, for tests and small clusters that cannot wait
// upstream's 15 s sync period and 5 min scale-down window (upstream's flags
// --horizontal-pod-autoscaler-sync-period and --horizontal-pod-autoscaler-downscale-stabilization).
// A bad value is reported by name and the default kept.

import type { Logger } from '../../base/log.js';

export interface HpaOptions {
  /** how often each HPA is reconciled (15 s) */
  syncPeriodMs?: number;
  /** the scale-down stabilization window for HPAs that set none (300 s) */
  downscaleStabilizationMs?: number;
}

const SETTINGS: ReadonlyArray<[string, keyof HpaOptions, number]> = [
  ['TANDEM_HPA_SYNC_PERIOD_MS', 'syncPeriodMs', 1],
  ['TANDEM_HPA_DOWNSCALE_STABILIZATION_MS', 'downscaleStabilizationMs', 0],
];

export function hpaOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, log: Logger): HpaOptions {
  const out: HpaOptions = {};
  for (const [name, option, min] of SETTINGS) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      log.error(`${name} must be a whole number of milliseconds of at least ${min}; ignored, the default applies`, { value: raw });
      continue;
    }
    out[option] = n;
  }
  return out;
}
