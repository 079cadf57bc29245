import { CID } from 'multiformats/cid';
import { RecordError, joinPath } from '../errors.js';
import { isDidKey } from '../identity/did-key.js';
import { ROLE_PATTERN, isRecordKind } from './kinds.js';
import { CONTRIBUTION_RECORD_VERSION } from './types.js';

export interface RecordIssue {
  path: string;
  reason: string;
}

export const MAX_RECORD_BYTES = 64 * 1024;
export const MAX_LINKS = 1024;
export const MAX_STRING_CHARS = 4096;
export const MAX_TEXT_OPS = 4096;
export const PROJECT_EXT = 'colophon.project';

const FIELDS = new Set(['v', 'kind', 'proj', 'by', 'seq', 'prev', 'links', 'asset', 'agent', 'in', 'out', 'delta', 'intent', 'rights', 'at', 'ext', 'sig']);
const TDM_VALUES = new Set(['allowed', 'notAllowed', 'constrained']);
const EXT_KEY = /^[a-z0-9-]+(\.[a-zA-Z0-9_-]+)+$/;

type Obj = Record<string, unknown>;

function isPlainObject(value: unknown): value is Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return false;
  if (CID.asCID(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

class Checker {
  readonly issues: RecordIssue[] = [];

  add(path: string, reason: string): void {
    this.issues.push({ path, reason });
  }

  string(value: unknown, path: string, max = MAX_STRING_CHARS): value is string {
    if (typeof value !== 'string') return this.add(path, 'must be a string'), false;
    if (value.length === 0) return this.add(path, 'must not be empty'), false;
    if (value.length > max) return this.add(path, `must be at most ${max} characters`), false;
    return true;
  }

  uint(value: unknown, path: string): value is number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.add(path, 'must be a non-negative integer');
      return false;
    }
    return true;
  }

  cid(value: unknown, path: string): void {
    if (!CID.asCID(value)) this.add(path, 'must be a CID');
  }

  cidList(value: unknown, path: string): void {
    if (!Array.isArray(value)) return this.add(path, 'must be a list of CIDs');
    if (value.length === 0) return this.add(path, 'must not be empty (omit the field instead)');
    if (value.length > MAX_LINKS) return this.add(path, `must hold at most ${MAX_LINKS} CIDs`);
    value.forEach((item, i) => this.cid(item, joinPath(path, i)));
  }

  object(value: unknown, path: string, allowed: readonly string[]): value is Obj {
    if (!isPlainObject(value)) return this.add(path, 'must be a map'), false;
    for (const key of Object.keys(value)) if (!allowed.includes(key)) this.add(joinPath(path, key), 'is not a known field');
    return true;
  }
}

/**
 * Checks a record (signed or not) against the v1 rules, returning every problem with its field
 * path. Signatures and chains are checked elsewhere: this is about one record's shape.
 */
export function recordIssues(value: unknown, options: { requireSignature?: boolean } = {}): RecordIssue[] {
  const c = new Checker();
  if (!isPlainObject(value)) {
    c.add('', 'a record must be a map');
    return c.issues;
  }
  const r = value;
  for (const key of Object.keys(r)) {
    if (!FIELDS.has(key)) c.add(key, 'is not a v1 record field');
    else if (r[key] === undefined || r[key] === null) c.add(key, 'optional fields are omitted, never null or undefined');
  }
  if (r.v !== CONTRIBUTION_RECORD_VERSION) c.add('v', `must be ${CONTRIBUTION_RECORD_VERSION} (format version), got ${JSON.stringify(r.v) ?? 'nothing'}`);
  if (!isRecordKind(r.kind)) c.add('kind', `"${String(r.kind)}" is not a v1 record kind`);
  if (!isDidKey(r.by)) c.add('by', 'must be an Ed25519 did:key');
  c.uint(r.seq, 'seq');
  c.uint(r.at, 'at');
  const genesis = r.kind === 'project.genesis';
  if (genesis) {
    if ('proj' in r) c.add('proj', 'must be absent: a genesis record has no project link');
  } else if (!('proj' in r)) c.add('proj', 'is required (the project genesis record)');
  else c.cid(r.proj, 'proj');
  if (r.seq === 0 && 'prev' in r) c.add('prev', 'must be absent when seq is 0');
  if (typeof r.seq === 'number' && r.seq > 0) {
    if (!('prev' in r)) c.add('prev', 'is required when seq is above 0');
    else c.cid(r.prev, 'prev');
  }
  for (const key of ['links', 'in'] as const) if (key in r) c.cidList(r[key], key);
  if ('out' in r) c.cid(r.out, 'out');
  if ('asset' in r) c.string(r.asset, 'asset', 1024);
  if ('agent' in r) checkAgent(c, r.agent);
  if ('intent' in r) checkIntent(c, r.intent);
  if ('rights' in r) checkRights(c, r.rights);
  if ('delta' in r) checkDelta(c, r.delta, r.kind);
  if ('ext' in r && isPlainObject(r.ext)) {
    for (const key of Object.keys(r.ext)) if (!EXT_KEY.test(key)) c.add(joinPath('ext', key), 'extension keys must be namespaced, e.g. "org.example.field"');
  } else if ('ext' in r) c.add('ext', 'must be a map');
  checkKindRules(c, r);
  if (options.requireSignature !== false || 'sig' in r) {
    if (!(r.sig instanceof Uint8Array) || r.sig.length !== 64) c.add('sig', 'must be a 64-byte Ed25519 signature');
  }
  return c.issues;
}

function checkAgent(c: Checker, agent: unknown): void {
  if (!isPlainObject(agent)) return c.add('agent', 'must be a map');
  if (agent.type === 'ai') {
    if (!c.object(agent, 'agent', ['type', 'model', 'params'])) return;
    if (c.object(agent.model, 'agent.model', ['provider', 'name', 'version'])) {
      const model = agent.model as Obj;
      for (const key of ['provider', 'name', 'version']) c.string(model[key], `agent.model.${key}`, 256);
    }
    if ('params' in agent && !isPlainObject(agent.params)) c.add('agent.params', 'must be a map');
  } else if (agent.type === 'tool') {
    if (!c.object(agent, 'agent', ['type', 'name', 'version'])) return;
    c.string(agent.name, 'agent.name', 256);
    c.string(agent.version, 'agent.version', 256);
  } else c.add('agent.type', 'must be "ai" or "tool"');
}

function checkIntent(c: Checker, intent: unknown): void {
  if (!c.object(intent, 'intent', ['text', 'commit'])) return;
  const hasText = 'text' in intent;
  if (hasText === 'commit' in intent) return c.add('intent', 'must hold exactly one of text or commit');
  if (hasText) c.string(intent.text, 'intent.text', 32 * 1024);
  else c.cid(intent.commit, 'intent.commit');
}

function checkRights(c: Checker, rights: unknown): void {
  if (!c.object(rights, 'rights', ['license', 'tdm'])) return;
  if ('license' in rights) c.string(rights.license, 'rights.license', 512);
  if ('tdm' in rights) {
    if (!isPlainObject(rights.tdm)) return c.add('rights.tdm', 'must be a map of training-mining entries');
    for (const [entry, use] of Object.entries(rights.tdm)) {
      if (typeof use !== 'string' || !TDM_VALUES.has(use)) c.add(joinPath('rights.tdm', entry), 'must be "allowed", "notAllowed" or "constrained"');
    }
  }
}

function checkDelta(c: Checker, delta: unknown, kind: unknown): void {
  if (!isPlainObject(delta)) return c.add('delta', 'must be a map');
  if (kind === 'member') {
    if (!c.object(delta, 'delta', ['op', 'role', 'subject'])) return;
    if (delta.op !== 'grant' && delta.op !== 'revoke') c.add('delta.op', 'must be "grant" or "revoke"');
    if (typeof delta.role !== 'string' || !ROLE_PATTERN.test(delta.role)) c.add('delta.role', 'must be a role name (lowercase letters, digits, "-")');
    if (!isDidKey(delta.subject)) c.add('delta.subject', 'must be the did:key the role is granted to or revoked from');
    return;
  }
  if ('text' in delta) {
    const ops = delta.text;
    if (!Array.isArray(ops)) return c.add('delta.text', 'must be a list of [pos, del, ins, class] ops');
    if (ops.length > MAX_TEXT_OPS) return c.add('delta.text', `must hold at most ${MAX_TEXT_OPS} ops`);
    ops.forEach((op, i) => {
      const path = `delta.text[${i}]`;
      if (!Array.isArray(op) || op.length !== 4) return c.add(path, 'must be [pos, del, ins, class]');
      op.slice(0, 3).forEach((n, k) => c.uint(n, `${path}[${k}]`));
      c.string(op[3], `${path}[3]`, 256);
    });
  }
}

/** "an asset.edit", "a review": messages read as sentences. */
function withArticle(kind: unknown): string {
  return `${/^[aeiou]/.test(String(kind)) ? 'an' : 'a'} ${String(kind)}`;
}

function checkKindRules(c: Checker, r: Obj): void {
  switch (r.kind) {
    case 'project.genesis': {
      if (r.seq !== 0) c.add('seq', 'must be 0: a genesis record starts its feed');
      const project = isPlainObject(r.ext) ? r.ext[PROJECT_EXT] : undefined;
      if (c.object(project, `ext.${PROJECT_EXT}`, ['name'])) c.string(project.name, `ext.${PROJECT_EXT}.name`, 256);
      break;
    }
    case 'member':
      if (!('delta' in r)) c.add('delta', 'is missing: a member record states {op, role, subject}');
      break;
    case 'ai.generate':
      if (!isPlainObject(r.agent) || r.agent.type !== 'ai') c.add('agent', 'must be an AI model: an ai.generate record names the AI model that acted');
      if (!('out' in r)) c.add('out', 'is missing: an ai.generate record names the content it produced');
      break;
    case 'asset.create':
    case 'asset.edit':
      if (!('asset' in r)) c.add('asset', `is missing: ${withArticle(r.kind)} record names its asset`);
      if (!('out' in r)) c.add('out', `is missing: ${withArticle(r.kind)} record names the content it produced`);
      break;
    case 'intent':
      if (!('intent' in r)) c.add('intent', 'is missing: an intent record carries the prompt text or its commitment');
      break;
    case 'approve':
    case 'reject':
    case 'review':
      if (!('links' in r)) c.add('links', `is missing: ${withArticle(r.kind)} record links the record(s) it concerns`);
      break;
  }
}

/** Throws a RecordError naming the first problem (and how many more there are). */
export function assertValidRecord(value: unknown, context = 'record', options: { requireSignature?: boolean } = {}): void {
  const issues = recordIssues(value, options);
  if (issues.length === 0) return;
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new RecordError(`${context}: ${first.path || 'record'} ${first.reason}${more}`, first.path);
}
