// The public face of images for the CLI: archives imported into a node's stores, the sample image.
export { openImageArchive, type ImageArchive } from './image-archive.js';
export { importToContainerd, importToStore, type BlobProgress } from './image-import.js';
export { createImageStore, processImageRoot } from './image-store.js';
export { writeSampleArchive } from './sample-image.js';
export { BUSYBOX_HINT } from './rootfs.js';
