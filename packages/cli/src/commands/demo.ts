import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POST, POSTER, StudioStory } from '../demo/story.js';
import type { Io } from '../output.js';

/** Stands in for a model in the demo, and says so in every record it appears in. */
export const LOCAL_GENERATOR = 'colophon/local-generator@1';

/**
 * A whole studio session in a temporary folder, told in plain words: a brief, a drafting agent
 * and a brand-check agent, a failed check traced with blame, a fix, human edits, approval, gates,
 * settlement, Content Credentials, verification and report.html.
 */
export async function demo(options: { dir?: string }, io: Io): Promise<void> {
  const base = options.dir ?? (await mkdtemp(join(tmpdir(), 'colophon-demo-')));
  const studio = join(base, 'studio');
  const previousKeys = process.env.COLOPHON_KEYS_DIR;
  // Keys live beside the studio, never inside it: a workspace never holds a private key.
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  await mkdir(studio, { recursive: true });
  const story = new StudioStory(studio, io);
  try {
    io.out('Colophon demo: who made what, when people and AI work together.\n');
    await story.colophon(['init', '--name', 'Autumn launch', '--as', 'olivia']);
    for (const name of ['rafael', 'dana', 'wes', 'drafter', 'brand-bot']) await story.colophon(['id', 'new', name]);
    for (const [name, role] of [['rafael', 'director'], ['dana', 'editor'], ['wes', 'editor'], ['drafter', 'agent'], ['brand-bot', 'agent']]) {
      await story.colophon(['member', 'add', name!, '--role', role!, '--as', 'olivia']);
    }
    story.say(`1. Olivia owns the studio "Autumn launch" (${studio}). Rafael directs, Dana designs,`);
    story.say('   Wes writes; two AI agents help: a drafter and a brand checker. Each has an Ed25519');
    story.say('   identity; private keys stay outside the project folder.');

    const contract = await story.contract();
    await story.colophon(['contract', 'add', contract, '--as', 'olivia']);
    story.say('2. Olivia signs a contract for the launch post: six gates (director approval, licences,');
    story.say('   valid credentials, no personal data, brand score >= 0.8, >= 30% human) and EUR 1,500.00');
    story.say('   to split 60/25/15 between surviving human text, prompts and reviews (AI weighted 0).');

    const brief = await story.record('rafael', { kind: 'intent', asset: POST, intent: { text: 'A calm, warm launch post for the hand-knitted autumn range.' } });
    story.say('3. Rafael writes the brief.');

    const hot = await story.draftAndCheck('run-1', 1.3, brief);
    story.say(`4. The drafting agent (${LOCAL_GENERATOR}, a built-in local generator standing in for a model)`);
    story.say(`   drafts the post at temperature 1.3; the brand checker scores it ${hot.score}: below 0.8. Blame:`);
    await story.colophon(['blame', '--asset', POST, '--check', 'brand'], { show: true });

    const cool = await story.draftAndCheck('run-2', 0.4, brief);
    story.say(`5. Run again at temperature 0.4: brand score ${cool.score}. What changed between the runs:`);
    await story.colophon(['diverge', 'run-1', 'run-2'], { show: true });

    const text = story.text(POST);
    const second = text.indexOf('Our new');
    const rewrite = await story.editText('wes', POST, [[second, text.length - second, 'Every piece is knitted by hand in Porto, and made to last.\n', 'human']], { links: [cool.draft] });
    await story.colophon(['check', '--asset', POST, '--name', 'brand', '--score', '0.93', '--threshold', '0.8', '--tool', 'brand-checker@2.1', '--as', 'brand-bot']);
    await story.record('dana', { kind: 'review', asset: POST, links: [rewrite] });
    story.say('6. Wes rewrites the second sentence by hand; the brand check passes (0.93); Dana reviews.');
    await story.colophon(['attribute', '--asset', POST, '--file', 'launch.md'], { show: true });

    const poster = await story.poster();
    story.say(`7. Dana makes the poster: an AI background, then her own title, font and layout (${poster}).`);

    await story.colophon(['gate', '--asset', POST, '--as', 'olivia'], { expect: 1 });
    story.say('8. Rafael approves. Every gate passes, so exactly one settlement is signed and paid out:');
    await story.colophon(['approve', '--asset', POST, '--as', 'rafael'], { show: true });
    const statements = join(base, 'statements');
    await story.colophon(['payouts', '--statement', statements], { show: true });

    const out = await story.outDir();
    await story.colophon(['ca', 'init']);
    for (const name of ['dana', 'wes']) await story.colophon(['ca', 'issue', name]);
    await story.colophon(['export', 'c2pa', '--asset', POSTER, '--in', 'poster.png', '--out', 'out/poster.png', '--as', 'dana']);
    await story.colophon(['export', 'c2pa', '--asset', POST, '--in', 'launch.md', '--out', 'out/launch.md', '--as', 'wes']);
    story.say('9. Content Credentials, built from the ledger and signed with certificates from the project CA:');
    await story.colophon(['verify-asset', 'out/poster.png'], { show: true });
    await story.colophon(['verify-asset', 'out/launch.md'], { show: true });

    const verified = await story.colophon(['verify']);
    story.say(`10. ${verified}`);
    const report = join(out, 'report.html');
    await story.colophon(['report', '--asset', POST, '--out', report, '--file', 'out/launch.md']);
    const posterReport = join(out, 'poster-report.html');
    await story.colophon(['report', '--asset', POSTER, '--out', posterReport, '--file', 'out/poster.png']);
    await writeFile(join(base, 'README.txt'), `Colophon demo studio: ${studio}\nReport: ${report}\nContract: ${contract}\nStatements: ${statements}\nKeys (outside the studio): ${process.env.COLOPHON_KEYS_DIR}\n`);
    story.say('\nWhere to look:');
    story.say(`   report      ${report}   (open it in a browser; the poster's: ${posterReport})`);
    story.say(`   contract    ${contract}   (the gates and the payout rule the settlement followed)`);
    story.say(`   statements  ${statements}   (the payout statements, one per settlement)`);
    story.say(`   credentials ${join(out, 'poster.png')}, ${join(out, 'launch.md')} + .c2pa sidecar`);
    story.say(`   the ledger  ${join(studio, '.colophon')}   (try: cd ${studio} && COLOPHON_KEYS_DIR=${process.env.COLOPHON_KEYS_DIR} colophon log)`);
  } finally {
    if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
    else process.env.COLOPHON_KEYS_DIR = previousKeys;
  }
}
