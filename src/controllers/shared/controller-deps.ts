// What every controller of src/controllers is started with. Shared so that the wiring (src/cli)
// can start any controller the same way; what a controller hands back is a RunningController
// (run-controller.ts).

import type { Logger } from '../../base/log.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';

export interface ControllerDeps {
  client: RestClient;
  /** Shared informers: register handlers before the factory is started. */
  informers: InformerFactory;
  /** The controllers' logger; each controller logs through `log.child(<its name>)`. */
  log: Logger;
  /** Events about what the controller does (none recorded when absent). */
  recorder?: EventRecorder;
  /** Wall-clock time in ms (Date.now by default); tests pass a fake. */
  now?: () => number;
  /** Concurrent workers (each controller has its own default). */
  workers?: number;
}
