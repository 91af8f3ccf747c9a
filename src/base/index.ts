// The public face of src/base: pure helpers every other layer may use.

export * from './errors.js';
export * from './label-selector.js';
export * from './field-selector.js';
export * from './quantity.js';
export * from './int-or-string.js';
export * from './time.js';
export * from './work-queue.js';
export * from './backoff.js';
export * from './duration.js';
