import { ROLE_PATTERN, isDidKey } from '@colophon/core';
import { UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { openWorkspace, signingIdentity } from '../workspace.js';

export async function member(cwd: string, op: 'grant' | 'revoke', subjectName: string, options: { role: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  if (!ROLE_PATTERN.test(options.role)) throw new UsageError(`--role "${options.role}" must be a role name such as director, editor, contributor, reviewer or agent`);
  if (options.role === 'owner') throw new UsageError('a project has one owner, the identity that created it; ownership is not granted or revoked (give a director or editor role instead)');
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  if (identity.did !== ws.project.owner) throw new UsageError(`only the project owner can change roles; ${name} (${identity.did}) is not the owner`);
  const subject = isDidKey(subjectName) ? subjectName : (await ws.keys.get(subjectName))?.did;
  if (!subject) throw new UsageError(`"${subjectName}" is neither a did:key nor an identity on this machine`);
  const stored = await ws.project.record(identity, { kind: 'member', delta: { op, role: options.role, subject } });
  if (options.json) return printJson(io, { cid: stored.cid, op, role: options.role, subject });
  io.out(`${op === 'grant' ? 'Granted' : 'Revoked'} role ${options.role} ${op === 'grant' ? 'to' : 'from'} ${subjectName}: ${stored.cid}`);
}
