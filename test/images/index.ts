export { prepareTestImages, buildBusyboxImage, buildPauseImage, loadOciArchive, defaultCacheDir, imageNames } from './prepare.js';
export type { TestImages, BuiltImage } from './prepare.js';
export { buildImage, ociArchive, deterministicGzip, sha256, MEDIA } from '../../src/agent/images/oci.js';
export type { OciImage, ImageSpec, Descriptor, Blob } from '../../src/agent/images/oci.js';
export { startRegistry, pushImage, freePort } from './registry.js';
export type { Registry } from './registry.js';
export { writeTar, readTarFiles } from '../../src/agent/images/tar.js';
export type { TarEntry } from '../../src/agent/images/tar.js';
export { measureRawCriStartup } from '../../src/agent/runtime/cri/measure-startup.js';
