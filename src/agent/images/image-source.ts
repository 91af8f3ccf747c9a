// What the native process runtime (runtime/process) needs from images: pulled from an OCI registry
// for this node's platform, kept in a local content store, and unpacked into a directory per
// container. The registry client lives in client/registry (layer 1); images/image-store.ts
// implements this interface over it; tests use a fake.

import type { AuthConfig, ImageInfo } from '../runtime/runtime.js';

/** The platform an image must have a manifest for (OCI platform fields). */
export interface ImagePlatform {
  /** `linux` | `windows` */
  os: string;
  /** Go arch: `amd64`, `arm64` */
  architecture: string;
  /** e.g. `v8` for arm64; only compared when given */
  variant?: string;
  /** Windows: the host's version, e.g. `10.0.20348.2700`; an image's `os.version` must share its major.minor.build */
  osVersion?: string;
}

/** The parts of an image config a process needs (OCI image config `config`). */
export interface ProcessImageConfig {
  entrypoint: string[];
  cmd: string[];
  /** `KEY=value` */
  env: string[];
  workingDir: string;
  os: string;
  architecture: string;
  osVersion?: string;
}

export interface PulledImage extends ImageInfo {
  /** `<repo>@sha256:<manifest digest>`: what a container records as its imageRef */
  ref: string;
  config: ProcessImageConfig;
}

/** The image has no manifest for the node's platform; the message names what it has and what is needed. */
export class NoMatchingPlatformError extends Error {
  constructor(
    message: string,
    readonly available: ImagePlatform[],
    readonly wanted: ImagePlatform,
  ) {
    super(message);
    this.name = 'NoMatchingPlatformError';
  }
}

export interface ImageSource {
  /** Fetches the image for the node's platform (resolving its tag anew) and stores its blobs. */
  pull(image: string, auth?: AuthConfig): Promise<PulledImage>;
  /** The stored image a reference (tag, digest or imageRef) names, without touching the registry. */
  status(image: string): Promise<PulledImage | undefined>;
  list(): Promise<PulledImage[]>;
  /** Forgets the reference; blobs no kept image uses are removed by the next garbage collection. */
  remove(image: string): Promise<void>;
  /** Unpacks a stored image's layers into `dir` (created; Windows layers' `Files/` at its root; whiteouts applied). */
  unpack(image: string, dir: string): Promise<PulledImage>;
}
