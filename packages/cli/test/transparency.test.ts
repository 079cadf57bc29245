import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCid, signRecord, verifyInclusionBundle, type InclusionBundle } from '@colophon/core';
import { FileKeyStore, carBlock, carHeader, feedFileName } from '@colophon/core/node';
import { idNew } from '../src/commands/id.js';
import { init } from '../src/commands/init.js';
import { record } from '../src/commands/record.js';
import type { Io } from '../src/output.js';
import { openWorkspace } from '../src/workspace.js';
import { colophonInProcess, sandbox } from './helpers.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `colophon <argv>` in-process. */
async function colophon(cwd: string, ...argv: string[]): Promise<Result> {
  const { code, out, err } = await colophonInProcess(cwd, ...argv);
  return { code, stdout: out, stderr: err };
}

const silent: Io = { out: () => undefined, err: () => undefined, isTty: false };
const STACK = /\s+at .*\.[jt]s:\d+/;

let dir: string;
let keys: string;
const saved = { keys: process.env.COLOPHON_KEYS_DIR, identity: process.env.COLOPHON_IDENTITY };
const run = (...argv: string[]) => colophon(dir, ...argv);

async function recordIntent(text: string): Promise<string> {
  const lines: string[] = [];
  await record(dir, 'intent', { prompt: text }, { ...silent, out: (line) => lines.push(line) });
  return lines[0]!;
}

async function didOf(name: string): Promise<string> {
  return (await new FileKeyStore(keys).get(name))!.did;
}

function checkpointPaths(): Promise<string[]> {
  return readdir(join(dir, '.colophon', 'checkpoints'), { recursive: true }).then((names) => names.filter((n) => n.endsWith('.note')).sort());
}

beforeAll(async () => {
  ({ dir, keys } = await sandbox());
  await mkdir(dir, { recursive: true });
  process.env.COLOPHON_KEYS_DIR = keys;
  process.env.COLOPHON_IDENTITY = 'tester';
});

afterAll(() => {
  for (const [name, value] of [['COLOPHON_KEYS_DIR', saved.keys], ['COLOPHON_IDENTITY', saved.identity]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('colophon checkpoint / prove / verify-proof / consistency', () => {
  it('has --help for every verb, and refuses to run outside a project with exit 2', async () => {
    for (const verb of ['checkpoint', 'prove', 'verify-proof', 'consistency']) {
      const help = await run(verb, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: colophon ${verb}`));
    }
    for (const argv of [['checkpoint'], ['prove', 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy']]) {
      const result = await run(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no Colophon project/);
      expect(result.stderr).not.toMatch(STACK);
    }
    expect((await run('prove')).code).toBe(2);
    expect((await run('consistency', 'a.note')).code).toBe(2);
  });

  it('checkpoints the signer\'s feed, cosigned by witnesses', async () => {
    await init(dir, { name: 'Transparency' }, silent);
    await idNew(dir, 'wit', {}, silent);
    await idNew(dir, 'dana', {}, silent);
    await recordIntent('first');
    await recordIntent('second');

    const plain = await run('checkpoint');
    expect(plain.code, plain.stderr).toBe(0);
    const folder = (await didOf('tester')).slice('did:key:'.length);
    expect(plain.stdout).toContain(`Checkpoint of tester's feed at 3 records: ${join('.colophon', 'checkpoints', folder, '3.note')}`);

    const cosigned = await run('checkpoint', '--witness', 'wit', '--json');
    expect(cosigned.code, cosigned.stderr).toBe(0);
    const out = JSON.parse(cosigned.stdout);
    expect(out).toMatchObject({ size: 3, signer: { name: 'tester' }, witnesses: [{ name: 'wit', did: await didOf('wit') }] });
    expect(await readFile(out.path, 'utf8')).toBe(out.note);
    expect(out.note.match(/^\u2014 /gm)).toHaveLength(2);
    expect(await checkpointPaths()).toEqual([join(folder, '3.note')]);

    const unknown = await run('checkpoint', '--witness', 'nobody');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/no identity named "nobody"/)]);
    const self = await run('checkpoint', '--witness', 'tester');
    expect([self.code, self.stderr]).toEqual([2, expect.stringMatching(/must be another identity/)]);
    const empty = await run('checkpoint', '--as', 'dana');
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringMatching(/dana has no records in this project yet/)]);
  });

  it('proves a record against the latest checkpoint covering it, and the proof verifies on its own', async () => {
    const late = await recordIntent('after the checkpoint');
    const uncovered = await run('prove', late);
    expect(uncovered.code).toBe(2);
    expect(uncovered.stderr).toMatch(/no checkpoint of tester's feed covers record .* \(seq 3\); the latest, .*3\.note, covers 3: run "colophon checkpoint --as tester" first/);
    expect((await run('checkpoint', '--witness', 'wit')).code).toBe(0);

    const proved = await run('prove', late, '--out', 'proof.json');
    expect(proved.code, proved.stderr).toBe(0);
    expect(proved.stdout).toMatch(/is record 3 of tester's feed \(checkpoint of 4 records\) written to proof\.json/);
    const bundle = JSON.parse(await readFile(join(dir, 'proof.json'), 'utf8')) as InclusionBundle;
    expect(bundle).toMatchObject({ leafIndex: 3, treeSize: 4 });
    expect(verifyInclusionBundle(bundle).record?.cid.toString()).toBe(late);
    const printed = await run('prove', late, '--json');
    expect(JSON.parse(printed.stdout)).toEqual(bundle);
    expect((await run('prove', late)).stdout).toMatch(/Audit path, leaf to root:/);

    const valid = await run('verify-proof', 'proof.json');
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(new RegExp(`Valid proof: record ${late} is record 3 of the feed of ${await didOf('tester')}`));
    const witnessed = await run('verify-proof', 'proof.json', '--witness', await didOf('wit'), '--json');
    expect(JSON.parse(witnessed.stdout)).toMatchObject({ valid: true, cid: late, leafIndex: 3, treeSize: 4, witnesses: [await didOf('wit')] });
  });

  it('verify-proof fails with exit 1 and a precise reason for a bad proof, exit 2 for bad arguments', async () => {
    const bundle = JSON.parse(await readFile(join(dir, 'proof.json'), 'utf8')) as InclusionBundle;
    const bytes = Buffer.from(bundle.record!, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(join(dir, 'changed.json'), JSON.stringify({ ...bundle, record: bytes.toString('base64') }));
    const changed = await run('verify-proof', 'changed.json');
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/^colophon: changed\.json: invalid proof: inclusion proof for leaf 3 in a tree of size 4 does not lead to the root$/);
    const json = await run('verify-proof', 'changed.json', '--json');
    expect([json.code, JSON.parse(json.stdout).valid, json.stderr]).toEqual([1, false, '']);

    const unwitnessed = await run('verify-proof', 'proof.json', '--witness', await didOf('dana'));
    expect([unwitnessed.code, unwitnessed.stderr]).toEqual([1, expect.stringMatching(/not cosigned by witness did:key:/)]);
    await writeFile(join(dir, 'garbage.json'), 'not json');
    expect((await run('verify-proof', 'garbage.json')).stderr).toMatch(/garbage\.json: invalid proof: not JSON/);
    const missing = await run('verify-proof', 'nope.json');
    expect([missing.code, missing.stderr]).toEqual([2, 'colophon: cannot read nope.json: no such file']);
    expect((await run('verify-proof', 'proof.json', '--witness', 'wit')).code).toBe(2);
    expect((await run('prove', 'not-a-cid')).code).toBe(2);
    expect((await run('prove', 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')).code).toBe(1);
  });

  it('proves that a newer checkpoint extends an older one', async () => {
    const [older, newer] = (await checkpointPaths()).map((p) => join('.colophon', 'checkpoints', p));
    const result = await run('consistency', older!, newer!);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/4\.note \(4 records\) extends .*3\.note \(3 records\): tester's feed only grew\.\nConsistency proof \(verified\):/);
    const json = JSON.parse((await run('consistency', older!, newer!, '--json')).stdout);
    expect(json).toMatchObject({ consistent: true, oldSize: 3, newSize: 4, bundle: { format: 'colophon.dev/consistency-proof/v1' } });
    const reversed = await run('consistency', newer!, older!);
    expect([reversed.code, reversed.stderr]).toEqual([2, expect.stringMatching(/give the older checkpoint first/)]);
    await writeFile(join(dir, 'bad.note'), (await readFile(join(dir, older!), 'utf8')).replace('\n3\n', '\n2\n'));
    const bad = await run('consistency', 'bad.note', newer!);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^colophon: bad\.note: note line \d+: signature by .* does not verify$/)]);
  });

  it('detects a feed rewritten after a cosigned checkpoint', async () => {
    // The author swaps its last record for another one it signs, and rewrites its feed file.
    const tester = (await new FileKeyStore(keys).get('tester'))!;
    const ws = await openWorkspace(dir);
    const feed = [];
    for await (const r of ws.feeds.records()) if (r.record.by === tester.did) feed.push(r);
    const { sig: _sig, v: _v, ...last } = feed[feed.length - 1]!.record;
    const forged = signRecord({ ...last, intent: { text: 'rewritten' } }, tester);
    const bytes = [...feed.slice(0, -1).map((r) => r.bytes), forged.bytes];
    const file = join(dir, '.colophon', 'feeds', feedFileName(tester.did));
    await writeFile(`${file}.new`, Buffer.concat([carHeader([ws.project.id]), ...bytes.map((b) => carBlock(recordCid(b), b))]));
    await rename(`${file}.new`, file);

    const [older, newer] = (await checkpointPaths()).map((p) => join('.colophon', 'checkpoints', p));
    const consistency = await run('consistency', older!, newer!);
    expect(consistency.code).toBe(1);
    expect(consistency.stderr).toMatch(/^colophon: tester's feed does not match the new checkpoint \(size 4\): the first 4 records .* rewritten after the checkpoint$/);
    const json = await run('consistency', older!, newer!, '--json');
    expect([json.code, JSON.parse(json.stdout).consistent]).toEqual([1, false]);

    const again = await run('checkpoint', '--witness', 'wit');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/does not match its stored checkpoints, so it cannot be checkpointed again: .*4\.note: the first 4 records/);
    expect(again.stderr).not.toMatch(STACK);
    const prove = await run('prove', forged.cid.toString());
    expect([prove.code, prove.stderr]).toEqual([1, expect.stringMatching(/^colophon: \.colophon\/checkpoints\/\w+\/4\.note: the first 4 records .* rewritten after the checkpoint$/)]);
    // A proof made before the rewrite still stands on its own: it is evidence of the original.
    expect((await run('verify-proof', 'proof.json')).code).toBe(0);
  });
});
