// Admission plugins that need to know who asks (node restriction, pod security, service accounts,
// RBAC escalation checks): one interface, run in a fixed order by every write path (create, update,
// patch, apply, status, delete) after the object is defaulted and validated and before it is stored.
// Mutating plugins run first; when one changes the object it is validated again.

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import type { UserInfo } from '../auth/user.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  kind: KindDef;
  /** `status` for a status update; undefined for the main resource */
  subresource: string | undefined;
  namespace: string | undefined;
  name: string;
  /** the new object (CREATE, UPDATE); mutating plugins may change it in place */
  object: AnyObject | undefined;
  /** the stored object (UPDATE, DELETE) */
  oldObject: AnyObject | undefined;
  user: UserInfo;
  dryRun: boolean;
  /** adds a `Warning` header to the answer (kubectl prints it) */
  warn(text: string): void;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** May change `object`; returns true when it did (the object is then validated again). */
  mutate?(r: AdmissionRequest): boolean | Promise<boolean>;
  /** Refuses by throwing a StatusError (403 Forbidden or 422 Invalid, as upstream's plugin does). */
  validate?(r: AdmissionRequest): void | Promise<void>;
}

/** Runs every plugin's mutate, then every plugin's validate; true when some plugin changed the object. */
export async function runAdmissionPlugins(plugins: readonly AdmissionPlugin[], r: AdmissionRequest): Promise<boolean> {
  let changed = false;
  for (const p of plugins) if (p.mutate && (await p.mutate(r))) changed = true;
  for (const p of plugins) if (p.validate) await p.validate(r);
  return changed;
}
