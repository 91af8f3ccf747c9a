// Gives the event loop back during long synchronous work (filtering or encoding a big LIST), so that
// requests of other priority levels, health checks and heartbeats are served between slices.

/** How long one slice of work may hold the event loop. */
const SLICE_MS = 4;
/** The clock is read once per this many steps. */
const CHECK_EVERY = 64;

export interface Yielder {
  /** Call once per unit of work: a promise when the slice is used up (await it), otherwise undefined. */
  step(): Promise<void> | undefined;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createYielder(sliceMs = SLICE_MS): Yielder {
  let n = 0;
  let sliceStart = performance.now();
  return {
    step() {
      if (++n % CHECK_EVERY !== 0) return undefined;
      const now = performance.now();
      if (now - sliceStart < sliceMs) return undefined;
      return nextTurn().then(() => {
        sliceStart = performance.now();
      });
    },
  };
}
