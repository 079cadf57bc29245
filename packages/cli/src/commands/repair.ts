import { CarFeedStore, locateProject } from '@colophon/core/node';
import { printJson, type Io } from '../output.js';

/**
 * `colophon repair`: cuts incomplete final blocks (a crash mid-append) off the feeds, saying what
 * it cut. Only this verb and appends change a feed; every reading verb leaves a torn tail in place.
 */
export async function repair(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const { dir } = await locateProject(cwd);
  const feeds = await CarFeedStore.open(dir);
  const cut = await feeds.repair();
  if (options.json) return printJson(io, { cut });
  if (cut.length === 0) return io.out('Nothing to repair: every feed ends with a complete record.');
  for (const tail of cut) io.out(`Cut an incomplete final block (${tail.bytes} bytes at byte ${tail.offset}, a crash mid-append) off ${tail.file}.`);
  io.out('Every complete record was kept; run "colophon verify" to check the ledger.');
}
