// TEMPORARY until the SSA engine lands: managed fields are not tracked yet.
import type { KindDef } from '../../api/kind.js';
import type { Json, KubeObject } from '../../api/object.js';
import { applyMergePatch } from '../patch/merge-patch.js';

export function trackWrite(_kind: KindDef, _old: KubeObject | undefined, _next: KubeObject, _manager: string, _op: 'Update' | 'Apply', _sub: string | undefined, _now: number): void {}

export function serverSideApply(_kind: KindDef, live: KubeObject | undefined, applied: KubeObject, _manager: string, _force: boolean, _now: number, _sub?: string): KubeObject {
  return applyMergePatch((live ?? {}) as unknown as Json, applied as unknown as Json) as unknown as KubeObject;
}
