// A small file per recording process listing the records it has queued but not yet written. A
// process that ends normally removes it; one that crashed leaves it behind, and the next recorder
// to open the project reads what was lost and says so. Written with synchronous appends: a few
// microseconds on the caller's path, and in the kernel (so it survives the process) before the
// caller's step returns. A crash in the instant between a batch reaching the ledger and its line
// "done" reaching the journal reports that batch as lost although it was written: the report errs
// on the side of saying too much, never too little.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { StepJournal } from '../../lineage/recorder.js';
import { processAlive } from '../process-alive.js';

export const JOURNAL_DIRECTORY = 'pipeline';
const SUFFIX = '.journal';
/** A journal file is read back only up to this size (a crashed process wrote at most its unflushed queue). */
const MAX_JOURNAL_BYTES = 64 * 1024 * 1024;

export interface LostRecord {
  /** The recorder's local id, `<run>/<n>`. */
  id: string;
  /** What it was: "agent.step draft", "check brand", "intent". */
  label: string;
  /** When it was queued (Unix ms). */
  at: number;
}

export interface LostReport {
  /** The journal file that was read (then removed). */
  file: string;
  pid: number;
  records: LostRecord[];
}

let journals = 0;


export class FileStepJournal implements StepJournal {
  private fd: number | undefined;
  private readonly outstanding = new Set<string>();

  private constructor(readonly path: string) {}

  /** Creates this process's journal in `<colophon dir>/pipeline/`. */
  static async create(colophonDir: string): Promise<FileStepJournal> {
    const dir = join(colophonDir, JOURNAL_DIRECTORY);
    await mkdir(dir, { recursive: true });
    const name = `${process.pid}-${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-${Date.now()}-${journals++}${SUFFIX}`;
    const journal = new FileStepJournal(join(dir, name));
    journal.fd = openSync(journal.path, 'a', 0o600);
    return journal;
  }

  pending(id: string, label: string): void {
    if (this.fd === undefined) return;
    this.outstanding.add(id);
    writeSync(this.fd, `${JSON.stringify({ p: id, l: label, t: Date.now() })}\n`);
  }

  done(ids: readonly string[]): void {
    if (this.fd === undefined) return;
    for (const id of ids) this.outstanding.delete(id);
    // Nothing outstanding: start the file over, so it stays as small as the queue.
    if (this.outstanding.size === 0) ftruncateSync(this.fd, 0);
    else writeSync(this.fd, `${JSON.stringify({ d: ids })}\n`);
  }

  /** Closes and removes the journal; call only once everything queued was written. */
  async close(): Promise<void> {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    if (this.outstanding.size === 0) await unlink(this.path).catch(() => undefined);
  }
}

/** Parses a journal: records queued and never marked done. Lines cut by a crash are skipped. */
export function lostRecords(text: string): LostRecord[] {
  const pending = new Map<string, LostRecord>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    let entry: { p?: unknown; l?: unknown; t?: unknown; d?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (typeof entry.p === 'string') pending.set(entry.p, { id: entry.p, label: typeof entry.l === 'string' ? entry.l : '?', at: typeof entry.t === 'number' ? entry.t : 0 });
    if (Array.isArray(entry.d)) for (const id of entry.d) if (typeof id === 'string') pending.delete(id);
  }
  return [...pending.values()];
}

/**
 * Reads the journals that processes of this host left behind when they died, removes them, and
 * returns what each had queued and not written. Journals of live processes, and of other hosts
 * (whose liveness cannot be told from here), are left alone.
 */
export async function recoverJournals(colophonDir: string): Promise<LostReport[]> {
  const dir = join(colophonDir, JOURNAL_DIRECTORY);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_');
  const reports: LostReport[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith(SUFFIX)) continue;
    const match = /^(\d+)-(.+)-(\d+)-(\d+)\.journal$/.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (match[2] !== host || processAlive(pid)) continue;
    const file = join(dir, name);
    let text: string;
    try {
      const bytes = await readFile(file);
      text = bytes.subarray(0, MAX_JOURNAL_BYTES).toString('utf8');
    } catch {
      continue;
    }
    await unlink(file).catch(() => undefined);
    const records = lostRecords(text);
    if (records.length > 0) reports.push({ file, pid, records });
  }
  return reports;
}
