// The PersistentVolume binder: claims to volumes, phases, reclaim, protection finalizers.

export { startPersistentVolumeController } from './pv-controller.js';
