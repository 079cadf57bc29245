/** Format version 1's closed list of record kinds (DESIGN.md); unknown kinds are an error in v1. */
export const RECORD_KINDS = [
  'project.genesis',
  'member',
  'asset.create',
  'asset.edit',
  'ai.generate',
  'intent',
  'agent.step',
  'check',
  'review',
  'approve',
  'reject',
  'ingest',
  'contract',
  'gate',
  'settle',
  'checkpoint',
] as const;

export type RecordKind = (typeof RECORD_KINDS)[number];

const kindSet: ReadonlySet<string> = new Set(RECORD_KINDS);

export function isRecordKind(kind: unknown): kind is RecordKind {
  return typeof kind === 'string' && kindSet.has(kind);
}

/** Built-in roles; projects may grant others (any lowercase name). */
export const BUILT_IN_ROLES = ['owner', 'director', 'editor', 'contributor', 'reviewer', 'agent'] as const;
export const ROLE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
