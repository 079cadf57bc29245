// One C2PA export in a fresh process, for bench/workspace.mjs: prints {size, before, peak} where
// `before` is the RSS with the SDK loaded and the ledger built, just before the export, and `peak`
// the peak RSS during the export (Linux: the peak is reset just before it, so loading the SDK's
// wasm does not count; elsewhere the process's lifetime peak, an overestimate). Usage: node --expose-gc bench/c2pa-memory.mjs <mode> <png> <out>
//   file:  exportC2paFile + writeTo (what `colophon export c2pa` does): the file is never in memory
//   bytes: exportC2pa over the file read into memory (counted in `before`: "the file in hand")
//   sdk:   the C2PA SDK signing the whole file in memory (the baseline; counted like bytes)
import { createReadStream } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';

const [mode, path, out] = process.argv.slice(2);
const bridge = await import(new URL('../packages/c2pa-bridge/dist/index.js', import.meta.url).href);
const core = await import(new URL('../packages/core/dist/index.js', import.meta.url).href);
const node = await import(new URL('../packages/core/dist/node/index.js', import.meta.url).href);
node.useNodeCrypto();
bridge.initSdk();

const hash = createHash('sha256');
for await (const piece of createReadStream(path)) hash.update(piece);
const content = core.contentCidFromDigest(new Uint8Array(hash.digest()));
const me = core.generateIdentity();
const store = new core.MemoryRecordStore();
const project = await core.Project.create('mem', me, store);
await project.record(me, { kind: 'asset.create', asset: 'file:big.png', out: content });
const chain = [await bridge.selfSignedCertificate(me, { commonName: 'bench' })];
const input = { store, blobs: new core.MemoryBlobStore(), project: project.id, asset: 'file:big.png', fileName: 'big.png', identity: me, chain };
const bytes = mode === 'file' ? undefined : new Uint8Array(await readFile(path));
const plan = mode === 'sdk' ? (await bridge.exportC2pa({ ...input, bytes })).plan : undefined;

/** Resets the kernel's peak RSS of this process (Linux >= 4.0); false where that is not possible. */
function resetPeak() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
const peakRss = (reset) => (reset ? Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024 : process.resourceUsage().maxRSS * 1024);

global.gc();
const before = process.memoryUsage().rss;
const reset = resetPeak();
if (mode === 'file') {
  const result = await bridge.exportC2paFile({ ...input, path });
  await result.writeTo(out);
} else if (mode === 'bytes') {
  await writeFile(out, (await bridge.exportC2pa({ ...input, bytes })).asset);
} else {
  await writeFile(out, (await bridge.signManifest(plan, { mime: 'image/png', label: 'PNG image', carriage: 'embedded' }, bytes, me, chain, 'big.png')).asset);
}
const peak = peakRss(reset);
console.log(JSON.stringify({ size: (await stat(path)).size, before, peak }));
