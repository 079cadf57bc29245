import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, RawBlock } from '../ledger/verify.js';
import { parseCarHeader, splitBlock } from './car-format.js';
import { readSections } from './feed-file.js';

/**
 * Every block of every feed file under `<dir>/feeds`, trusting nothing: damage that stops a file
 * from being read further is reported through `report` (naming file and byte), and the rest of
 * the ledger is still read, so one bad file never hides the state of the others.
 */
export async function* feedBlocks(dir: string, report: (finding: Finding) => void): AsyncGenerator<RawBlock> {
  const feedsDir = join(dir, 'feeds');
  let names: string[];
  try {
    names = (await readdir(feedsDir)).filter((n) => n.endsWith('.car')).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(feedsDir, name);
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const sections = readSections(handle, file, 0, size);
      let first = true;
      for (;;) {
        const step = await sections.next();
        if (step.done) {
          if (step.value.torn) report({ code: 'invalid-record', source: file, message: `${file}: incomplete final block at byte ${step.value.end} (${size - step.value.end} bytes; a crash mid-append)` });
          break;
        }
        if (first) {
          first = false;
          parseCarHeader(step.value.body);
          continue;
        }
        const { cid, data } = splitBlock(step.value.body);
        yield { source: file, position: step.value.offset, cid, bytes: data };
      }
    } catch (error) {
      report({ code: 'invalid-record', source: file, message: `${file}: unreadable: ${(error as Error).message}` });
    } finally {
      await handle.close();
    }
  }
}
