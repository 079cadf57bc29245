// `colophon import figma FILE.json`: the ledger a Figma design file carries (the Colophon plugin
// writes each signer's feed into shared plugin data on the document root, namespace `colophon`),
// read from the file's JSON as the REST API returns it (GET /v1/files/:key?plugin_data=shared).
// The feeds are joined into one CAR and imported by `import car`'s own code path, so they are
// verified exactly as any CAR is: nothing is stored unless everything verifies.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { GetFileResponse } from '@figma/rest-api-spec';
import { EMBEDDED_FEED_NAMESPACE, carBlock, carBytesBlocks, carHeader, readEmbeddedFeeds, type CID, type RawBlock } from '@colophon/core/record';
import { writeFileAtomic } from '@colophon/core/node';
import { cannotRead, CheckFailedError, UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { importCar } from './car.js';

/** A design file's JSON is untrusted input: bound what is read. */
export const MAX_FIGMA_JSON_BYTES = 512 * 1024 * 1024;

export async function importFigma(cwd: string, file: string, options: { json?: boolean }, io: Io): Promise<void> {
  const path = resolve(cwd, file);
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new UsageError(`${file} is not a file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(file, '', error);
  }
  if (size > MAX_FIGMA_JSON_BYTES) throw new UsageError(`${file} is ${size} bytes, above the ${MAX_FIGMA_JSON_BYTES}-byte limit`);
  let parsed: Partial<GetFileResponse> | null;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<GetFileResponse> | null;
  } catch (error) {
    throw new CheckFailedError(`${file}: not JSON (${(error as Error).message})`);
  }
  const shared = parsed?.document?.sharedPluginData;
  if (!parsed || typeof parsed.document !== 'object' || parsed.document === null) throw new CheckFailedError(`${file}: no "document" node; expected a Figma file as GET /v1/files/:key returns it`);
  if (shared === undefined) throw new CheckFailedError(`${file}: the document node has no sharedPluginData; fetch the file with ?plugin_data=shared`);
  const entries = (shared as Record<string, unknown> | null)?.[EMBEDDED_FEED_NAMESPACE];
  if (entries === undefined) throw new CheckFailedError(`${file}: no "${EMBEDDED_FEED_NAMESPACE}" entries in the document's sharedPluginData (the Colophon plugin has not recorded in this file)`);
  if (entries === null || typeof entries !== 'object' || Object.values(entries).some((v) => typeof v !== 'string')) {
    throw new CheckFailedError(`${file}: document.sharedPluginData.${EMBEDDED_FEED_NAMESPACE} must map keys to strings`);
  }

  const { feeds, problems } = readEmbeddedFeeds(entries as Record<string, string>);
  const blocks: RawBlock[] = [];
  const heads: CID[] = [];
  let project: CID | undefined;
  for (const feed of feeds) {
    const source = `${file}#${EMBEDDED_FEED_NAMESPACE}/feeds/${feed.signer}`;
    try {
      const parsedFeed = carBytesBlocks(feed.car, source);
      if (project && !parsedFeed.root.equals(project)) throw new RangeError(`${source}: the feed names project ${parsedFeed.root}, another feed ${project}`);
      project = parsedFeed.root;
      blocks.push(...parsedFeed.blocks);
      const last = parsedFeed.blocks[parsedFeed.blocks.length - 1];
      if (last) heads.push(last.cid);
    } catch (error) {
      problems.push({ key: `feeds/${feed.signer}`, message: (error as Error).message });
    }
  }
  if (problems.length > 0) {
    if (options.json) printJson(io, { imported: 0, problems });
    else {
      io.out(`Refused to import ${file}: ${problems.length} problem(s) in its Colophon entries; nothing was stored.`);
      for (const problem of problems) io.out(`  [${problem.key}] ${problem.message}`);
    }
    throw new CheckFailedError('');
  }
  if (blocks.length === 0) throw new CheckFailedError(`${file}: the document holds no Colophon feeds`);

  // One CAR of every feed (roots = their heads), imported and verified as `import car` does.
  const dir = await mkdtemp(join(tmpdir(), 'colophon-figma-'));
  try {
    const car = join(dir, `${basename(file)}.car`);
    await writeFileAtomic(car, Buffer.concat([carHeader(heads), ...blocks.map((b) => carBlock(b.cid, b.bytes))]));
    await importCar(cwd, car, options, io);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
