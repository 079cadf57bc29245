// A scripted writing session with known truth, in plain ES2020 so that the same text runs in Node
// and in QuickJS (Figma's sandbox engine). `C` is @colophon/core/{record,attribution,capture}.
// Returns JSON: the per-character classes the ledger gives, the truth, and every record's CID.
async function scenario(C) {
  const seed = (n) => { const s = new Uint8Array(32); s.fill(n); return s; };
  const alice = C.identityFromSeed(seed(1));
  let now = 1767225600000;
  const clock = () => now;
  // A manual timer: tasks run when the test advances the clock.
  let timers = [];
  const schedule = (task, ms) => { const t = { at: now + ms, task }; timers.push(t); return () => { timers = timers.filter((x) => x !== t); }; };
  const advance = (ms) => { now += ms; const due = timers.filter((t) => t.at <= now); timers = timers.filter((t) => t.at > now); due.forEach((t) => t.task()); };
  const store = new C.MemoryRecordStore();
  const blobs = new C.MemoryBlobStore();
  const project = await C.Project.create('capture scenario', alice, store, clock);
  const writer = new C.LedgerWriter({ project, signer: alice, blobs, clock, schedule: () => () => {} });
  const engine = new C.CaptureEngine(writer, { clock, schedule, idleMs: 2000 });
  const model = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } };
  const prettier = { type: 'tool', name: 'prettier', version: '3.3.3' };
  const asset = 'file:chapter1.md';

  // The truth: one class letter per UTF-16 code unit, kept by hand next to the text.
  let text = '';
  let truth = '';
  const MARK = { human: 'h', ai: 'a', tool: 't', pasted: 'p', paste: 'p', unknown: '?' };
  const track = (pos, del, ins, marks) => {
    text = text.slice(0, pos) + ins + text.slice(pos + del);
    truth = truth.slice(0, pos) + marks + truth.slice(pos + del);
  };
  const repeat = (c, n) => { let s = ''; for (let i = 0; i < n; i++) s += c; return s; };

  let session = engine.openText({ asset, baseline: { text: '', recorded: false }, keepText: true });
  const type = (pos, str, cls, source) => {
    // One event per character, as an editor reports typing.
    for (let i = 0; i < str.length; i++) {
      session.change(Object.assign({ pos: pos + i, deleted: 0, inserted: str[i], class: cls || 'human', evidence: 'typed' }, source || {}));
      track(pos + i, 0, str[i], MARK[cls || 'human']);
      advance(150);
    }
  };
  const change = (pos, del, ins, cls, extra) => {
    session.change(Object.assign({ pos, deleted: del, inserted: ins, class: cls, evidence: 'typed' }, extra || {}));
  };

  // 1. Typing.
  type(0, '# Chapter 1\n\nThe night was ');
  // 2. An AI generation by our own command.
  const gen = 'dark, and the sea kept its counsel.';
  change(text.length, 0, gen, 'ai', { evidence: 'command', agent: model });
  track(text.length, 0, gen, repeat('a', gen.length));
  advance(3000);
  // 3. The writer replaces one word of the AI text ("sea" -> "harbour"), backspacing first.
  const sea = text.indexOf('sea');
  for (let i = 2; i >= 0; i--) { change(sea + i, 1, '', 'human'); track(sea + i, 1, '', ''); advance(100); }
  type(sea, 'harbour');
  // 4. A paste with non-ASCII and an emoji (a surrogate pair: 2 code units).
  const quote = '\n\n> «Mar y cielo» — 海と空 🌊\n';
  change(text.length, 0, quote, 'paste');
  track(text.length, 0, quote, repeat('p', quote.length));
  // 5. A formatter rewrites the heading (tool).
  change(0, 1, '#', 'tool', { agent: prettier });
  track(0, 1, '#', 't');
  session.save();
  // 6. Undo the formatter: the '#' comes back as the human's; redo: the tool's again.
  change(0, 1, '#', 'human', { undo: 'undo' });
  track(0, 1, '#', 'h');
  change(0, 1, '#', 'human', { undo: 'redo' });
  track(0, 1, '#', 't');
  // 7. The writer deletes the AI clause "and the harbour kept its counsel" ... then undoes it: AI text stays AI.
  const clauseAt = text.indexOf('and the');
  const clause = text.slice(clauseAt, text.indexOf('.', clauseAt));
  const clauseMarks = truth.slice(clauseAt, clauseAt + clause.length);
  change(clauseAt, clause.length, '', 'human');
  track(clauseAt, clause.length, '', '');
  advance(500);
  change(clauseAt, 0, clause, 'human', { undo: 'undo' });
  track(clauseAt, 0, clause, clauseMarks);
  // 8. An undo the session cannot match (the editor restores text it never saw removed): unknown.
  change(text.length, 0, 'Ghost line.', 'human', { undo: 'undo' });
  track(text.length, 0, 'Ghost line.', repeat('?', 'Ghost line.'.length));
  advance(2500);
  await session.close();

  // 9. The file changes while nothing watches; reopen from the ledger + kept text, reconcile.
  const loaded = await C.textBaseline(store, blobs, asset);
  const external = text.replace('The night', 'That night') + 'Written elsewhere.\n';
  session = engine.openText({ asset, baseline: loaded.baseline, keepText: true });
  const reconciled = session.reconcile(external);
  // Word-level: "The" -> "That" is one replaced word, the appended sentence one insertion.
  const thePos = text.indexOf('The night');
  track(thePos, 3, 'That', '????');
  track(text.length, 0, 'Written elsewhere.\n', repeat('?', 'Written elsewhere.\n'.length));
  // 10. Typing goes on after the reopen.
  type(text.length, 'Fin.');
  await session.close();

  // 11. The pipeline recorder shares the writer (one queue for the signer's feed) and needs no
  // crypto: without a random source its run id falls back to the clock.
  const unnamed = new C.PipelineRecorder({ project, signer: alice, blobs, clock, writer });
  const recorder = new C.PipelineRecorder({ project, signer: alice, blobs, clock, writer, run: 'run-fixed' });
  recorder.completedStep({ name: 'summary', agent: model, startedAt: now, durationMs: 5, output: 'A short summary.', disclose: { output: true } });
  await recorder.flush();

  const result = await C.loadAssetAttribution(store, { asset, text });
  let classes = '';
  for (const run of result.textMap.runs()) classes += repeat(MARK[run.author.class], run.length);
  const records = [];
  for await (const entry of store.records()) records.push(entry);
  return JSON.stringify({
    text, truth, classes, reconciled, unnamedRun: typeof unnamed.run,
    verified: result.verification.ok, problems: result.verification.problems,
    notes: loaded.notes,
    records: records.map((r) => [String(r.cid), r.record.kind, r.record.ext && r.record.ext['colophon.evidence'] || null,
      r.record.delta && r.record.delta.text ? r.record.delta.text.map((op) => op.join(':')).join(' ') : null]),
  });
}
