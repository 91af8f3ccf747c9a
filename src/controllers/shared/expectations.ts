// Controller expectations (client-go style): after a controller asks for N creations and some
// deletions, it does not act on the same owner again until its informer has seen them (or a TTL
// passed), so that a lagging cache never causes a second round of creations.

export interface Expectations {
  /** Records that `adds` creations and the deletion of these object keys were just requested. */
  expect(owner: string, adds: number, deleteKeys?: readonly string[]): void;
  /** An object the owner created showed up (or a creation failed and will never show up). */
  creationObserved(owner: string): void;
  /** The object with this key was deleted or is terminating (or its deletion failed). */
  deletionObserved(owner: string, key: string): void;
  /** True when nothing is outstanding, when nothing was ever recorded, or when the record expired. */
  satisfied(owner: string): boolean;
  /** Forgets the owner (it was deleted). */
  delete(owner: string): void;
}

/** How long a record may stay unsatisfied before it is ignored (upstream: 5 minutes). */
const EXPECTATIONS_TTL_MS = 5 * 60_000;

export function createExpectations(now: () => number = Date.now, ttlMs = EXPECTATIONS_TTL_MS): Expectations {
  const records = new Map<string, { adds: number; dels: Set<string>; at: number }>();
  return {
    expect(owner, adds, deleteKeys = []) {
      records.set(owner, { adds, dels: new Set(deleteKeys), at: now() });
    },
    creationObserved(owner) {
      const r = records.get(owner);
      if (r && r.adds > 0) r.adds--;
    },
    deletionObserved(owner, key) {
      records.get(owner)?.dels.delete(key);
    },
    satisfied(owner) {
      const r = records.get(owner);
      if (!r) return true;
      if (r.adds <= 0 && r.dels.size === 0) return true;
      return now() - r.at > ttlMs;
    },
    delete(owner) {
      records.delete(owner);
    },
  };
}
