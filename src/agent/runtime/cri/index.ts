export { createCriRuntime } from './cri-runtime.js';
export type { CriRuntime } from './cri-runtime.js';
