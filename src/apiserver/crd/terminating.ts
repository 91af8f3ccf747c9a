// While a CustomResourceDefinition is being deleted its objects are being removed: new ones are
// refused (405, upstream's message) so the cleanup ends.

import { methodNotAllowed } from '../../base/errors.js';
import type { AdmissionPlugin } from '../admission/plugin.js';

export function refuseWhileTerminating(terminating: (group: string, plural: string) => boolean): AdmissionPlugin {
  return {
    name: 'CustomResourceTerminating',
    validate(r) {
      if (r.operation !== 'CREATE' || r.kind.group === '' || !r.kind.storageVersion) return;
      if (terminating(r.kind.group, r.kind.plural))
        throw methodNotAllowed('create not allowed while custom resource definition is terminating');
    },
  };
}
