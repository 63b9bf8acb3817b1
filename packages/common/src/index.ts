export * from './config/index.js';
export * from './errors/index.js';
export * from './lifecycle/index.js';
export * from './logging/index.js';
