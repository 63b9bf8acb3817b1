export { installGracefulShutdown, type ShutdownOptions } from './shutdown.js';
