import { defineErrors } from '../error-spec.js';

export const commonErrors = defineErrors({
  CONFIG_INVALID: {
    status: 500,
    retryable: false,
    message: 'Configuration is invalid: {problems}',
  },
  INTERNAL: {
    status: 500,
    retryable: true,
    message: 'An internal error occurred: {reason}',
  },
  VALIDATION_FAILED: {
    status: 400,
    retryable: false,
    message: 'The request is invalid: {problems}',
  },
  NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'Not found.',
  },
  UNAUTHENTICATED: {
    status: 401,
    retryable: false,
    message: 'Authentication credentials were not provided.',
  },
  FORBIDDEN: {
    status: 403,
    retryable: false,
    message: 'You do not have permission to perform this action.',
  },
  DEPENDENCY_UNAVAILABLE: {
    status: 503,
    retryable: true,
    message: '{dependency} is not available: {reason}',
  },
});
