// Reusable validators returning FieldError[] with upstream's messages.

export * from './field.js';
export * from './names.js';
export * from './labels.js';
export * from './object-meta.js';
export * from './quantity.js';
export * from './ports.js';
export * from './label-selector.js';
