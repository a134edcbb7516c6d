export { PyindexError, isPyindexError, type PyindexErrorOptions } from './pyindex-error.js';
export { ERROR_CODES, EXIT, exitCodeFor, type ErrorCode } from './codes.js';
