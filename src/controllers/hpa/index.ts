// The HorizontalPodAutoscaler controller: replicas from metrics.k8s.io, behaviour windows and policies.

export { startHpaController } from './hpa-controller.js';
export { hpaOptionsFromEnv } from './hpa-options.js';
