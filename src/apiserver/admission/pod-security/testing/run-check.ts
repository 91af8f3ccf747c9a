// Test support for the check tests: runs one check's behaviour at a chosen policy version.

import assert from 'node:assert/strict';
import type { ObjectMeta, PodSpec } from '../../../../api/gen/types.js';
import type { Check, CheckResult } from '../check.js';

/** Runs the behaviour of `check` at policy version v1.`minor` (default: its newest). */
export function runCheck(check: Check, spec: Partial<PodSpec>, meta: ObjectMeta = {}, minor = 99): CheckResult {
  const v = check.versions.filter((x) => x.minimumVersion.minor <= minor).at(-1);
  assert.ok(v, `${check.id} has no behaviour at v1.${minor}`);
  return v.check(meta, { containers: [], ...spec });
}
