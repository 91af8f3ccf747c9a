// NodeRestriction for PersistentVolumes (a Tandem addition: upstream nodes never write volumes). A
// node may only take the tandem.dev/local-path-cleanup finalizer off a local-path volume made on
// that node, once it has removed the volume's directory; it creates and deletes no volumes and
// changes nothing else.

import { isDeepStrictEqual } from 'node:util';
import type { PersistentVolume } from '../../api/gen/types.js';
import type { AnyObject } from '../../api/object.js';
import { ANN_SELECTED_NODE, FINALIZER_LOCAL_PATH_CLEANUP } from '../../api/storage/well-known.js';

/** Why the write is refused, or undefined when it is allowed. */
export function volumeWriteRefusal(
  node: string,
  operation: string,
  object: AnyObject | undefined,
  old: AnyObject | undefined,
): string | undefined {
  if (operation !== 'UPDATE' || !object || !old) return `node "${node}" may only update persistentvolumes`;
  const pv = old as unknown as PersistentVolume;
  if (pv.metadata.annotations?.[ANN_SELECTED_NODE] !== node) return `node "${node}" may only update local-path volumes of its own`;
  const strip = (o: AnyObject) => {
    const { resourceVersion: _rv, managedFields: _mf, finalizers: _f, ...metadata } = o.metadata;
    return { ...o, metadata };
  };
  if (!isDeepStrictEqual(strip(object), strip(old))) return `node "${node}" may only remove the ${FINALIZER_LOCAL_PATH_CLEANUP} finalizer`;
  const before = (old.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_LOCAL_PATH_CLEANUP);
  if (!isDeepStrictEqual(object.metadata.finalizers ?? [], before))
    return `node "${node}" may only remove the ${FINALIZER_LOCAL_PATH_CLEANUP} finalizer`;
  return undefined;
}
