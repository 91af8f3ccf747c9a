// The disruption controller: PodDisruptionBudget status for the eviction subresource to spend.

export { startDisruptionController } from './disruption-controller.js';
