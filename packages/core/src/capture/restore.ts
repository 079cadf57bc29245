// Text that comes back. A new version of a file compared with the last one (record --file, watch,
// agent hooks) cannot tell an undo, a file restored from a backup or a paragraph cut and pasted
// back from new writing: the diff sees inserted text, and would give it the class the new version
// states. When the inserted text is, verbatim, text the asset held before (in the last version or
// an earlier kept one), it gets the author it had there instead, as the capture session's undo
// does: AI text never turns into the signer's by coming back.
import type { CID } from 'multiformats/cid';
import { modelLabel, toolLabel, type Author, type OpClass } from '../attribution/classes.js';
import type { TextAuthorshipMap } from '../attribution/text-map.js';
import type { AgentRef } from '../record/types.js';

/** An earlier version of a text whose text was kept, with its authorship. */
export interface KeptVersion {
  text: string;
  map: TextAuthorshipMap;
}

/** Who states the new version, and which earlier versions its inserted text may come from (newest first). */
export interface RestoreRule {
  /** The signer's did: their own human or pasted text can come back as theirs. */
  signer: string;
  /** The new record's agent, if any: its own AI or tool text comes back as the record's class. */
  agent?: AgentRef;
  /**
   * Agents named by records the new record links anyway (the asset's head by another signer,
   * links given by the user): an `ai`/`tool` op would resolve to them, so text of another agent of
   * that type comes back unknown rather than making the record ambiguous.
   */
  linkedAgents?: readonly AgentRef[];
  earlier: readonly KeptVersion[];
}

/**
 * Shorter inserted text is not taken for text that came back: a word or a short line ("MARA",
 * "- one") recurs by chance, a sentence does not.
 */
export const MIN_RESTORED_UNITS = 20;

/** One piece of restored text: its length and the class the new record states it with. */
export interface RestoredPiece {
  length: number;
  class: OpClass;
}

/**
 * Works out, per inserted text, whether it came back and as whose. Links are the records that
 * name a restored AI model or tool (the new record links them, so its `ai`/`tool` ops resolve to
 * that agent); there is at most one per type, as a record with two would be ambiguous.
 */
export class Restorer {
  private readonly linked = new Map<'ai' | 'tool', { label: string; record: CID }>();

  /** Agent labels per type that the record's other links already name. */
  private readonly preLinked = new Map<'ai' | 'tool', Set<string>>();

  constructor(private readonly rule: RestoreRule) {
    for (const agent of rule.linkedAgents ?? []) {
      const labels = this.preLinked.get(agent.type) ?? new Set<string>();
      labels.add(labelOf(agent));
      this.preLinked.set(agent.type, labels);
    }
  }

  /** The records the new version must link for its restored AI or tool text. */
  links(): CID[] {
    return [...this.linked.values()].map((l) => l.record);
  }

  /**
   * The pieces of `inserted` (placed at `pos` of `text`, the new version) with the authors it had
   * in the newest earlier version holding it, or undefined when it did not come back: too short,
   * held by no earlier version, or a copy (the new text holds it elsewhere too, so the original
   * is still there and this is new writing that repeats it).
   */
  restore(text: string, pos: number, inserted: string): RestoredPiece[] | undefined {
    if (inserted.length < MIN_RESTORED_UNITS) return undefined;
    if (text.indexOf(inserted) !== pos || text.indexOf(inserted, pos + 1) !== -1) return undefined;
    for (const version of this.rule.earlier) {
      const at = version.text.indexOf(inserted);
      if (at === -1 || version.map.length !== version.text.length) continue;
      const pieces: RestoredPiece[] = [];
      version.map.forEachRun((_start, length, author) => {
        const cls = this.classOf(author);
        const last = pieces[pieces.length - 1];
        if (last && last.class === cls) last.length += length;
        else pieces.push({ length, class: cls });
      }, at, at + inserted.length);
      return pieces;
    }
    return undefined;
  }

  /**
   * How the new record states a restored author: the signer's own human or pasted text as theirs;
   * an AI model's or tool's as that agent's (the record's own agent, or a linked record naming
   * it); anything this signer cannot state (another person's text, text of a second model, text
   * whose author was never known) as unknown.
   */
  private classOf(author: Author): OpClass {
    switch (author.class) {
      case 'human':
        return author.who === this.rule.signer ? 'human' : 'unknown';
      case 'pasted':
        return author.who === this.rule.signer ? 'paste' : 'unknown';
      case 'unknown':
        return 'unknown';
      case 'ai':
      case 'tool': {
        const own = this.rule.agent;
        if (own?.type === author.class) return labelOf(own) === author.who ? author.class : 'unknown';
        const pre = this.preLinked.get(author.class);
        if (pre) return pre.size === 1 && pre.has(author.who) ? author.class : 'unknown';
        const linked = this.linked.get(author.class);
        if (linked) return linked.label === author.who ? author.class : 'unknown';
        if (!author.record) return 'unknown';
        this.linked.set(author.class, { label: author.who, record: author.record });
        return author.class;
      }
    }
  }
}

function labelOf(agent: AgentRef): string {
  return agent.type === 'ai' ? modelLabel(agent) : toolLabel(agent);
}
