import { readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import { decode } from '../cbor/codec.js';
import type { Finding, RawBlock } from '../ledger/verify.js';
import { parseCarHeader, splitBlock } from '../ledger/car-format.js';
import { CorruptFeedError, readSections } from './feed-file.js';
import { openNoFollow, unsafeReason } from './safe-files.js';

export interface FeedBlocksOptions {
  /** The project: every feed header must name it. */
  project?: CID;
  /**
   * An incomplete final block: a finding (`report`, the default), or left unread (`skip`) by a
   * reader that runs while others may be appending, where it is most likely an append under way.
   */
  tornTail?: 'report' | 'skip';
}

/**
 * Every block of every feed file under `<dir>/feeds`, trusting nothing: damage that stops a file
 * from being read further is reported through `report` (naming file and byte), and the rest of
 * the ledger is still read, so one bad file never hides the state of the others. Given the
 * project, every header must name it, even a feed with no records left.
 */
export async function* feedBlocks(dir: string, report: (finding: Finding) => void, options: FeedBlocksOptions = {}): AsyncGenerator<RawBlock> {
  const feedsDir = join(dir, 'feeds');
  const feedsDirProblem = await unsafeReason(feedsDir, 'directory');
  if (feedsDirProblem) {
    report({ code: 'unsafe-path', source: feedsDir, message: `${feedsDir} ${feedsDirProblem}; it was not read (Colophon never follows links inside .colophon/)` });
    return;
  }
  let names: string[];
  try {
    names = (await readdir(feedsDir)).filter((n) => n.endsWith('.car')).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(feedsDir, name);
    const problem = await unsafeReason(file, 'file');
    if (problem) {
      report({ code: 'unsafe-path', source: file, message: `${file} ${problem}; it was not read (Colophon never follows links inside .colophon/)` });
      continue;
    }
    let handle: FileHandle;
    try {
      handle = await openNoFollow(file, 'r');
    } catch (error) {
      report({ code: 'unsafe-path', source: file, message: `${file}: cannot be read safely: ${(error as Error).message}` });
      continue;
    }
    try {
      const { size } = await handle.stat();
      const sections = readSections(handle, file, 0, size);
      let first = true;
      let roots: CID[] | undefined;
      /** Start of the section being read, for messages. */
      let at = 0;
      try {
        for (;;) {
          const step = await sections.next();
          if (step.done) {
            at = step.value.end;
            if (step.value.torn && options.tornTail !== 'skip') report({ code: 'invalid-record', source: file, message: `${file}: incomplete final block at byte ${at} (${size - at} bytes; a crash mid-append; "colophon repair" cuts it)${await claimedCid(handle, at, size)}` });
            break;
          }
          at = step.value.offset;
          if (first) {
            first = false;
            roots = parseCarHeader(step.value.body);
            if (options.project) {
              checkRootsAgainst(file, roots, options.project, 'the project', report);
              roots = undefined;
            }
            continue;
          }
          const { cid, data } = splitBlock(step.value.body);
          if (roots) {
            checkRoots(file, roots, cid, data, report);
            roots = undefined;
          }
          yield { source: file, position: step.value.offset, cid, bytes: data };
        }
      } catch (error) {
        if (error instanceof CorruptFeedError) at = error.offset;
        report({ code: 'invalid-record', source: file, message: `${file}: unreadable from byte ${at}: ${(error as Error).message}${at > 0 ? await claimedCid(handle, at, size) : ''}` });
      }
    } catch (error) {
      report({ code: 'invalid-record', source: file, message: `${file}: unreadable: ${(error as Error).message}` });
    } finally {
      await handle.close();
    }
  }
}

/**
 * A feed's CAR header has one root, the project: the genesis CID, which is the `proj` of the feed's
 * first record, or that record itself when it is the genesis. Anything else was written by someone
 * else or altered. (A first record too damaged to say is reported by the verifier anyway.)
 */
function checkRoots(file: string, roots: CID[], cid: CID, data: Uint8Array, report: (finding: Finding) => void): void {
  let project: CID;
  try {
    project = CID.asCID((decode(data) as { proj?: unknown }).proj) ?? cid;
  } catch {
    return;
  }
  checkRootsAgainst(file, roots, project, "the project of the feed's first record", report);
}

function checkRootsAgainst(file: string, roots: CID[], project: CID, what: string, report: (finding: Finding) => void): void {
  if (roots.length !== 1 || !roots[0]!.equals(project)) {
    report({ code: 'wrong-project', source: file, message: `${file}: the CAR header names root ${roots.join(', ') || '(none)'}, not ${what} ${project}` });
  }
}

/** Names the CID a damaged block section at `offset` claims, when its CID bytes can still be read. */
async function claimedCid(handle: FileHandle, offset: number, size: number): Promise<string> {
  try {
    const bytes = new Uint8Array(Math.max(0, Math.min(128, size - offset)));
    await handle.read(bytes, 0, bytes.length, offset);
    let i = 0;
    while (i < 9 && i < bytes.length && bytes[i]! >= 0x80) i++;
    const [cid] = CID.decodeFirst(bytes.subarray(i + 1));
    return ` (the block there claims CID ${cid})`;
  } catch {
    return '';
  }
}
