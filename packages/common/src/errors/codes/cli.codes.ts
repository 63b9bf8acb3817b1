import { defineErrors } from '../error-spec.js';

/**
 * Codes the command-line client raises itself (server errors keep the server's code). The CLI maps
 * each to its own exit code; the status says what kind of failure it is, as for every other code.
 * The client usually replaces the message with a more specific one; these are the fallbacks.
 */
export const cliErrors = defineErrors({
  CLI_USAGE: {
    status: 400,
    retryable: false,
    message: 'Invalid arguments or options ({problem}): see `cvat-backup --help`.',
  },
  CLI_NO_SERVER: {
    status: 400,
    retryable: false,
    message: 'No server to talk to: pass --server or run `cvat-backup login --server <url>` first.',
  },
  CLI_NOT_LOGGED_IN: {
    status: 401,
    retryable: false,
    message: 'Not logged in to {server}: run `cvat-backup login`.',
  },
  CLI_SERVER_UNREACHABLE: {
    status: 503,
    retryable: true,
    message: 'The server {server} cannot be reached ({reason}); check the URL or try again later.',
  },
  CLI_UNEXPECTED_RESPONSE: {
    status: 502,
    retryable: false,
    message: 'The server answered in a way this client does not understand ({reason}); check its version.',
  },
  CLI_FILE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: 'No such file: {path}.',
  },
  CLI_FILE_CHANGED: {
    status: 409,
    retryable: false,
    message: '{path} changed during the upload: run the command again.',
  },
  CLI_DOWNLOAD_INCOMPLETE: {
    status: 503,
    retryable: true,
    message: 'The download stopped before the whole archive arrived: run the command again.',
  },
  CLI_REQUEST_FAILED: {
    status: 500,
    retryable: false,
    message: 'Request {id} failed on the server without a reason; see the server log.',
  },
  CLI_INTERRUPTED: {
    status: 499,
    retryable: false,
    message: 'Interrupted (Ctrl-C); nothing more was sent.',
  },
  CLI_INTERNAL: {
    status: 500,
    retryable: false,
    message: 'The client failed unexpectedly: {reason}',
  },
});
