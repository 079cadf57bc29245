/** Exit codes: 0 ok, 1 a check failed, 2 the command was used wrongly. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

/** The command line was wrong: bad option values, missing project, unknown names. */
export class UsageError extends Error {}

/** A check ran and found problems (verification failed, a record is missing). */
export class CheckFailedError extends Error {}
