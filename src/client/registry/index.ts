// The OCI registry client: references, the distribution API with auth, platform choice, and a
// verified content store with a reference index.
export { createImageCache, type CachedImage, type ImageCache } from './image-cache.js';
export { PlatformMismatchError } from './platform.js';
export type { ContentStore } from './content-store.js';
export { createImageFacts } from './image-facts.js';
