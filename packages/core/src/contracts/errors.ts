import { ColophonError } from '../errors.js';
import type { RecordStore } from '../ledger/record-store.js';
import { SIGNER_ROLES, signerRule } from '../ledger/roles.js';
import { roleBookOf } from '../ledger/versions.js';
import type { RecordKind } from '../record/kinds.js';

/**
 * A contract, gate or settlement that cannot be used: bad CEL (with `line`/`column` of the
 * problem in the gate's source), a payout rule that does not add up, a view too large to
 * evaluate. `path` names the field (`gates[2].expr`, `payout.weights.ai`).
 */
export class ContractError extends ColophonError {
  constructor(
    message: string,
    path = '',
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message, path);
  }
}

/** The signer lacks the role an action needs (ledger/roles.ts SIGNER_ROLES). */
export class RoleRequiredError extends ContractError {}

/** Refuses `signer` unless it may sign records of `kind` now (current roles). */
export async function requireSigner(store: Pick<RecordStore, 'get' | 'query'>, owner: string, signer: string, kind: RecordKind, action: string): Promise<void> {
  const allowed = SIGNER_ROLES[kind];
  if (!allowed) return;
  const roles = await roleBookOf(store, owner);
  if (roles.holdsOneOf(signer, allowed)) return;
  const held = roles.rolesOf(signer);
  throw new RoleRequiredError(`only ${signerRule(kind)} may ${action}; ${signer} holds ${held.length > 0 ? held.join(', ') : 'no role'}`);
}

/** Line and column (1-based, in UTF-16 code units) of an offset in a source text. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.max(0, Math.min(offset, source.length));
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}
