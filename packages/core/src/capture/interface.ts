// The capture API editor adapters build on (VS Code extension, Figma plugin, the CLI's watch and
// agent hook). Platform-neutral: no I/O, no timers or clocks of its own (all injected).
//
// An adapter opens one session per document (text) or asset (nodes), feeds it the host's events,
// and closes it. The session updates the in-memory authorship map on the event path and nothing
// else; records are built, signed and appended later, by the shared LedgerWriter.
import type { CID } from 'multiformats/cid';
import type { OpClass } from '../attribution/classes.js';
import type { NodeAuthorshipMap } from '../attribution/node-map.js';
import type { TextAuthorshipMap } from '../attribution/text-map.js';
import type { RecordHandle } from '../lineage/handle.js';
import type { AgentRef } from '../record/types.js';
import type { Evidence } from '../attribution/evidence.js';
import type { Scheduler } from '../lineage/ledger-writer.js';

/** Who/what made a change, as the adapter knows it. `agent` is required for `ai` and `tool`. */
export interface ChangeSource {
  class: OpClass;
  /**
   * How the class was observed; one per record, in `ext["colophon.evidence"]`:
   * - `typed`      an editor event (keystrokes, paste, undo) reported by the editor itself;
   * - `command`    Colophon's own AI command inserted it, so the model is known first-hand;
   * - `reported`   another tool said so through our API or an agent hook (trust the reporter);
   * - `diff`       two saved versions were compared; the class is what the signer stated;
   * - `reconciled` changed while nothing was watching; always class `unknown`.
   */
  evidence: Evidence;
  agent?: AgentRef;
  /** Records this change builds on (the intent/prompt record of an AI command, a generate step). */
  links?: readonly (CID | RecordHandle)[];
}

/**
 * One text change, positions in UTF-16 code units of the text before the change (what VS Code's
 * `rangeOffset`/`rangeLength` and `String.prototype.length` count). Multi-cursor edits are several
 * changes, applied in the order given (report them from the end of the document backwards, as
 * VS Code does, or adjust positions yourself).
 */
export interface TextChange extends ChangeSource {
  pos: number;
  /** Code units deleted at pos. */
  deleted: number;
  /** Text inserted at pos (after the deletion). */
  inserted: string;
  /**
   * The editor reports this change as an undo or redo. Text that comes back gets the author it had
   * when it was removed (matched by position and length against what this session saw removed);
   * text whose author cannot be known is `unknown`. `class` then only applies to deletions.
   */
  undo?: 'undo' | 'redo';
}

/** A change to a node-based asset (Figma): the same shape as the record's node delta. */
export interface NodeChange extends ChangeSource {
  /** Properties set, per node id. */
  nodes?: { [nodeId: string]: readonly string[] };
  created?: readonly string[];
  deleted?: readonly string[];
}

export type { Scheduler } from '../lineage/ledger-writer.js';

export interface CaptureOptions {
  /** Unix ms, for record `at` and idle gaps. */
  clock: () => number;
  /** Timer for idle gaps; without one, bursts close only on save, focus loss, close or flush. */
  schedule?: Scheduler;
  /** Idle gap that closes a burst (default 2000 ms). */
  idleMs?: number;
  /** Also close a burst after this many ops (default 512; a record holds at most 4096). */
  maxOps?: number;
}

/** Where a text session starts: the last recorded state of the document. */
export interface TextBaseline {
  /**
   * The text the last record of the asset produced (the kept version). Absent when it is not
   * available (not kept, or never recorded per character): the first replaceAll/reconcile then
   * records the whole text as replaced, rather than guessing what changed.
   */
  text?: string;
  /** Authorship of `text`, replayed from the ledger (assetAttribution(...).textMap). Absent: the asset has no text history. */
  map?: TextAuthorshipMap;
  /** The asset's last version (content record), linked by the first burst so causal order holds across signers. */
  head?: CID;
  /** Whether the asset already has records (then the first burst is asset.edit, else asset.create). */
  recorded?: boolean;
}

export interface TextSessionOptions {
  /** Asset id, e.g. `file:chapters/01.md`. */
  asset: string;
  baseline: TextBaseline;
  /** Store every recorded version's text in the blob store (off-ledger), so the next diff has it. */
  keepText?: boolean;
}

export interface NodeSessionOptions {
  asset: string;
  /** Replayed from the ledger (assetAttribution(...).nodeMap), when the asset has history. */
  map?: NodeAuthorshipMap;
  head?: CID;
  recorded?: boolean;
  /** The content id of the asset's current state, asked when a burst closes (default: a state id chained from the deltas). */
  contentId?: () => CID;
}

/** What a closed burst became (reported to `onBurst`, e.g. to refresh decorations). */
export interface BurstInfo {
  asset: string;
  class: OpClass;
  evidence: Evidence;
  ops: number;
  record: RecordHandle;
}

/** The session surface an adapter uses. */
export interface CaptureSession {
  readonly asset: string;
  /** Closes the open burst (a save). */
  save(): void;
  /** Closes the open burst (the editor lost focus). */
  focusLost(): void;
  /** Closes the open burst and waits until every record of this session is in the ledger. */
  flush(): Promise<void>;
  /** flush(), then refuses further events. */
  close(): Promise<void>;
}

export interface TextCaptureSession extends CaptureSession {
  /** The hot path: O(log runs), no I/O, no hashing, no signing. */
  change(change: TextChange): void;
  /**
   * Records `text` as the new state, diffing the session's text against it (word-level spans),
   * each changed span with `source`. When the baseline text is not available, the whole text is
   * recorded as replaced by unknown text (evidence reconciled), whatever `source` says.
   */
  replaceAll(text: string, source: ChangeSource): number;
  /** What changed while nothing watched: `text` vs the session's text, recorded as unknown/reconciled. Returns changed code units. */
  reconcile(text: string): number;
  /** The session's current text (O(n); not for the event path). */
  text(): string;
  readonly map: TextAuthorshipMap;
}

export interface NodeCaptureSession extends CaptureSession {
  change(change: NodeChange): void;
  readonly map: NodeAuthorshipMap;
}
