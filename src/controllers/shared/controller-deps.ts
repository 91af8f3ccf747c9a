// What every controller of src/controllers is started with, and what it hands back. Shared so that
// the wiring (src/cli) can start any controller the same way.

import type { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';

export interface ControllerDeps {
  client: RestClient;
  /** Shared informers: register handlers before the factory is started. */
  informers: InformerFactory;
  log: (line: string) => void;
  /** Events about what the controller does (none recorded when absent). */
  recorder?: EventRecorder;
  /** Wall-clock time in ms (Date.now by default); tests pass a fake. */
  now?: () => number;
  /** Concurrent workers (each controller has its own default). */
  workers?: number;
}

export interface RunningController {
  /** Resolves once the controller's informers have synced and its workers run. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}
