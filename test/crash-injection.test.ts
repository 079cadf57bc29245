// Crash injection (issue 3, "Reliability tests"): a child process appending to a project's feeds is
// killed with SIGKILL at random moments, 200 times. After every kill the feed must open (a torn
// final block is reported; repair() cuts it), every record the child acknowledged must be there,
// and the whole ledger must verify.
//
// Why torn tails are rare here, and what we do about it: SIGKILL ends a process, not the machine,
// so everything write(2) handed to the kernel survives it. The kernel finishes a write to a regular
// file before the signal takes effect, except between the page copies of a multi-page write (a
// batch of the child's records spans several pages), a window of microseconds. So a kill only
// rarely tears a block. The test counts the natural tears it sees, and in addition plants a torn
// block (a real signed block cut at a random length, exactly what a tear leaves) after one kill
// in eight; the next appender process must report exactly those bytes on open (opening never
// changes a feed; its first append to that feed cuts them) and carry on. A separate test cuts one block at every possible length.
//
// Most kills land while the child holds the ledger lock (it is inside it for open, head and every
// append). The next open must then break the dead holder's lock at once rather than wait for
// proper-lockfile's 10 s staleness; a third test checks that rule on its own, and that a live
// holder is waited for.
//
// Cost control: the child runs the BUILT core (what it uses of packages/core/dist, bundled into
// one file at the start: loading the whole core's module graph would cost several times node's own
// start-up) under plain `node`; children are started two ahead of their turn, while earlier ones
// run and are checked, and open the store only on "go". Signature checks are cached by CID across
// iterations (verifyBlocks checks a signature only for a block whose bytes hash to its CID, so a
// cached verdict is for the very same bytes); a full uncached verification runs at the end of each
// folder. The 200 kills are spread over eight project folders, each reused (and so growing) across
// its 25 kills, to keep the ledger that every iteration re-reads in full (the child's open, the
// parent's open and verification) small enough for the whole test to stay near a minute on two
// cores.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CID,
  Project,
  contentCid,
  identityFromSeed,
  signRecord,
  utf8Encode,
  verifyBlocks,
  verifyDecodedSignature,
  type DecodedRecord,
  type Finding,
  type RawBlock,
  type SigningIdentity,
} from '../packages/core/src/index.js';
import { CarFeedStore, carBlock, feedBlocks, feedFileName, useNodeCrypto, type CutTail } from '../packages/core/src/node/index.js';

useNodeCrypto();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'test/fixtures-scripts/crash-appender.mjs');

const KILLS = 200;
/** Kills per project folder; the folder (and its feeds) grows across them. */
const KILLS_PER_PROJECT = 25;
/** Every PLANT_EVERY-th iteration plants a torn block for the next appender to cut. */
const PLANT_EVERY = 8;
/** Children started ahead of their turn (each waits for "go" before it touches the store). */
const PRESTARTED = 2;
/** The kill lands this long after the child's first acknowledgement (uniform, ms). */
const KILL_DELAY_MS = [1, 30] as const;

const RUN_SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: reproducible choices from RUN_SEED (the kill timing itself is not reproducible). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [1, 2].map((n) => new Uint8Array(32).fill(n));
const SEEDS_HEX = SEEDS.map((seed) => Buffer.from(seed).toString('hex'));
const signers: SigningIdentity[] = SEEDS.map((seed) => identityFromSeed(seed));
const owner = signers[0]!;

const children = new Set<ChildProcess>();
const temps: string[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Resolves at the first acknowledged CID, or when the child ends without one. */
  firstAck: Promise<void>;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** What the child takes from the core. */
const CHILD_IMPORTS = {
  'index.js': ['CID', 'Project', 'contentCid', 'identityFromSeed', 'signRecord', 'utf8Encode'],
  'node/index.js': ['CarFeedStore', 'useNodeCrypto'],
};

/**
 * Bundles what the child uses of the BUILT core (packages/core/dist) into one file, with esbuild
 * (tsup's own): a child then starts in a fraction of the time the whole core's module graph takes
 * to load, and a rebuild of dist during the run cannot pull the code from under the children.
 */
async function bundleBuiltCore(outfile: string): Promise<string> {
  const dist = join(ROOT, 'packages/core/dist');
  for (const file of Object.keys(CHILD_IMPORTS)) {
    if (!existsSync(join(dist, file))) throw new Error(`${join(dist, file)} is missing: build first (pnpm -r run build)`);
  }
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve('tsup'))('esbuild') as { build(options: object): Promise<unknown> };
  await esbuild.build({
    stdin: {
      contents: Object.entries(CHILD_IMPORTS)
        .map(([file, names]) => `export { ${names.join(', ')} } from ${JSON.stringify(join(dist, file))};`)
        .join('\n'),
      resolveDir: join(ROOT, 'packages/core'),
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    // Bundled CommonJS dependencies (proper-lockfile) call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}

let childCore = '';

function startChild(dir: string, genesis: CID, seed: number): Child {
  const proc = spawn(process.execPath, [SCRIPT, dir, genesis.toString(), String(seed), ...SEEDS_HEX], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', CRASH_CORE: childCore },
  });
  children.add(proc);
  let acked: () => void = () => undefined;
  const child: Child = {
    proc,
    stdout: '',
    stderr: '',
    firstAck: new Promise<void>((resolve) => (acked = resolve)),
    closed: new Promise((resolve) =>
      proc.on('close', (code, signal) => {
        children.delete(proc);
        acked();
        resolve({ code, signal });
      }),
    ),
  };
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (text: string) => {
    child.stdout += text;
    if (/^baf\w+$/m.test(child.stdout)) acked();
  });
  proc.stderr.on('data', (text: string) => (child.stderr += text));
  proc.stdin.on('error', () => undefined);
  return child;
}

/** Complete lines only: a line the kill cut short was never an acknowledgement. */
function parseOutput(stdout: string): { ready?: { records: number; torn: CutTail[]; cut: CutTail[] }; acked: string[] } {
  const lines = stdout.split('\n').slice(0, -1);
  const readyLine = lines.find((line) => line.startsWith('ready '));
  return {
    ready: readyLine ? (JSON.parse(readyLine.slice('ready '.length)) as { records: number; torn: CutTail[]; cut: CutTail[] }) : undefined,
    acked: lines.filter((line) => !line.startsWith('ready ')),
  };
}

/** Signature verdicts by CID, reused across iterations (see the note at the top). */
function cachedSignatureVerifier(cache: Map<string, boolean>): (records: DecodedRecord[]) => Promise<boolean[]> {
  return async (records) =>
    records.map((r) => {
      const key = r.cid.toString();
      let ok = cache.get(key);
      if (ok === undefined) cache.set(key, (ok = verifyDecodedSignature(r)));
      return ok;
    });
}

/** verifyBlocks over the raw feed files, also collecting the CIDs of the blocks read. */
async function verifyFeeds(dir: string, genesis: CID, cache?: Map<string, boolean>) {
  const readFindings: Finding[] = [];
  const seen = new Set<string>();
  async function* blocks(): AsyncGenerator<RawBlock> {
    for await (const block of feedBlocks(dir, (finding) => readFindings.push(finding))) {
      seen.add(block.cid.toString());
      yield block;
    }
  }
  const report = await verifyBlocks(blocks(), { genesis, ...(cache ? { verifySignatures: cachedSignatureVerifier(cache) } : {}) });
  return { report, readFindings, seen };
}

/** A torn final block: a prefix (1 .. length-1 bytes) of a real signed block, as a crash mid-write leaves it. */
function tornBlock(project: Project, signer: SigningIdentity, length: (full: number) => number): Uint8Array {
  const record = signRecord(
    {
      kind: 'asset.edit',
      proj: project.id,
      by: signer.did,
      seq: 1_000_000,
      prev: project.id,
      at: 1_700_000_000_000,
      asset: 'file:torn.md',
      out: contentCid(utf8Encode('never acknowledged')),
    },
    signer,
  );
  const block = carBlock(record.cid, record.bytes);
  return block.subarray(0, length(block.length));
}

describe('crash injection: SIGKILL during appends', () => {
  it(`${KILLS} kills at random moments lose no acknowledged record, and the ledger opens and verifies after each`, async () => {
    const random = prng(RUN_SEED);
    const base = await mkdtemp(join(tmpdir(), 'colophon-crash-'));
    temps.push(base);
    childCore = await bundleBuiltCore(join(base, 'core.mjs'));
    const context = (i: number, dir: string) => `CRASH_SEED=${RUN_SEED}, kill ${i}, project ${dir}`;
    const stats = { acked: 0, naturalTears: 0, plantedTears: 0, lockLeftHeld: 0, startedAt: Date.now() };

    interface Folder {
      dir: string;
      project: Project;
      acked: string[];
      signatureCache: Map<string, boolean>;
    }
    const folders: Folder[] = [];
    for (let start = 0; start < KILLS; start += KILLS_PER_PROJECT) {
      const dir = join(base, `p${folders.length}`);
      await mkdir(dir);
      folders.push({ dir, project: await Project.create('crash', owner, await CarFeedStore.open(dir)), acked: [], signatureCache: new Map() });
    }
    const folderOf = (i: number) => folders[Math.floor(i / KILLS_PER_PROJECT)]!;
    // Children for the next iterations load their modules while this one runs and is checked.
    const queue: Child[] = [];
    let started = 0;
    const refill = () => {
      while (started < KILLS && queue.length < PRESTARTED) {
        const { dir, project } = folderOf(started++);
        queue.push(startChild(dir, project.id, Math.floor(random() * 2 ** 31)));
      }
    };
    refill();
    /** A torn block planted after the previous kill: the next child must cut exactly it. */
    let planted: CutTail | undefined;

    for (let i = 0; i < KILLS; i++) {
      const { dir, project, acked, signatureCache } = folderOf(i);
      const child = queue.shift()!;
      child.proc.stdin.write('go\n');
      refill();
      await child.firstAck;
      const delay = KILL_DELAY_MS[0] + random() * (KILL_DELAY_MS[1] - KILL_DELAY_MS[0]);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.proc.kill('SIGKILL');
      const exit = await child.closed;
      expect(exit.signal, `${context(i, dir)}: the child ended on its own before the kill:\n${child.stderr}`).toBe('SIGKILL');

      const output = parseOutput(child.stdout);
      expect(output.ready, `${context(i, dir)}: the child never opened the store`).toBeDefined();
      // A tear planted before this child started was seen by the child on open, exactly (and left
      // for its first append to that feed to cut).
      expect(output.ready!.torn, context(i, dir)).toEqual(planted ? [planted] : []);
      if (planted) stats.plantedTears++;
      planted = undefined;
      acked.push(...output.acked);
      stats.acked += output.acked.length;
      if (existsSync(join(dir, 'ledger.lock', 'held'))) stats.lockLeftHeld++;

      // The feed opens (taking the lock the dead child may still "hold"); repair cuts any torn tail.
      const store = await CarFeedStore.open(dir);
      const cuts = await store.repair();
      if (cuts.length > 0) {
        stats.naturalTears++;
        for (const cut of cuts) {
          expect(cut.bytes, context(i, dir)).toBeGreaterThan(0);
          expect((await stat(cut.file)).size, `${context(i, dir)}: ${cut.file} was cut`).toBe(cut.offset);
        }
      }
      // Every acknowledged record is there: this child's read back byte for byte, all of them indexed.
      for (const text of output.acked) {
        const found = await store.get(CID.parse(text));
        expect(found?.cid.toString(), `${context(i, dir)}: acknowledged ${text} is missing`).toBe(text);
      }
      const indexed = new Set((await store.query({})).map(String));
      expect(
        acked.filter((cid) => !indexed.has(cid)),
        `${context(i, dir)}: acknowledged records missing after reopen`,
      ).toEqual([]);

      // And the raw feed files verify, holding the same records the store indexed.
      const { report, readFindings, seen } = await verifyFeeds(dir, project.id, signatureCache);
      expect([...readFindings, ...report.findings], context(i, dir)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(seen.size, context(i, dir)).toBe(indexed.size);

      const lastOfFolder = (i + 1) % KILLS_PER_PROJECT === 0 || i + 1 === KILLS;
      if ((i + 1) % PLANT_EVERY === 0 && !lastOfFolder) {
        // Plant a torn block at the end of one feed; the next child opens the store first thing.
        const signer = signers[Math.floor(random() * signers.length)]!;
        const file = join(store.feedsDirectory, feedFileName(signer.did));
        if (existsSync(file)) {
          const offset = (await stat(file)).size;
          const bytes = tornBlock(project, signer, (full) => 1 + Math.floor(random() * (full - 1)));
          await appendFile(file, bytes);
          planted = { file, offset, bytes: bytes.length };
        }
      }
      if (lastOfFolder) {
        // Each folder ends with a full verification, no cached verdicts, and every acknowledgement re-read.
        const full = await verifyFeeds(dir, project.id);
        expect([...full.readFindings, ...full.report.findings], context(i, dir)).toEqual([]);
        expect(acked.filter((cid) => !full.seen.has(cid))).toEqual([]);
        const reread = await CarFeedStore.open(dir);
        for (const text of acked) expect((await reread.get(CID.parse(text)))?.cid.toString()).toBe(text);
        expect(reread.report.torn).toEqual([]);
      }
    }

    console.log(
      `crash injection: ${KILLS} kills (CRASH_SEED=${RUN_SEED}) in ${((Date.now() - stats.startedAt) / 1000).toFixed(1)} s: ` +
        `${stats.acked} acknowledged records kept, ${stats.lockLeftHeld} kills left the lock held, ` +
        `${stats.naturalTears} torn tails left by a kill, ${stats.plantedTears} planted torn tails reported by the next appender`,
    );
    expect(stats.acked).toBeGreaterThan(KILLS);
    expect(stats.plantedTears).toBeGreaterThan(0);
    // Most of the child's time is spent inside the lock (open, fdatasync), so with 200 kills it is
    // certain in practice that some died holding it: the next open must then break it at once
    // (the holder's process is gone) instead of waiting for proper-lockfile's 10 s staleness.
    expect(stats.lockLeftHeld).toBeGreaterThan(0);
  }, 300_000);

  it('cuts a torn final block at every possible length, keeps every complete record, and appends after it', async () => {
    const base = await mkdtemp(join(tmpdir(), 'colophon-torn-'));
    temps.push(base);
    const dir = join(base, 'p');
    await mkdir(dir);
    const store = await CarFeedStore.open(dir);
    const project = await Project.create('torn', owner, store);
    const other = signers[1]!;
    const records: DecodedRecord[] = [];
    for (let i = 0; i < 3; i++) {
      records.push(await project.record(other, { kind: 'asset.edit', asset: `file:${i}.md`, out: contentCid(utf8Encode(String(i))) }));
    }
    const file = join(store.feedsDirectory, feedFileName(other.did));
    const clean = await readFile(file);
    const full = tornBlock(project, other, (n) => n);
    expect(full.length).toBeGreaterThan(130); // a two-byte length prefix, so a tear can split it

    for (let length = 1; length < full.length; length++) {
      await appendFile(file, full.subarray(0, length));
      const reopened = await CarFeedStore.open(dir);
      expect(reopened.report.torn, `torn at ${length} bytes`).toEqual([{ file, offset: clean.length, bytes: length }]);
      expect(await reopened.repair(), `torn at ${length} bytes`).toEqual([{ file, offset: clean.length, bytes: length }]);
      expect((await readFile(file)).equals(clean), `torn at ${length} bytes`).toBe(true);
      for (const record of records) expect((await reopened.get(record.cid))?.cid.equals(record.cid)).toBe(true);
    }

    // A tear inside a brand-new feed's CAR header leaves an empty file, which still opens, verifies
    // and takes the signer's first record.
    const third = identityFromSeed(new Uint8Array(32).fill(3));
    const thirdFile = join(store.feedsDirectory, feedFileName(third.did));
    await appendFile(thirdFile, new Uint8Array([0x3a, 0xa2, 0x65]));
    const afterHeaderTear = await CarFeedStore.open(dir);
    expect(afterHeaderTear.report.torn).toEqual([{ file: thirdFile, offset: 0, bytes: 3 }]);
    const reopenedProject = Project.open(project.genesis, afterHeaderTear);
    const first = await reopenedProject.record(third, { kind: 'asset.edit', asset: 'file:3.md', out: contentCid(utf8Encode('3')) });
    expect(first.record.seq).toBe(0);

    // The torn feed takes appends again, and the ledger verifies.
    const more = await reopenedProject.record(other, { kind: 'asset.edit', asset: 'file:4.md', out: contentCid(utf8Encode('4')) });
    expect(more.record.seq).toBe(3);
    const { report, readFindings } = await verifyFeeds(dir, project.id);
    expect([...readFindings, ...report.findings]).toEqual([]);
    expect(report.records).toBe(1 + 3 + 1 + 1);
  });

  it('a lock left by a killed holder is broken at once; a live holder\'s lock is waited for', async () => {
    const base = await mkdtemp(join(tmpdir(), 'colophon-lock-'));
    temps.push(base);
    const dir = join(base, 'p');
    await mkdir(dir);
    await Project.create('lock', owner, await CarFeedStore.open(dir));
    const container = join(dir, 'ledger.lock');
    const held = join(container, 'held');
    /** Leaves the lock as a holder with this pid would while inside it: the lock directory and its claim. */
    const holdAs = async (pid: number) => {
      await mkdir(held);
      await writeFile(join(container, `${pid}-1-${encodeURIComponent(hostname())}.claim`), '');
      // proper-lockfile would only take the lock over once it is this old.
      return (await stat(held)).mtimeMs + 10_000;
    };
    const sleeper = () => {
      const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      return { proc, exited: new Promise((resolve) => proc.on('exit', resolve)) };
    };

    // The holder was killed: the next open does not wait for the lock to go stale.
    const dead = sleeper();
    dead.proc.kill('SIGKILL');
    await dead.exited;
    let staleAt = await holdAs(dead.proc.pid!);
    await CarFeedStore.open(dir);
    expect(Date.now()).toBeLessThan(staleAt);
    expect(existsSync(held)).toBe(false);

    // The holder is alive: the open waits for it, and goes ahead as soon as it is gone.
    const live = sleeper();
    children.add(live.proc);
    staleAt = await holdAs(live.proc.pid!);
    let opened = false;
    const opening = CarFeedStore.open(dir).then(() => (opened = true));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(opened).toBe(false);
    live.proc.kill('SIGKILL');
    await live.exited;
    await opening;
    expect(Date.now()).toBeLessThan(staleAt);
  });
});
