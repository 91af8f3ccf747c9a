export { prepareTestImages, buildBusyboxImage, buildPauseImage, loadOciArchive, defaultCacheDir, imageNames } from './prepare.js';
export type { TestImages, BuiltImage } from './prepare.js';
export { buildImage, ociArchive, deterministicGzip, sha256, MEDIA } from './oci.js';
export type { OciImage, ImageSpec, Descriptor, Blob } from './oci.js';
export { startRegistry, pushImage, freePort } from './registry.js';
export type { Registry } from './registry.js';
export { writeTar, readTarFiles } from './tar.js';
export type { TarEntry } from './tar.js';
export { measureRawCriStartup } from '../../src/agent/runtime/cri/measure-startup.js';
