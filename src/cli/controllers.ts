// The control loops that run inside `tandem server` / `tandem up`.

import type { RestClient } from '../client/rest-client.js';
import { startGarbageCollector, startNamespaceController } from '../controllers/index.js';

export interface Controllers {
  /** Resolves once every controller has synced its caches (for tests and readiness). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export function startControllers(client: RestClient, log: (l: string) => void): Controllers {
  const running = [
    startNamespaceController(client, { log }),
    startGarbageCollector(client, { log }),
  ];
  return {
    async ready() { await Promise.all(running.map((c) => c.ready())); },
    async stop() { await Promise.all(running.map((c) => c.stop())); },
  };
}
