import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXAMPLE_GATES, contentCid, generateStep, utf8Encode, type CID, type Contribution } from '@colophon/core';
import { openNodeRecorder } from '@colophon/core/node';
import type { Io } from '../output.js';
import { run } from '../program.js';
import { openWorkspace } from '../workspace.js';
import { LocalGenerator, brandScore } from './local-generator.js';
import { posterPng } from './poster-png.js';

const POST = 'file:launch.md';
const POSTER = 'file:poster.png';

/** One studio session, driven through the same verbs and APIs a real team would use. */
export class StudioStory {
  private readonly texts = new Map<string, string>();

  constructor(
    readonly studio: string,
    private readonly io: Io,
  ) {}

  /** Runs a `colophon` verb in the studio; its output is kept unless `show` is set. */
  async colophon(argv: string[], options: { show?: boolean; expect?: number } = {}): Promise<string> {
    const lines: string[] = [];
    const capture: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), isTty: false };
    const code = await run(argv, this.studio, capture);
    if (code !== (options.expect ?? 0)) throw new Error(`demo step "colophon ${argv.join(' ')}" exited ${code}:\n${lines.join('\n')}`);
    if (options.show) for (const line of lines) this.io.out(`     ${line}`);
    return lines.join('\n');
  }

  say(line: string): void {
    this.io.out(line);
  }

  /** A capture plugin's job: save the file, then record the step with its authorship ops. */
  async editText(who: string, asset: string, ops: [pos: number, del: number, text: string, cls: string][], extra: Partial<Contribution> = {}): Promise<CID> {
    let text = this.texts.get(asset) ?? '';
    for (const [pos, del, ins] of ops) text = text.slice(0, pos) + ins + text.slice(pos + del);
    this.texts.set(asset, text);
    await writeFile(join(this.studio, asset.slice('file:'.length)), text);
    return this.record(who, {
      kind: 'asset.edit',
      asset,
      out: contentCid(utf8Encode(text)),
      delta: { text: ops.map(([pos, del, ins, cls]) => [pos, del, ins.length, cls]) },
      ...extra,
    });
  }

  text(asset: string): string {
    return this.texts.get(asset) ?? '';
  }

  async record(who: string, contribution: Contribution): Promise<CID> {
    const ws = await openWorkspace(this.studio);
    const identity = await ws.keys.get(who);
    if (!identity) throw new Error(`demo identity ${who} is missing`);
    return (await ws.project.record(identity, contribution, { linkSeen: true })).cid;
  }

  /** The drafting agent writes the post; the brand-check agent scores it. Both are signed pipelines. */
  async draftAndCheck(run: string, temperature: number, brief: CID): Promise<{ draft: CID; score: number }> {
    const ws = await openWorkspace(this.studio);
    const drafter = await openNodeRecorder({ dir: ws.dir, project: ws.project, signer: (await ws.keys.get('drafter'))!, blobs: ws.blobs, run });
    const checker = await openNodeRecorder({ dir: ws.dir, project: ws.project, signer: (await ws.keys.get('brand-bot'))!, blobs: ws.blobs, run });
    drafter.recorder.intentServed = brief;
    const generator = new LocalGenerator();
    const step = await generateStep(drafter.recorder, generator, {
      name: 'draft',
      messages: [{ role: 'user', content: 'Write a two-sentence launch post for the hand-knitted autumn range.' }],
      params: { temperature },
    });
    await drafter.recorder.close();
    const stepCid = await step.step.cid();
    const text = step.value.text;
    const draft = await this.editText('drafter', POST, [[0, this.text(POST).length, text, 'ai']], {
      kind: 'ai.generate',
      agent: { type: 'ai', model: generator.agent.model, params: { temperature } },
      links: [stepCid],
    });
    const score = brandScore(text);
    checker.recorder.check({ name: 'brand', score, threshold: 0.8, of: draft, asset: POST, agent: { type: 'tool', name: 'brand-checker', version: '2.1' } });
    await checker.recorder.close();
    return { draft, score };
  }

  async poster(): Promise<string> {
    const file = join(this.studio, 'poster.png');
    const background = posterPng(240, 360, [232, 163, 61], [120, 50, 30], false);
    await writeFile(file, background);
    const made = await this.record('dana', { kind: 'ai.generate', asset: POSTER, out: contentCid(background), agent: new LocalGenerator().agent, delta: { nodes: { background: ['fill'] } } });
    const final = posterPng(240, 360, [232, 163, 61], [120, 50, 30]);
    await writeFile(file, final);
    // Dana keeps the model's background and sets the title, its font and the logo herself.
    await this.record('dana', { kind: 'asset.edit', asset: POSTER, out: contentCid(final), links: [made], delta: { nodes: { title: ['text', 'font'], logo: ['position'] } } });
    return file;
  }

  async contract(): Promise<string> {
    const file = join(this.studio, 'launch-contract.json');
    await writeFile(
      file,
      `${JSON.stringify(
        {
          name: 'Autumn launch post',
          asset: POST,
          gates: EXAMPLE_GATES,
          payout: { budget: 150_000, currency: 'EUR', weights: { humanText: 60, prompts: 25, reviews: 15, ai: 0 } },
        },
        null,
        2,
      )}\n`,
    );
    return file;
  }

  async readPost(): Promise<string> {
    return readFile(join(this.studio, 'launch.md'), 'utf8');
  }

  async outDir(): Promise<string> {
    const dir = join(this.studio, 'out');
    await mkdir(dir, { recursive: true });
    return dir;
  }
}

export { POST, POSTER };
