// Per-attempt key/value store: PreFilter/PreScore results read back by Filter/Score in the same cycle.

export interface CycleState {
  read<T>(key: string): T | undefined;
  write<T>(key: string, value: T): void;
  /** Plugins whose Filter (resp. Score) is skipped for this cycle because PreFilter (PreScore) said Skip. */
  readonly skipFilter: Set<string>;
  readonly skipScore: Set<string>;
}

export function createCycleState(): CycleState {
  const data = new Map<string, unknown>();
  return {
    read: <T>(key: string) => data.get(key) as T | undefined,
    write: <T>(key: string, value: T) => {
      data.set(key, value);
    },
    skipFilter: new Set(),
    skipScore: new Set(),
  };
}
