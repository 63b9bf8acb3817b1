export { AppError, type ErrorDetails, isAppError, toAppError } from './app-error.js';
export { defineErrors, type ErrorSpec, type ErrorTable } from './error-spec.js';
export { ERROR_REGISTRY, type ErrorCode, isErrorCode } from './registry.js';
