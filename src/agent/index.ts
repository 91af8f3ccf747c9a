// The public face of the node agent.

export { startAgent, type Agent } from './agent.js';
export { waitForPodCidr } from './node/node-agent.js';
export { createRuntimeRouter, type Runtime } from './runtime/index.js';
export { bridgeName, createHostPlatform, hostUnavailableReason } from './platform/index.js';
export { ensurePauseArchive, PAUSE_IMAGE } from './images/pause-image.js';
export { createImageStore, processImageRoot } from './images/image-store.js';
export { defaultSecretMedium } from './volumes/secret-medium.js';
