// A capture session for one text document: editor events in, the authorship map kept current on
// the event path (O(log runs)), bursts out as asset.edit / ai.generate records with delta.text.
import type { CID } from 'multiformats/cid';
import type { DagValue } from '../cbor/codec.js';
import { contentCid } from '../cid.js';
import { utf8Encode } from '../text/utf8.js';
import { modelLabel, toolLabel, type Author } from '../attribution/classes.js';
import { TextAuthorshipMap } from '../attribution/text-map.js';
import type { LedgerWriter } from '../lineage/ledger-writer.js';
import type { AgentRef } from '../record/types.js';
import { once } from '../once.js';
import { CaptureError } from './errors.js';
import type { BurstInfo, CaptureOptions, ChangeSource, TextCaptureSession, TextChange, TextSessionOptions } from './interface.js';
import { SessionBase, type BurstSource, type OpenBurst } from './session.js';
import { applyTextEdits, textEdits, type TextEditOp } from './text-diff.js';
import type { Evidence } from '../attribution/evidence.js';
import { isUint } from '../values.js';

/** Text removed from the document, with who had written it, so an undo can give it back. */
interface Buried {
  pos: number;
  length: number;
  runs: { length: number; author: Author }[];
}

/** How many removals an undo can reach back to (editors keep about as many undo stops). */
const GRAVEYARD_SIZE = 1000;
/** How far down the removals an undo looks for its match. */
const UNDO_SEARCH = 64;

const UNKNOWN: Author = { class: 'unknown', who: '' };

export class TextSession extends SessionBase<TextEditOp> implements TextCaptureSession {
  readonly map: TextAuthorshipMap;
  /** The text after the last closed burst; computed lazily, off the event path. */
  private keptText: () => string;
  private readonly graveyard: Buried[] = [];
  /** The removal the last event made, when it was a pure deletion (the next one may extend it). */
  private deleting: Buried | undefined;
  /** Agents seen in this session by label, so restored AI or tool text names its agent again. */
  private readonly agents = new Map<string, AgentRef>();
  private readonly authors = new Map<string, Author>();
  private currentBurst: OpenBurst<TextEditOp> | undefined;
  private currentAuthor: Author = UNKNOWN;
  private readonly keepText: boolean;
  /** The baseline text is not available: the next replaceAll replaces all of it. */
  private textLost = false;

  constructor(writer: LedgerWriter, options: CaptureOptions & { onBurst?: (info: BurstInfo) => void }, session: TextSessionOptions) {
    const { baseline } = session;
    if (baseline === null || typeof baseline !== 'object') throw new CaptureError(`${session.asset}: a text session needs its baseline (see textBaseline)`);
    super(session.asset, writer, options, baseline.head, baseline.recorded ?? baseline.map !== undefined);
    this.keepText = session.keepText === true;
    if (baseline.text === undefined) {
      // The text is not known (at most its map is): nothing can be typed until it is given (replaceAll, reconcile).
      this.map = baseline.map ?? new TextAuthorshipMap();
      this.textLost = true;
      this.keptText = () => '';
    } else if (baseline.map && baseline.text !== undefined) {
      if (baseline.map.length !== baseline.text.length) {
        throw new CaptureError(`${session.asset}: the baseline map covers ${baseline.map.length} code units, its text has ${baseline.text.length}`);
      }
      this.map = baseline.map;
      const text = baseline.text;
      this.keptText = () => text;
    } else {
      // No authorship is known for this text: the first record states all of it, as unknown.
      this.map = new TextAuthorshipMap();
      this.keptText = () => '';
      if (baseline.text) this.reconcile(baseline.text);
    }
  }

  change(change: TextChange): void {
    this.checkOpen();
    if (this.textLost) throw new CaptureError(`${this.asset}: the session's previous text is not available; give the current text first (replaceAll or reconcile)`);
    const { pos, deleted, inserted } = change;
    if (!isUint(pos) || !isUint(deleted) || typeof inserted !== 'string' || pos + deleted > this.map.length) {
      throw new CaptureError(`${this.asset}: text change {pos: ${pos}, deleted: ${deleted}} does not fit the text (length ${this.map.length}); reconcile the session with the editor's text`);
    }
    if (deleted === 0 && inserted === '') return;
    if (change.undo) return this.restore(change);
    const burst = this.burstFor(change, 'text change');
    const author = this.authorOf(burst);
    this.bury(pos, deleted, inserted === '');
    this.map.apply({ pos, del: deleted, ins: inserted.length }, author);
    this.push(burst, { pos, del: deleted, text: inserted });
  }

  replaceAll(text: string, source: ChangeSource): number {
    this.checkOpen();
    if (typeof text !== 'string') throw new CaptureError(`${this.asset}: replaceAll needs the new text`);
    this.closeBurst();
    let changed = 0;
    if (this.textLost) {
      // Nothing to diff against: the whole previous text is replaced by the new one, whose author
      // nobody can know from here, whatever the caller says.
      this.textLost = false;
      const edit = { pos: 0, del: this.map.length, text };
      const burst = this.burstFor({ class: 'unknown', evidence: 'reconciled' }, 'replace');
      this.map.apply({ pos: 0, del: edit.del, ins: text.length }, this.authorOf(burst));
      burst.ops.push(edit);
      this.closeBurst();
      return edit.del + text.length;
    }
    for (const op of textEdits(this.keptText(), text)) {
      this.change({ ...source, pos: op.pos, deleted: op.del, inserted: op.text });
      changed += op.del + op.text.length;
    }
    this.closeBurst();
    return changed;
  }

  reconcile(text: string): number {
    return this.replaceAll(text, { class: 'unknown', evidence: 'reconciled' });
  }

  text(): string {
    return applyTextEdits(this.keptText(), this.burst?.ops ?? []);
  }

  /** The author the burst's inserted text gets in the map (cached per burst: the event path stays cheap). */
  private authorOf(burst: OpenBurst<TextEditOp>): Author {
    if (burst !== this.currentBurst) {
      this.currentBurst = burst;
      this.currentAuthor = this.authorFor(burst.source);
    }
    return this.currentAuthor;
  }

  private authorFor(source: BurstSource): Author {
    let who = '';
    if (source.class === 'human' || source.class === 'paste') who = this.writer.signer.did;
    else if (source.agent?.type === 'ai') who = modelLabel(source.agent);
    else if (source.agent?.type === 'tool') who = toolLabel(source.agent);
    if (source.agent) this.agents.set(who, source.agent);
    const key = `${source.class}\u0000${who}`;
    let author = this.authors.get(key);
    if (!author) {
      author = { class: source.class === 'paste' ? 'pasted' : source.class, who };
      this.authors.set(key, author);
    }
    return author;
  }

  /** Adds an op to the burst, merging it into the last one when it continues it (typing, backspacing). */
  private push(burst: OpenBurst<TextEditOp>, op: TextEditOp): void {
    const last = burst.ops[burst.ops.length - 1];
    if (last) {
      const end = last.pos + last.text.length;
      if (op.del === 0 && op.pos === end) {
        last.text += op.text;
        return;
      }
      if (op.text === '' && last.text === '' && (op.pos + op.del === last.pos || op.pos === last.pos)) {
        // Backspace (or delete) after a deletion: one longer deletion.
        last.pos = op.pos;
        last.del += op.del;
        return;
      }
      if (op.text === '' && op.pos + op.del === end && op.pos >= last.pos) {
        last.text = last.text.slice(0, op.pos - last.pos);
        if (last.del === 0 && last.text === '') burst.ops.pop();
        return;
      }
    }
    burst.ops.push(op);
  }

  /**
   * Remembers who wrote the text about to be removed. Consecutive pure deletions (a run of
   * backspaces or deletes) become one removal, as editors undo them in one step.
   */
  private bury(pos: number, length: number, pureDeletion: boolean): void {
    const previous = this.deleting;
    this.deleting = undefined;
    if (length === 0) return;
    const runs: Buried['runs'] = [];
    this.map.forEachRun((_, len, author) => runs.push({ length: len, author }), pos, pos + length);
    if (pureDeletion && previous && previous === this.graveyard[this.graveyard.length - 1]) {
      if (previous.pos === pos + length) {
        previous.pos = pos;
        previous.length += length;
        previous.runs = runs.concat(previous.runs);
        this.deleting = previous;
        return;
      }
      if (previous.pos === pos) {
        previous.length += length;
        previous.runs = previous.runs.concat(runs);
        this.deleting = previous;
        return;
      }
    }
    const entry = { pos, length, runs };
    this.graveyard.push(entry);
    if (this.graveyard.length > GRAVEYARD_SIZE) this.graveyard.shift();
    if (pureDeletion) this.deleting = entry;
  }

  private exhume(pos: number, length: number): Buried['runs'] | undefined {
    const stop = Math.max(0, this.graveyard.length - UNDO_SEARCH);
    for (let i = this.graveyard.length - 1; i >= stop; i--) {
      const entry = this.graveyard[i]!;
      if (entry.pos === pos && entry.length === length) {
        this.graveyard.splice(i, 1);
        return entry.runs;
      }
    }
    return undefined;
  }

  /**
   * An undo or redo: what it removes is removed by the stated class; what it brings back gets the
   * author it had when removed, as far as a record of this signer can state it (see restoredSource).
   */
  private restore(change: TextChange): void {
    const { pos, deleted, inserted } = change;
    // Matched before this undo's own removal is remembered (which a redo may then give back).
    const runs = inserted === '' ? [] : (this.exhume(pos, inserted.length) ?? [{ length: inserted.length, author: UNKNOWN }]);
    if (deleted > 0) {
      const burst = this.burstFor(change, 'undo');
      this.bury(pos, deleted, false);
      this.map.apply({ pos, del: deleted, ins: 0 }, this.authorOf(burst));
      this.push(burst, { pos, del: deleted, text: '' });
    } else this.deleting = undefined;
    if (inserted === '') return;
    let at = pos;
    for (const run of runs) {
      const { source, author } = this.restoredSource(run.author, change.evidence);
      const burst = this.burstFor(source, 'undo', true);
      this.map.apply({ pos: at, del: 0, ins: run.length }, author);
      this.push(burst, { pos: at, del: 0, text: inserted.slice(at - pos, at - pos + run.length) });
      at += run.length;
    }
    // What is typed next is not part of the restore.
    this.closeBurst();
  }

  /**
   * How a record of this signer states a restored author: the signer's own human or pasted text
   * as such; AI or tool text with its agent (seen in this session) or by linking the record that
   * named it; anything else (another person's text, text whose author was never known) as unknown.
   */
  private restoredSource(author: Author, evidence: Evidence): { source: ChangeSource; author: Author } {
    const signer = this.writer.signer.did;
    if ((author.class === 'human' || author.class === 'pasted') && author.who === signer) {
      return { source: { class: author.class === 'pasted' ? 'paste' : 'human', evidence }, author };
    }
    if (author.class === 'ai' || author.class === 'tool') {
      const agent = this.agents.get(author.who);
      if (agent) return { source: { class: author.class, evidence, agent }, author };
      if (author.record) return { source: { class: author.class, evidence, links: [author.record] }, author };
    }
    return { source: { class: 'unknown', evidence: evidence === 'reconciled' ? 'reconciled' : evidence }, author: UNKNOWN };
  }

  protected isEffective(burst: OpenBurst<TextEditOp>): boolean {
    return burst.ops.length > 0;
  }

  protected seal(burst: OpenBurst<TextEditOp>): void {
    let base: (() => string) | undefined = this.keptText;
    let value: string | undefined;
    const ops = burst.ops;
    // Each version is computed once, when its record is built; the one before is then let go.
    this.keptText = () => {
      if (value === undefined) {
        value = applyTextEdits(base!(), ops);
        base = undefined;
      }
      return value;
    };
  }

  protected builder(burst: OpenBurst<TextEditOp>): () => { delta: { [key: string]: DagValue }; out: CID; blobs: Uint8Array[] } {
    const textAfter = this.keptText;
    const cls = burst.source.class;
    const keep = this.keepText;
    return once(() => {
      const bytes = utf8Encode(textAfter());
      const ops = burst.ops.map((op) => [op.pos, op.del, op.text.length, cls] as DagValue);
      return { delta: { text: ops }, out: contentCid(bytes), blobs: keep ? [bytes] : [] };
    });
  }
}
