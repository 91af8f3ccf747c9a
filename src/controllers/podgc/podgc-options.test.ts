import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../base/log.js';
import { podGcOptionsFromEnv } from './podgc-options.js';

test('pod GC settings from the environment: unset keeps defaults, bad values are named and ignored', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), level: 'debug' });
  assert.deepEqual(podGcOptionsFromEnv({}, log), {});
  assert.deepEqual(
    podGcOptionsFromEnv(
      { TANDEM_POD_GC_PERIOD_MS: '250', TANDEM_POD_GC_QUARANTINE_MS: '0', TANDEM_TERMINATED_POD_GC_THRESHOLD: ' 0 ' },
      log,
    ),
    { gcCheckPeriodMs: 250, quarantineMs: 0, terminatedPodGcThreshold: 0 },
  );
  assert.deepEqual(lines, []);
  const bad = podGcOptionsFromEnv(
    { TANDEM_POD_GC_PERIOD_MS: '0', TANDEM_POD_GC_QUARANTINE_MS: '40s', TANDEM_TERMINATED_POD_GC_THRESHOLD: '-1' },
    log,
  );
  assert.deepEqual(bad, {});
  assert.equal(lines.length, 3);
  assert.match(
    lines[0] ?? '',
    /^error TANDEM_POD_GC_PERIOD_MS must be a whole number of at least 1; ignored, the default applies value=0 default=20000$/,
  );
  assert.match(lines[1] ?? '', /TANDEM_POD_GC_QUARANTINE_MS .* value=40s default=40000/);
  assert.match(lines[2] ?? '', /TANDEM_TERMINATED_POD_GC_THRESHOLD .* value=-1 default=12500/);
});
