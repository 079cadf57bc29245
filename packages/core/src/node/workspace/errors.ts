import type { Finding } from '../../ledger/verify.js';

/**
 * What a host should tell its user, by cause: `usage` (the request cannot be done as asked: no
 * project here, a file exists, an unknown identity), `refused` (the data failed a check: nothing
 * was stored), `environment` (permissions, a lock held too long, a full disk).
 */
export type WorkspaceErrorKind = 'usage' | 'refused' | 'environment';

export class WorkspaceError extends Error {
  constructor(
    readonly kind: WorkspaceErrorKind,
    message: string,
    readonly findings: Finding[] = [],
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}
