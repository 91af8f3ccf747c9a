// How the etcd3 client fails over between members. Its default counts every "recoverable" error
// against a member, a full database (RESOURCE_EXHAUSTED) included, and after three in a row refuses
// every call to that member for 5 s: with one endpoint, a full etcd would then refuse reads too.
// Here only a member that cannot be reached (UNAVAILABLE, a missed deadline) counts; after three in
// a row calls skip it for a second, then one call tries it again. A call refused as unreachable is
// retried at once on the next member (each call tries at most every member once more).
import type { IOptions } from 'etcd3';

/** The member was unreachable on its last calls and is being skipped. */
class MemberSkippedError extends Error {
  constructor(readonly host: string) {
    super(`etcd member ${host} did not answer its last calls (skipped for a second)`);
    this.name = 'MemberSkippedError';
  }
}

const unreachable = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'GRPCUnavailableError' || e.name === 'GRPCDeadlineExceededError' || e instanceof MemberSkippedError);

/** cockatiel's policy type, as the etcd3 client's options name it */
type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** The per-member breaker (only `execute` is used by the client). */
export function memberPolicy(host: string, openMs = 1000): Policy {
  let failures = 0;
  let openUntil = 0;
  const p = {
    async execute<T>(fn: () => Promise<T> | T): Promise<T> {
      if (failures >= 3 && Date.now() < openUntil) throw new MemberSkippedError(host);
      try {
        const r = await fn();
        failures = 0;
        return r;
      } catch (e) {
        if (e instanceof Error && (e.name === 'GRPCUnavailableError' || e.name === 'GRPCDeadlineExceededError')) {
          failures++;
          if (failures >= 3) openUntil = Date.now() + openMs;
        } else failures = 0;
        throw e;
      }
    },
  };
  return p as unknown as Policy;
}

/** The client-wide retry: an unreachable member's call goes to the next one. */
export function retryPolicy(members: number): Policy {
  const p = {
    async execute<T>(fn: () => Promise<T> | T): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (e) {
          if (!unreachable(e) || attempt > members) throw e;
        }
      }
    },
  };
  return p as unknown as Policy;
}
