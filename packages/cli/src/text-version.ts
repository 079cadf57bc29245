// A saved version of a text file as a record: its asset id, and the per-character delta from the
// previous recorded version (kept off-ledger in the blob store). One path for `record --file`,
// `watch` and `agent-hook`, so the three agree on what a version is.
import { relative, resolve, sep } from 'node:path';
import {
  EVIDENCE_EXT,
  contentCid,
  hasTextDelta,
  loadAssetHistory,
  textBaseline,
  utf8Decode,
  versionDelta,
  type CID,
  type Contribution,
  type DagValue,
  type Evidence,
  type OpClass,
  type SigningIdentity,
  type SpanClassifier,
  type AgentRef,
  type DecodedRecord,
  type KeptVersion,
  type Reclaim,
  type RecordKind,
} from '@colophon/core';
import { openNoFollow, UnsafePathError } from '@colophon/core/node';
import { UsageError } from './errors.js';
import type { Workspace } from './workspace.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** Larger files are not treated as text to attribute per character (a chapter is well under 1 MB). */
export const MAX_TEXT_BYTES = 32 * 1024 * 1024;

/** `file:<path relative to the project root>`, with forward slashes on every platform. */
export function fileAsset(ws: Pick<Workspace, 'root'>, cwd: string, file: string): string {
  const path = relative(ws.root, resolve(cwd, file));
  if (path === '' || path.startsWith('..')) throw new UsageError(`${file} is outside the project (${ws.root}); record files inside it`);
  return `file:${path.split(sep).join('/')}`;
}

/** Looks like a file name or path: has a folder or an extension. */
const PATH_LIKE = /[/\\]|\.[A-Za-z0-9]+$/;

/**
 * The asset a command means: --asset as given, else the file's (`file:<path>`). An --asset without
 * a scheme is refused when it names a file (with --file, or when it looks like a path): `ch1.md`
 * and `file:ch1.md` would otherwise be two assets of one file.
 */
export function assetArgument(ws: Pick<Workspace, 'root'>, cwd: string, asset: string | undefined, file: string | undefined): string | undefined {
  if (asset !== undefined) {
    if (!SCHEME.test(asset) && (file !== undefined || PATH_LIKE.test(asset))) {
      const hint = file !== undefined ? fileAsset(ws, cwd, file) : `file:${asset}`;
      throw new UsageError(`--asset "${asset}" names no scheme, so the same file could become two assets; use --asset ${hint}${file !== undefined ? ' (or leave --asset out: it defaults to that)' : ''}`);
    }
    return asset;
  }
  return file === undefined ? undefined : fileAsset(ws, cwd, file);
}

/** The file's text when it is UTF-8 text (no NUL bytes), else undefined (an image, a binary). */
export function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8Decode(bytes);
  } catch {
    return undefined;
  }
}

/** Why `bytes` are not text to attribute per character (textOf gave undefined), in a few words. */
export function whyNotText(bytes: Uint8Array): string {
  if (bytes.includes(0)) return 'is binary (it holds NUL bytes)';
  try {
    utf8Decode(bytes);
  } catch (error) {
    return `is not UTF-8 text (${(error as Error).message})`;
  }
  return `is larger than ${MAX_TEXT_BYTES / 1024 / 1024} MB`;
}

/**
 * Whether a file that is not UTF-8 text must be refused as a version of `asset`: when it looks
 * like text in another encoding (no NUL bytes: Latin-1, Windows-1252), which would otherwise be
 * recorded as an opaque step; and when the asset has a per-character history, which a binary
 * version would end. A binary file of an asset without one (an image) is a version like any other.
 */
export async function refuseAsText(ws: Workspace, asset: string, bytes: Uint8Array): Promise<boolean> {
  if (!bytes.includes(0) && bytes.length <= MAX_TEXT_BYTES) return true;
  const entries = await loadAssetHistory(ws.feeds, asset);
  return entries.some((e) => e.record.asset === asset && hasTextDelta(e));
}

/** The line that says why a file is not recorded as a version of a text asset, and what to do. */
export function notTextMessage(file: string, asset: string, bytes: Uint8Array): string {
  const why = whyNotText(bytes);
  return bytes.includes(0)
    ? `${file} ${why}, but ${asset} is text recorded per character, whose history a binary version would end`
    : `${file} ${why}: save it as UTF-8 to record who wrote each character (e.g. iconv -f latin1 -t utf-8)`;
}

export interface TextVersionFields {
  delta: { [key: string]: DagValue };
  ext: { [key: string]: DagValue };
  /**
   * Records this version links: the asset's last record when another signer made it (this
   * version builds on it), and the records naming the agents of text that came back.
   */
  links: CID[];
  /** What could not be known, for the user (the previous text was not kept, …). */
  notes: string[];
  /** The ops changed nothing (the file is as last recorded). */
  unchanged: boolean;
  /** The asset has no record yet: this version creates it. */
  first: boolean;
}

/** How many versions before the last one are searched for text that comes back (see RestoreRule). */
const EARLIER_VERSIONS = 16;

/**
 * The delta and evidence of a new version `text` of `asset`, inserted text being `cls` (unless
 * it is text the asset held before, which gets its author back), and the text kept in the blob
 * store for the next version. Call it under the ledger lock (or accept that a version recorded
 * meanwhile by someone else makes this delta not fit: it is then refused).
 */
export async function textVersion(
  ws: Workspace,
  signer: string,
  asset: string,
  bytes: Uint8Array,
  text: string,
  cls: OpClass | SpanClassifier,
  evidence: Evidence,
  agent?: AgentRef,
  reclaim?: Reclaim,
  /** Records the new version links anyway (--link). */
  links: readonly CID[] = [],
): Promise<TextVersionFields> {
  const { baseline, notes, earlier } = await textBaseline(ws.feeds, ws.blobs, asset, { earlier: EARLIER_VERSIONS });
  // A file renamed or copied: its first version is another file's text, which keeps its authors.
  if (baseline.recorded === false && text.length > 0) earlier.push(...(await sameTextElsewhere(ws, asset, contentCid(bytes), text)));
  const head = baseline.head && (await ws.feeds.get(baseline.head));
  const headLink = head && head.record.by !== signer ? [head.cid] : [];
  const linkedAgents: AgentRef[] = [];
  if (head && headLink.length > 0 && head.record.agent) linkedAgents.push(head.record.agent);
  for (const cid of links) {
    const linkedAgent = (await ws.feeds.get(cid))?.record.agent;
    if (linkedAgent) linkedAgents.push(linkedAgent);
  }
  // What changed while nothing watched is unknown, whatever it looks like (it is never guessed).
  const restore = evidence === 'reconciled' ? undefined : { signer, earlier, linkedAgents, ...(agent && { agent }) };
  const delta = versionDelta(baseline, text, cls, { ...(restore && { restore }), ...(reclaim && { reclaim }) });
  await ws.blobs.put(bytes);
  return {
    delta: { text: delta.ops },
    ext: { [EVIDENCE_EXT]: delta.unknown ? 'reconciled' : evidence },
    links: [...headLink, ...delta.links],
    notes,
    unchanged: delta.ops.length === 0,
    first: baseline.recorded === false,
  };
}

/**
 * The text and authorship of other file assets whose last recorded version is exactly `text`
 * (content id `out`): where a renamed or copied file came from. The ledger is read once, for the
 * first version of an asset only.
 */
async function sameTextElsewhere(ws: Workspace, asset: string, out: CID, text: string): Promise<KeptVersion[]> {
  const sources = new Set<string>();
  for await (const { record } of ws.feeds.records()) {
    if (record.asset !== undefined && record.asset !== asset && record.asset.startsWith('file:') && record.out?.equals(out)) sources.add(record.asset);
  }
  const kept: KeptVersion[] = [];
  for (const source of [...sources].sort()) {
    const { baseline } = await textBaseline(ws.feeds, ws.blobs, source);
    if (baseline.text === text && baseline.map) kept.push({ text, map: baseline.map });
  }
  return kept;
}

/** Adds a text version's fields to a contribution (links merged, the version's first). */
export function withTextVersion(contribution: Contribution, version: TextVersionFields): Contribution {
  const links = [...version.links, ...(contribution.links ?? []).filter((l) => !version.links.some((v) => v.equals(l)))];
  const out: Contribution = { ...contribution, delta: { ...contribution.delta, ...version.delta }, ext: { ...contribution.ext, ...version.ext } };
  if (links.length > 0) out.links = links;
  return out;
}

export interface SavedText {
  /** The file, absolute or relative to the workspace root. */
  path: string;
  kind: RecordKind;
  /** The class of inserted text, or (given the new text) of each changed span. */
  cls: OpClass | ((text: string) => SpanClassifier);
  /** Given the new text: what a reporter says it wrote there (see Reclaim). */
  reclaim?: (text: string) => Reclaim;
  evidence: Evidence;
  agent?: AgentRef;
  ext?: { [key: string]: DagValue };
  /** Record even when the text is as last recorded (default: skip). */
  always?: boolean;
}

export type SavedTextOutcome =
  | { status: 'recorded'; asset: string; record: DecodedRecord; inserted: number; deleted: number; notes: string[] }
  | { status: 'unchanged' | 'not-text' | 'unreadable'; asset: string; notes: string[] };

/** Records the saved text of a file as a new version of `file:<path>` (watch, agent-hook). */
export async function recordSavedText(ws: Workspace, signer: SigningIdentity, saved: SavedText): Promise<SavedTextOutcome> {
  const asset = fileAsset(ws, ws.root, saved.path);
  let bytes: Uint8Array;
  try {
    // Never through a symbolic link: it may point out of the project (a key, a secret), and
    // whatever it points at was not saved here. Refused by the open itself (O_NOFOLLOW), so a
    // link swapped in after a check cannot slip through.
    const handle = await openNoFollow(resolve(ws.root, saved.path), 'r');
    try {
      bytes = new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof UnsafePathError) return { status: 'not-text', asset, notes: [`${asset.slice('file:'.length)} is a symbolic link; not recorded (record the file it points to, inside the project)`] };
    return { status: 'unreadable', asset, notes: [] };
  }
  const text = bytes.length > MAX_TEXT_BYTES ? undefined : textOf(bytes);
  if (text === undefined) return { status: 'not-text', asset, notes: (await refuseAsText(ws, asset, bytes)) ? [`${notTextMessage(asset.slice('file:'.length), asset, bytes)}; not recorded`] : [] };
  const version = await textVersion(ws, signer.did, asset, bytes, text, typeof saved.cls === 'function' ? saved.cls(text) : saved.cls, saved.evidence, saved.agent, saved.reclaim?.(text));
  if (version.unchanged && !saved.always) return { status: 'unchanged', asset, notes: version.notes };
  const kind = saved.kind === 'asset.edit' && version.first ? 'asset.create' : saved.kind;
  let contribution: Contribution = { kind, asset, out: contentCid(bytes) };
  if (saved.agent) contribution.agent = saved.agent;
  if (saved.ext) contribution.ext = saved.ext;
  contribution = withTextVersion(contribution, version);
  const record = await ws.project.record(signer, contribution);
  const ops = version.delta.text as number[][];
  return {
    status: 'recorded',
    asset,
    record,
    inserted: ops.reduce((n, op) => n + op[2]!, 0),
    deleted: ops.reduce((n, op) => n + op[1]!, 0),
    notes: version.notes,
  };
}
