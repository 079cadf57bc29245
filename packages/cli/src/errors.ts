// The one place the CLI turns errors into exit codes and messages.
import { CommanderError } from 'commander';
import { ColophonError } from '@colophon/core';
import { CorruptFeedError, EnvironmentError, UnsafePathError, WorkspaceError } from '@colophon/core/node';

/** Exit codes: 0 ok, 1 a check failed, 2 the command was used wrongly, 3 the environment stopped it, 70 a bug. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_ENVIRONMENT = 3;
/** EX_SOFTWARE from sysexits.h: an internal error. */
export const EXIT_INTERNAL = 70;

/** The command line was wrong: bad option values, missing project, unknown names. */
export class UsageError extends Error {}

/**
 * A file the user named could not be read: names it (and the option it came from) and why, in
 * words. A missing file or a folder is the user's mistake (exit 2); permissions, limits and I/O
 * errors are the machine's (exit 3).
 */
export function cannotRead(path: string, what: string, error: unknown): UsageError | EnvironmentError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a folder' : code === 'EACCES' || code === 'EPERM' ? ': permission denied' : code ? `: ${code}` : '';
  const message = `cannot read ${what ? `${what} ` : ''}${path}${why}`;
  return code !== undefined && ENVIRONMENT_CODES.has(code) ? new EnvironmentError(message) : new UsageError(message);
}

/** A check ran and found problems (verification failed, a record is missing). */
export class CheckFailedError extends Error {}

/** System error codes that mean the machine stopped us: permissions, space, limits, a busy device. */
const ENVIRONMENT_CODES = new Set(['EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE', 'EIO', 'EBUSY', 'ETXTBSY', 'ENOMEM', 'ELOOP']);

type ErrorClass = abstract new (...args: never[]) => Error;

/** Which library errors are a usage problem (exit 2) or a failed check (exit 1) for a command. */
export interface ErrorRules {
  usage?: readonly ErrorClass[];
  check?: readonly ErrorClass[];
}

/** Runs `work`, turning the library errors `rules` names into usage or check-failed errors; others pass through. */
export async function translateErrors<T>(work: () => Promise<T> | T, rules: ErrorRules): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (rules.usage?.some((kind) => error instanceof kind)) throw new UsageError((error as Error).message);
    if (rules.check?.some((kind) => error instanceof kind)) throw new CheckFailedError((error as Error).message);
    throw error;
  }
}

/** The exit code of an error that ended a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof CheckFailedError) return EXIT_CHECK_FAILED;
  if (error instanceof WorkspaceError) return { usage: EXIT_USAGE, refused: EXIT_CHECK_FAILED, environment: EXIT_ENVIRONMENT }[error.kind];
  if (error instanceof EnvironmentError) return EXIT_ENVIRONMENT;
  // Bad data found on disk or in input: the check that read it failed.
  if (error instanceof CorruptFeedError || error instanceof UnsafePathError || error instanceof ColophonError) return EXIT_CHECK_FAILED;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && ENVIRONMENT_CODES.has(code)) return EXIT_ENVIRONMENT;
  return EXIT_INTERNAL;
}

/** The lines to print for an error that ended a command (none for a check that printed its own findings). */
export function errorLines(error: unknown, code: number, debug = process.env.COLOPHON_DEBUG === '1'): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? '';
  const lines: string[] = [];
  if (code === EXIT_INTERNAL) lines.push(`colophon: internal error, please report it: ${firstLine || (error as Error)?.name || 'unknown error'}`);
  else if (code === EXIT_ENVIRONMENT) lines.push(`colophon: ${message}`);
  else if (message) lines.push(`colophon: ${message}`);
  if (debug && error instanceof Error && error.stack) lines.push(error.stack);
  else if (code === EXIT_INTERNAL) lines.push('(run with COLOPHON_DEBUG=1 for the stack trace)');
  return lines;
}

/** A write to a closed pipe (`colophon log | head`): the reader has all it wants, so stop quietly. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}
