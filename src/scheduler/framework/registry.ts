// Name -> factory registry, as kube-scheduler's out-of-tree registry: profiles name plugins, the
// registry builds them.

import { badRequest } from '../../base/errors.js';
import type { Handle, Plugin, PluginFactory } from './interfaces.js';

export interface Registry {
  register(name: string, factory: PluginFactory): void;
  has(name: string): boolean;
  build(name: string, handle: Handle, args?: Record<string, unknown>): Plugin;
  names(): string[];
}

export function createRegistry(entries: Record<string, PluginFactory> = {}): Registry {
  const factories = new Map<string, PluginFactory>(Object.entries(entries));
  return {
    register(name, factory) {
      if (factories.has(name)) throw badRequest(`a plugin named ${name} already exists`);
      factories.set(name, factory);
    },
    has: (name) => factories.has(name),
    build(name, handle, args = {}) {
      const f = factories.get(name);
      if (!f) throw badRequest(`${name} does not exist`);
      return f(args, handle);
    },
    names: () => [...factories.keys()],
  };
}
