export { createLogger, type Logger } from './logger.js';
export { SECRET_KEYS, scrubSecrets } from './scrub.js';
