import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CarReader } from '@ipld/car';
import { colophon, sandbox } from './helpers.js';

describe('colophon export car / import car', () => {
  it('round-trips a ledger through one CAR that @ipld/car reads, merges offline work, and is idempotent', async () => {
    const { dir, keys } = await sandbox();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await mkdir(a, { recursive: true });
    await mkdir(b, { recursive: true });
    const inA = (...args: string[]) => colophon(a, keys, ...args);
    const inB = (...args: string[]) => colophon(b, keys, ...args);
    expect(inA('init', '--name', 'Merge').code).toBe(0);
    expect(inA('record', 'intent', '--prompt', 'brief').code).toBe(0);
    const carA = join(dir, 'a.car');
    expect(inA('export', 'car', '--out', carA).code).toBe(0);

    const reader = await CarReader.fromBytes(await readFile(carA));
    const roots = await reader.getRoots();
    expect(roots).toHaveLength(1);
    const blocks = [];
    for await (const block of reader.blocks()) blocks.push(block);
    expect(blocks).toHaveLength(2);
    expect(blocks.map((blk) => blk.cid.toString())).toContain(roots[0]!.toString());

    const imported = JSON.parse(inB('import', 'car', carA, '--json').stdout);
    expect(imported).toEqual({ imported: 2, alreadyPresent: 0 });
    expect(inB('id', 'new', 'bea').code).toBe(0);
    expect(inB('record', 'intent', '--prompt', 'offline in b', '--as', 'bea').code).toBe(0);
    expect(inA('record', 'intent', '--prompt', 'offline in a').code).toBe(0);
    const carB = join(dir, 'b.car');
    expect(inB('export', 'car', '--out', carB).code).toBe(0);
    expect(JSON.parse(inA('import', 'car', carB, '--json').stdout)).toEqual({ imported: 1, alreadyPresent: 2 });
    expect(JSON.parse(inA('import', 'car', carB, '--json').stdout)).toEqual({ imported: 0, alreadyPresent: 3 });
    // The earlier export is not replaced without --force.
    const refused = inA('export', 'car', '--out', carA);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists; pass --force to replace it/);
    expect(inA('export', 'car', '--out', carA, '--force').code).toBe(0);
    expect(JSON.parse(inB('import', 'car', carA, '--json').stdout)).toEqual({ imported: 1, alreadyPresent: 3 });
    for (const run of [inA, inB]) {
      expect(JSON.parse(run('verify', '--json').stdout)).toMatchObject({ ok: true, records: 4, feeds: 2 });
      expect(JSON.parse(run('log', '--json').stdout)).toHaveLength(4);
    }
  });

  it('refuses a CAR that forks a feed (equivocation) and stores nothing', async () => {
    const { dir, keys } = await sandbox();
    const a = join(dir, 'a');
    await mkdir(a, { recursive: true });
    const inA = (...args: string[]) => colophon(a, keys, ...args);
    expect(inA('init').code).toBe(0);
    const fork = join(dir, 'fork');
    await cp(a, fork, { recursive: true });
    expect(inA('record', 'intent', '--prompt', 'one future').code).toBe(0);
    expect(colophon(fork, keys, 'record', 'intent', '--prompt', 'another future').code).toBe(0);
    const forkCar = join(dir, 'fork.car');
    expect(colophon(fork, keys, 'export', 'car', '--out', forkCar).code).toBe(0);
    const feeds = join(a, '.colophon', 'feeds');
    const before = await Promise.all((await readdir(feeds)).map((f) => readFile(join(feeds, f))));
    const result = inA('import', 'car', forkCar);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[equivocation\] did:key:\S+ signed two different records at seq 1/);
    expect(result.stdout).toMatch(/nothing was stored/);
    const after = await Promise.all((await readdir(feeds)).map((f) => readFile(join(feeds, f))));
    expect(after).toEqual(before);
  });

  it('rejects damaged or foreign CAR files with a clear error', async () => {
    const { dir, keys } = await sandbox();
    const a = join(dir, 'a');
    await mkdir(a, { recursive: true });
    expect(colophon(a, keys, 'init').code).toBe(0);
    const junk = join(dir, 'junk.car');
    await writeFile(junk, 'this is not a car file at all');
    const result = colophon(a, keys, 'import', 'car', junk);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/junk\.car/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(colophon(a, keys, 'import', 'car', join(dir, 'missing.car')).code).toBe(2);
    const other = join(dir, 'other');
    await mkdir(other, { recursive: true });
    expect(colophon(other, keys, 'init').code).toBe(0);
    const otherCar = join(dir, 'other.car');
    expect(colophon(other, keys, 'export', 'car', '--out', otherCar).code).toBe(0);
    const foreign = colophon(a, keys, 'import', 'car', otherCar);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toMatch(/\[wrong-project\]|\[equivocation\]/);
  });
});
