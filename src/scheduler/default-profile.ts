// The in-tree registry and the default profile: which plugins run, in which order, with which score
// weights (upstream's defaults where upstream has the plugin).

import { createRegistry, type Registry } from './framework/registry.js';
import type { Profile } from './framework/framework.js';
import type { PluginFactory } from './framework/interfaces.js';
import * as defaultBinder from './plugins/default-binder/default-binder.js';
import * as defaultPreemption from './plugins/default-preemption/default-preemption.js';
import * as interPodAffinity from './plugins/inter-pod-affinity/inter-pod-affinity.js';
import * as nodeAffinity from './plugins/node-affinity/node-affinity.js';
import * as nodeName from './plugins/node-name/node-name.js';
import * as nodeOS from './plugins/node-os/node-os.js';
import * as nodePorts from './plugins/node-ports/node-ports.js';
import * as balanced from './plugins/node-resources-balanced-allocation/node-resources-balanced-allocation.js';
import * as fit from './plugins/node-resources-fit/node-resources-fit.js';
import * as nodeRuntimeHandler from './plugins/node-runtime-handler/node-runtime-handler.js';
import * as nodeUnschedulable from './plugins/node-unschedulable/node-unschedulable.js';
import * as podTopologySpread from './plugins/pod-topology-spread/pod-topology-spread.js';
import * as runtimeClass from './plugins/runtime-class/runtime-class.js';
import * as taintToleration from './plugins/taint-toleration/taint-toleration.js';
import * as windowsIsolation from './plugins/windows-isolation/windows-isolation.js';
import * as volumeBinding from './plugins/volume-binding/volume-binding.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

const modules: Array<{ NAME: string; create: PluginFactory }> = [
  runtimeClass,
  nodeOS,
  nodeRuntimeHandler,
  windowsIsolation,
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  fit,
  podTopologySpread,
  interPodAffinity,
  balanced,
  volumeBinding,
  defaultBinder,
  defaultPreemption,
];

export function createDefaultRegistry(): Registry {
  return createRegistry(Object.fromEntries(modules.map((m) => [m.NAME, m.create])));
}

/** Filter order: cheap, unresolvable checks first; the upstream-message plugins before Tandem's own. */
export function defaultProfile(): Profile {
  return {
    schedulerName: DEFAULT_SCHEDULER_NAME,
    plugins: [
      { name: runtimeClass.NAME },
      { name: nodeUnschedulable.NAME },
      { name: nodeName.NAME },
      { name: taintToleration.NAME, weight: 3 },
      { name: nodeAffinity.NAME, weight: 2 },
      { name: nodeOS.NAME },
      { name: nodeRuntimeHandler.NAME },
      { name: windowsIsolation.NAME, weight: 2 },
      { name: nodePorts.NAME },
      { name: fit.NAME, weight: 1 },
      { name: podTopologySpread.NAME, weight: 2 },
      { name: interPodAffinity.NAME, weight: 2 },
      { name: balanced.NAME, weight: 1 },
      { name: volumeBinding.NAME },
      { name: defaultBinder.NAME },
      // PostFilter: after every plugin that explains a failure
      { name: defaultPreemption.NAME },
    ],
  };
}
