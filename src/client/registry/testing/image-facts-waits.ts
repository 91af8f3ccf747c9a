// Waiting on an image facts service in tests: the next settle of one reference, and a read that
// must fail with an ImageFactsError.

import assert from 'node:assert/strict';
import { ImageFactsError } from '../image-facts.js';
import type { ImageFactsService } from '../image-facts.js';

/** Resolves after the next fetch of `ref` settles. */
export const settled = (facts: ImageFactsService, ref: string) =>
  new Promise<void>((resolve) => {
    const off = facts.onSettled((i) => {
      if (i !== ref) return;
      off();
      resolve();
    });
  });

export async function failure(p: Promise<unknown>): Promise<ImageFactsError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ImageFactsError, `an ImageFactsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the facts to fail');
}
