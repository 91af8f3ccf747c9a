// The ephemeral volume controller: a claim per generic ephemeral volume, owned by its pod.

export { startEphemeralVolumeController } from './ephemeral-volume-controller.js';
