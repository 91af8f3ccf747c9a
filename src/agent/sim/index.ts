// Simulated nodes (`tandem sim`): the public surface of src/agent/sim.

export { startSimFleet } from './fleet.js';
export { parseSimArgs } from './args.js';
export { resolveSimKubeconfig } from './kubeconfig-path.js';
