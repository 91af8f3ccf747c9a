// The files below a data dir whose names a check cares about (keys, certificates, logs), down to a
// depth, leaving out the folders that hold what is not Tandem's own (pods' volumes, images).

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders of pods and images: their files belong to workloads, not to Tandem's own state. */
const WORKLOAD_DIRS: readonly string[] = ['pods', 'images', 'containerd', 'logs', 'volumes'];

export function findFiles(
  dir: string,
  depth: number,
  wanted: (name: string) => boolean,
  skip: readonly string[] = WORKLOAD_DIRS,
): string[] {
  const out: string[] = [];
  const walk = (d: string, left: number) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory() && left > 0 && !skip.includes(n)) walk(p, left - 1);
      else if (st.isFile() && wanted(n)) out.push(p);
    }
  };
  walk(dir, depth);
  return out;
}
