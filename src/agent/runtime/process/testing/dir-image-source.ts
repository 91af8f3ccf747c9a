// An ImageSource for process runtime tests: images are local directories plus an image config;
// "pull" marks one as stored, "unpack" copies its directory. No registry, no layers.

import { createHash } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import type { ImageSource, ProcessImageConfig, PulledImage } from '../../../images/image-source.js';
import { RuntimeNotFoundError } from '../../runtime.js';

export interface DirImage {
  dir: string;
  config?: Partial<ProcessImageConfig>;
}

export interface DirImageSource extends ImageSource {
  pulls: string[];
}

const normalize = (ref: string) => (/:[^/]+$/.test(ref) || ref.includes('@') ? ref : `${ref}:latest`);

export function createDirImageSource(images: Record<string, DirImage>, os = 'linux'): DirImageSource {
  const stored = new Map<string, PulledImage>();
  const describe = (ref: string): PulledImage | undefined => {
    const img = images[normalize(ref)] ?? images[ref];
    if (!img) return undefined;
    const digest = `sha256:${createHash('sha256').update(normalize(ref)).digest('hex')}`;
    const repo = normalize(ref).replace(/:[^/:]+$/, '');
    return {
      id: digest,
      repoTags: [normalize(ref)],
      repoDigests: [`${repo}@${digest}`],
      size: 1,
      ref: `${repo}@${digest}`,
      config: { entrypoint: [], cmd: [], env: [], workingDir: '', os, architecture: 'amd64', ...img.config },
    };
  };
  const find = (ref: string) => stored.get(normalize(ref)) ?? [...stored.values()].find((p) => p.ref === ref || p.id === ref);
  return {
    pulls: [],
    async pull(image) {
      const p = describe(image);
      if (!p) throw new Error(`image ${image} not found in the test image directory`);
      this.pulls.push(image);
      stored.set(normalize(image), p);
      return p;
    },
    async status(image) {
      return find(image);
    },
    async list() {
      return [...stored.values()];
    },
    async remove(image) {
      const p = find(image);
      if (!p) throw new RuntimeNotFoundError(`image ${image} not found`);
      for (const [k, v] of stored) if (v === p) stored.delete(k);
    },
    async unpack(image, dir) {
      const p = find(image);
      const img = images[normalize(image)] ?? images[image];
      if (!p || !img) throw new RuntimeNotFoundError(`image ${image} is not stored`);
      await mkdir(dir, { recursive: true });
      await cp(img.dir, dir, { recursive: true });
      return p;
    },
  };
}
