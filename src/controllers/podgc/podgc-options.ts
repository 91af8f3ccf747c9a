// The pod garbage collector's settings from the environment, for tests and small clusters that
// cannot wait upstream's 20 s period and 40 s quarantine. A bad value is reported by name and the
// default kept: the controllers start inside the leader election, where a throw would stop nothing
// cleanly.

import type { Logger } from '../../base/log.js';
import { DEFAULT_GC_CHECK_PERIOD_MS, DEFAULT_QUARANTINE_MS, DEFAULT_TERMINATED_POD_GC_THRESHOLD } from './podgc-decide.js';
import type { PodGcOptions } from './podgc-controller.js';

interface Setting {
  env: string;
  option: keyof PodGcOptions;
  min: number;
  fallback: number;
}

const SETTINGS: readonly Setting[] = [
  { env: 'TANDEM_POD_GC_PERIOD_MS', option: 'gcCheckPeriodMs', min: 1, fallback: DEFAULT_GC_CHECK_PERIOD_MS },
  { env: 'TANDEM_POD_GC_QUARANTINE_MS', option: 'quarantineMs', min: 0, fallback: DEFAULT_QUARANTINE_MS },
  { env: 'TANDEM_TERMINATED_POD_GC_THRESHOLD', option: 'terminatedPodGcThreshold', min: 0, fallback: DEFAULT_TERMINATED_POD_GC_THRESHOLD },
];

/** The options the environment sets; unset variables leave the defaults. */
export function podGcOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, log: Logger): PodGcOptions {
  const out: PodGcOptions = {};
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw === undefined || raw.trim() === '') continue;
    const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < s.min) {
      log.error(`${s.env} must be a whole number of at least ${s.min}; ignored, the default applies`, { value: raw, default: s.fallback });
      continue;
    }
    out[s.option] = n;
  }
  return out;
}
