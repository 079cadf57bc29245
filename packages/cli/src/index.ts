export { run } from './program.js';
export { processIo, type Io } from './output.js';
export { CheckFailedError, UsageError, EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE } from './errors.js';
