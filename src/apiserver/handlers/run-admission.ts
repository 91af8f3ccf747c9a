// The admission plugins of a request scope, run for one write: a changed object is validated again.

import type { AnyObject } from '../../api/object.js';
import { runAdmissionPlugins, type AdmissionOperation } from '../admission/plugin.js';
import { addWarning } from '../http/respond.js';
import { validateObject } from '../registry/validate.js';
import type { RequestScope } from './context.js';

export async function admitWithPlugins(
  s: RequestScope,
  operation: AdmissionOperation,
  object: AnyObject | undefined,
  oldObject: AnyObject | undefined,
  dryRun: boolean,
  subresource = s.info.subresource,
): Promise<void> {
  const plugins = s.ctx.admissionPlugins;
  if (plugins.length === 0) return;
  const meta = (object ?? oldObject)?.metadata;
  const changed = await runAdmissionPlugins(plugins, {
    operation,
    kind: s.kind,
    subresource,
    namespace: meta?.namespace ?? s.info.namespace,
    name: meta?.name ?? s.info.name ?? '',
    object,
    oldObject,
    user: s.user,
    dryRun,
    warn: (w) => addWarning(s.res, w),
  });
  if (changed && object && subresource === undefined) validateObject(s.kind, object, oldObject);
}
