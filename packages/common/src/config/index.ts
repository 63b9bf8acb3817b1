export { type Env, env, isSecretName, parseByteSize, readConfig } from './read-config.js';
