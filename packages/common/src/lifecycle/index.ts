export { runMain } from './run-main.js';
export { installGracefulShutdown, type ShutdownOptions } from './shutdown.js';
