// The API server's identity Lease, as upstream's APIServerIdentity (beta and on since 1.26): one Lease
// per server in kube-system, labelled apiserver.kubernetes.io/identity=kube-apiserver and
// kubernetes.io/hostname, renewed every 10 s with a duration of one hour, deleted when the server
// stops; expired ones (a server that died) are collected by any server once an hour. Tandem adds the
// address in-cluster clients reach the server at (an annotation): the `kubernetes` Service's
// endpoints are built from these Leases (kubernetes-endpoints.ts), so that several servers on one
// store each publish their own address and nothing about the others lives in one process.

import { createHash, randomUUID } from 'node:crypto';
import type { Lease } from '../api/gen/types.js';
import { leaseKind } from '../api/kinds/coordination/lease.js';
import { StatusError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { microTime } from '../base/time.js';
import type { RestClient } from '../client/rest-client.js';

export const IDENTITY_NAMESPACE = 'kube-system';
export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const IDENTITY_VALUE = 'kube-apiserver';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** where this server is reached by in-cluster clients: `IP:PORT` (Tandem's; upstream keeps it in /registry/masterleases) */
export const ENDPOINT_ANNOTATION = 'tandem.dev/apiserver-endpoint';
/** upstream's IdentityLeaseDurationSeconds, IdentityLeaseRenewIntervalPeriod and IdentityLeaseGCPeriod */
const DURATION_SECONDS = 3600;
const RENEW_MS = 10_000;
const GC_MS = 3600_000;

/**
 * The Lease's name: upstream hashes the hostname into `apiserver-<base32 of 16 bytes of sha256>`;
 * several Tandem servers may share a host (tests, two servers on one machine), so the address they
 * serve at is hashed with it.
 */
export function identityLeaseName(hostname: string, endpoint: string): string {
  const sum = createHash('sha256').update(`${hostname}\n${endpoint}`).digest().subarray(0, 16);
  return `apiserver-${base32(sum)}`;
}

function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let buf = 0;
  let bits = 0;
  for (const b of bytes) {
    buf = (buf << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buf >> bits) & 31];
    }
    buf &= (1 << bits) - 1;
  }
  return bits > 0 ? out + alphabet[(buf << (5 - bits)) & 31] : out;
}

/** When an identity Lease stops being valid (its renewal plus its duration), in ms; 0 when it carries none. */
export function leaseExpiry(l: Lease): number {
  const renewed = l.spec?.renewTime ? Date.parse(l.spec.renewTime) : NaN;
  const secs = l.spec?.leaseDurationSeconds;
  return Number.isFinite(renewed) && secs !== undefined ? renewed + secs * 1000 : 0;
}

export interface IdentityLeaseOptions {
  client: RestClient;
  hostname: string;
  /** `IP:PORT` of this server as in-cluster clients reach it */
  endpoint: string;
  log: Logger;
  now?: () => number;
  /** renewal period (default upstream's 10 s) */
  renewMs?: number;
  /** how long a Lease is valid after a renewal (default upstream's 3600 s) */
  durationSeconds?: number;
}

export interface IdentityLease {
  readonly name: string;
  /** Renews once now (also run by the timer). */
  renew(): Promise<void>;
  /** Stops renewing and deletes this server's Lease, so that the others drop its address at once. */
  stop(): Promise<void>;
}

/** Deletes identity Leases that expired (servers that died without deleting theirs); returns their names. */
export async function collectExpiredIdentityLeases(client: RestClient, now: number): Promise<string[]> {
  const leases = client.resource(leaseKind).namespace(IDENTITY_NAMESPACE);
  const { items } = await leases.list({ labelSelector: `${IDENTITY_LABEL}=${IDENTITY_VALUE}` });
  const gone: string[] = [];
  for (const l of items) {
    if (leaseExpiry(l) >= now) continue;
    const name = l.metadata.name ?? '';
    // the resourceVersion as precondition: a server that renewed meanwhile keeps its Lease
    await leases
      .delete(name, { preconditions: { resourceVersion: l.metadata.resourceVersion ?? '' } })
      .then(() => gone.push(name))
      .catch((e: unknown) => {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      });
  }
  return gone;
}

export function startIdentityLease(o: IdentityLeaseOptions): IdentityLease {
  const now = o.now ?? Date.now;
  const name = identityLeaseName(o.hostname, o.endpoint);
  const holder = `${name}_${randomUUID()}`;
  const duration = o.durationSeconds ?? DURATION_SECONDS;
  const leases = o.client.resource(leaseKind).namespace(IDENTITY_NAMESPACE);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastGc = 0;
  let running: Promise<void> | undefined;

  const wanted = (base?: Lease): Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(base?.metadata ?? { name, namespace: IDENTITY_NAMESPACE }),
      labels: { ...base?.metadata.labels, [IDENTITY_LABEL]: IDENTITY_VALUE, [HOSTNAME_LABEL]: o.hostname },
      annotations: { ...base?.metadata.annotations, [ENDPOINT_ANNOTATION]: o.endpoint },
    },
    spec: { ...base?.spec, holderIdentity: holder, leaseDurationSeconds: duration, renewTime: microTime(now()) },
  });

  const once = async () => {
    const cur = await leases.getOrUndefined(name);
    if (!cur) {
      await leases.create(wanted()).catch((e: unknown) => {
        // created by a renewal of ours that raced this one: the next period renews it
        if (!(e instanceof StatusError && e.code === 409)) throw e;
      });
    } else {
      // a conflict (another writer between get and update) is retried at the next period, as upstream's
      await leases.update(wanted(cur));
    }
    if (now() - lastGc >= GC_MS) {
      lastGc = now();
      const gone = await collectExpiredIdentityLeases(o.client, now());
      if (gone.length) o.log.info('removed expired API server identity leases', { leases: gone.join(',') });
    }
  };

  const renew = (): Promise<void> => {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };

  const tick = async () => {
    try {
      await renew();
    } catch (e) {
      o.log.warn('could not renew the API server identity lease', { lease: name, error: e instanceof Error ? e.message : String(e) });
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.renewMs ?? RENEW_MS);
  };
  void tick();

  return {
    name,
    renew,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      const cur = await leases.getOrUndefined(name).catch(() => undefined);
      // only our own: a restarted server of the same address may hold it already
      if (cur?.spec?.holderIdentity !== holder) return;
      await leases
        .delete(name, { preconditions: { resourceVersion: cur.metadata.resourceVersion ?? '' } })
        .catch((e: unknown) => o.log.warn('could not delete the API server identity lease', { lease: name, error: String(e) }));
    },
  };
}
