import { ROLE_PATTERN, isDidKey, roleBookOf } from '@colophon/core';
import { UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { who } from '../describe.js';
import { identityNames, openWorkspace, signingIdentity } from '../workspace.js';

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

/** `colophon member list`: who holds which role now, from the owner's member records. */
export async function memberList(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const roles = await roleBookOf(ws.feeds, ws.project.owner);
  const names = await identityNames(ws.keys);
  const members = [...roles.current()].map(([did, held]) => ({ did, name: names.get(did), roles: [...held].sort() })).sort((a, b) => (a.did === ws.project.owner ? -1 : b.did === ws.project.owner ? 1 : who(a.did, names).localeCompare(who(b.did, names))));
  if (options.json) return printJson(io, members);
  const width = Math.max(...members.map((m) => who(m.did, names).length));
  for (const member of members) io.out(`${who(member.did, names).padEnd(width)}  ${member.roles.join(', ')}  ${member.did}`);
}
