// etcd's answers that are not results: its error strings (gRPC status messages) as the storage
// layer's errors. Reads and writes against a compacted or future revision become CompactedError /
// FutureRevisionError; a full database, a lost quorum, an unreachable member or a call past its
// deadline become StorageUnavailableError carrying etcd's own words, so that the API server can
// answer a 5xx Status that says why.
import { StorageUnavailableError } from '../backend.js';

const UNAVAILABLE = [
  'database space exceeded',
  'etcdserver: no leader',
  'etcdserver: request timed out',
  'etcdserver: leader changed',
  'etcdserver: too many requests',
  'etcdserver: not capable',
  'No connection established',
  'connect ECONNREFUSED',
  'Deadline exceeded',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
];

export function isCompactedMessage(e: unknown): boolean {
  return e instanceof Error && e.message.includes('required revision has been compacted');
}

export function isFutureMessage(e: unknown): boolean {
  return e instanceof Error && e.message.includes('required revision is a future revision');
}

/** etcd's reason, trimmed of the gRPC status prefix ("8 RESOURCE_EXHAUSTED: "). */
function reasonOf(e: Error): string {
  const m = /^\d+ [A-Z_]+: (.*)$/s.exec(e.message);
  return m ? m[1]! : e.message;
}

/** The error to give the caller for a failed etcd call. */
export function mapEtcdError(backend: string, endpoints: string, e: unknown): Error {
  if (!(e instanceof Error)) return new StorageUnavailableError(backend, `etcd at ${endpoints}: ${String(e)}`);
  const reason = reasonOf(e);
  if (['GRPCUnavailableError', 'GRPCDeadlineExceededError', 'ClientRuntimeError', 'MemberSkippedError'].includes(e.name)) {
    return new StorageUnavailableError(backend, `etcd at ${endpoints}: ${reason}`);
  }
  if (UNAVAILABLE.some((s) => e.message.includes(s))) return new StorageUnavailableError(backend, reason);
  return e;
}
