// Upstream's default score normalisation: scale so that the highest score becomes 100; `reverse`
// flips it (lower raw score is better).

import { MAX_NODE_SCORE } from './interfaces.js';

export function defaultNormalizeScore(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.floor(((scores[i] ?? 0) * MAX_NODE_SCORE) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}
