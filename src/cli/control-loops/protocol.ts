// The messages between `tandem server` and its control-loop host (a worker thread or a child
// process running the scheduler and the controllers): the host's configuration, and what each side
// tells the other. Every value is structured-cloneable (worker postMessage, and the child's IPC
// channel with `serialization: 'advanced'`), and nothing secret ever goes through argv.

import type { LogFields, LogLevel } from '../../base/log.js';

/** Where and how the host's controllers run: thread (a worker), process (a child), inline (the server's own event loop). */
export type ControlLoopsMode = 'thread' | 'process' | 'inline';

/** Where the control loops run when no flag says (chosen by measurement: docs/architecture.md). */
export const DEFAULT_CONTROL_LOOPS: ControlLoopsMode = 'thread';

/** Who the host's clients are: the controller manager's shared client, and one token per component. */
export const CONTROLLER_MANAGER = 'controller-manager';

export interface HostConfig {
  /** the API server as the host reaches it: its URL and CA, and the Unix socket when there is one */
  server: string;
  caPem: string;
  socketPath?: string;
  /** a bearer token per component name (and CONTROLLER_MANAGER), minted by the server for this process's life */
  tokens: Record<string, string>;
  /** the leader Lease holder identity, kept across host restarts so a new host takes the Lease back at once */
  identity: string;
  only?: string[];
  leaseDurationSeconds?: number;
  nodeIpam?: { clusterCidr?: string; nodeCidrMaskSize?: number };
  insecureRegistries?: string[];
  rootCaPem?: string;
  /** the cluster CA the CSR signer signs with */
  ca?: { certPem: string; keyPem: string };
  /** where the host serves the control loops' /metrics (and with which certificate) */
  metrics?: { listen: string; tls: { cert: string; key: string } };
  /** the lowest level the host sends (the server's logger filters again) */
  logLevel: LogLevel;
}

/** What the server tells the host. `crash` is a test hook: the host throws an uncaught exception. */
export type ToHost = { t: 'config'; config: HostConfig } | { t: 'stop' } | { t: 'crash' };

/** What the host tells the server. */
export type FromHost =
  | { t: 'log'; level: LogLevel; component: string; msg: string; fields?: LogFields }
  | { t: 'leader'; leading: boolean }
  | { t: 'ready' }
  | { t: 'stopped' };

/** A message from the other side, checked just enough to switch on it. */
export function isMessage<T extends { t: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}
