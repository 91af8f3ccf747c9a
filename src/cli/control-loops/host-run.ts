// What runs inside a control-loop host (worker thread or child process): the server's scheduler
// and controllers (startControllers, unchanged) over clients of their own to the API server, each
// with the token the server minted for its identity. Log lines, leadership and readiness go back to
// the server as messages; the server's `stop` stops the components (the leader Lease released)
// before the host ends.

import { startHeapTrimUnlessOff } from '../../base/heap-trim.js';
import type { LogFields, Logger, LogLevel } from '../../base/log.js';
import type { AccessCheck } from '../../controllers/index.js';
import { createRestClient, type RestClient } from '../../client/rest-client.js';
import { startControllers } from '../controllers.js';
import { CONTROLLER_MANAGER, type FromHost, type HostConfig, type ToHost } from './protocol.js';

/** The host's end of the message channel (parentPort, or the child's IPC channel). */
export interface HostChannel {
  send(m: FromHost): void;
  onMessage(cb: (m: ToHost) => void): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields as the channel can carry them: an uncloneable value (a function, a socket) as its text. */
function cloneable(fields: LogFields): LogFields {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v === null || v instanceof Error || ['string', 'number', 'boolean', 'undefined'].includes(typeof v) ? v : safeJson(v);
  }
  return out;
}
const safeJson = (v: unknown): unknown => {
  try {
    return JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
  } catch {
    return String(v);
  }
};

/** A Logger whose lines are sent to the server, which writes them with its own logger (same format, same stream). */
function channelLogger(send: (m: FromHost) => void, level: LogLevel, component = '', base?: LogFields): Logger {
  const min = RANK[level];
  const emit = (l: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[l] < min) return;
    const all = base && fields ? { ...base, ...fields } : (fields ?? base);
    send({ t: 'log', level: l, component, msg, ...(all ? { fields: cloneable(all) } : {}) });
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (name, fields) =>
      channelLogger(send, level, component ? `${component}/${name}` : name, base && fields ? { ...base, ...fields } : (fields ?? base)),
  };
}

/**
 * The CSR approver's question (may this requestor create certificatesigningrequests/nodeclient or
 * /selfnodeclient?) as a SubjectAccessReview through the API, as upstream's approver asks it: the
 * host has no authorizer of its own.
 */
function sarAccessCheck(client: RestClient): AccessCheck {
  return async (user, sub) => {
    const review = await client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: user.name,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: sub, verb: 'create' },
      },
    });
    return review.status?.allowed === true;
  };
}

/** Runs the components of `cfg` until the server says stop; `exit` ends the host (thread or process). */
export function runHost(cfg: HostConfig, ch: HostChannel, exit: (code: number) => void): void {
  const log = channelLogger((m) => ch.send(m), cfg.logLevel);
  const clients = new Map<string, RestClient>();
  const clientFor = (component: string): RestClient => {
    const token = cfg.tokens[component] ?? cfg.tokens[CONTROLLER_MANAGER];
    if (!token) throw new Error(`control-loop host: no token for component ${component}`);
    let c = clients.get(token);
    if (!c) {
      const userAgent =
        component === CONTROLLER_MANAGER ? 'kube-controller-manager' : component === 'scheduler' ? 'kube-scheduler' : `tandem-${component}`;
      c = createRestClient({
        server: cfg.server,
        caPem: cfg.caPem,
        token,
        userAgent,
        maxSockets: 16,
        ...(cfg.socketPath ? { socketPath: cfg.socketPath } : {}),
      });
      clients.set(token, c);
    }
    return c;
  };
  // startControllers serves the control loops' /metrics (cfg.metrics) from this host: the scheduler's,
  // work queues' and leader election's metrics are in this realm's default registry.
  const controllers = startControllers(clientFor(CONTROLLER_MANAGER), log, {
    clientFor,
    identity: cfg.identity,
    onLeaderChange: (leading) => ch.send({ t: 'leader', leading }),
    csrAccess: sarAccessCheck(clientFor('csrapproving')),
    ...(cfg.only ? { only: cfg.only } : {}),
    ...(cfg.leaseDurationSeconds ? { leaseDurationSeconds: cfg.leaseDurationSeconds } : {}),
    ...(cfg.nodeIpam ? { nodeIpam: cfg.nodeIpam } : {}),
    ...(cfg.insecureRegistries ? { insecureRegistries: cfg.insecureRegistries } : {}),
    ...(cfg.rootCaPem ? { rootCaPem: cfg.rootCaPem } : {}),
    ...(cfg.ca ? { ca: cfg.ca } : {}),
    ...(cfg.metrics ? { metrics: cfg.metrics } : {}),
  });
  void controllers.ready().then(() => ch.send({ t: 'ready' }));
  // the informers' copies of a burst's objects: this isolate's heap is trimmed once it is quiet
  const heapTrim = startHeapTrimUnlessOff(log.child('heap'));
  let stopping = false;
  ch.onMessage((m) => {
    if (m.t === 'stop' && !stopping) {
      stopping = true;
      heapTrim?.stop();
      void controllers
        .stop()
        .catch((e: unknown) => log.child('controllers').error('stop failed', { error: e instanceof Error ? e.message : String(e) }))
        .then(() => {
          ch.send({ t: 'leader', leading: false });
          ch.send({ t: 'stopped' });
          for (const c of clients.values()) c.close();
          exit(0);
        });
    } else if (m.t === 'crash') {
      setImmediate(() => {
        throw new Error('control-loop host: crash requested (test hook)');
      });
    }
  });
}
