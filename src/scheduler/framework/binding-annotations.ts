// Annotations that plugins contribute to the Binding (set in Reserve, read by the binder): the API
// server copies a Binding's annotations onto the pod in the same write that sets spec.nodeName, as
// upstream's pod storage does, so a decision made while scheduling reaches the node atomically with
// the placement (e.g. the isolation a Windows pod runs with).

import type { CycleState } from './cycle-state.js';

const KEY = 'framework/binding-annotations';

export function setBindingAnnotation(state: CycleState, key: string, value: string): void {
  let a = state.read<Record<string, string>>(KEY);
  if (!a) {
    a = {};
    state.write(KEY, a);
  }
  a[key] = value;
}

export function deleteBindingAnnotation(state: CycleState, key: string): void {
  const a = state.read<Record<string, string>>(KEY);
  if (a) delete a[key];
}

/** What the binder sends as the Binding's metadata.annotations; undefined when no plugin set any. */
export function bindingAnnotations(state: CycleState): Record<string, string> | undefined {
  const a = state.read<Record<string, string>>(KEY);
  return a && Object.keys(a).length > 0 ? { ...a } : undefined;
}
