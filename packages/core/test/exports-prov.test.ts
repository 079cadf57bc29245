// W3C PROV-JSON export of an asset's lineage, validated against the W3C PROV-JSON schema.
// exports-fixtures/prov-json.schema.json is the schema of the W3C Member Submission "The PROV-JSON
// Serialization" (24 April 2013, https://www.w3.org/Submission/2013/SUBM-prov-json-20130424/schema),
// a JSON Schema draft-04 document, written out here so the test runs without a network.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COLOPHON_PROV_NS,
  LedgerView,
  MemoryBlobStore,
  MemoryRecordStore,
  PipelineRecorder,
  Project,
  assetAttribution,
  contentCid,
  identityFromSeed,
  lineageOf,
  provDocument,
  traceTarget,
  utf8Encode,
  type AiAgent,
  type CID,
  type LineageGraph,
  type ProvDocument,
} from '../src/index.js';
import { useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const schema = JSON.parse(readFileSync(new URL('./exports-fixtures/prov-json.schema.json', import.meta.url), 'utf8')) as object;
// CommonJS modules: their ESM default export is the module object under NodeNext typing.
const ajv = new (Ajv as unknown as typeof Ajv.default)({ allErrors: true, strict: false });
(addFormats as unknown as typeof addFormats.default)(ajv);
const validate = ajv.compile(schema);

const ASSET = 'file:post.md';
const director = identityFromSeed(new Uint8Array(32).fill(31));
const writer = identityFromSeed(new Uint8Array(32).fill(32));
const agentKey = identityFromSeed(new Uint8Array(32).fill(33));
const DRAFTER: AiAgent = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '1.0' }, params: { temperature: 0.7 } };
const names = new Map([
  [director.did, 'dana (director)'],
  [writer.did, 'wes (writer)'],
]);

let graph: LineageGraph;
let doc: ProvDocument;
let ids: { intent: CID; draft: CID; rewrite: CID; create: CID; edit: CID; draftOut: CID; rewriteOut: CID };

beforeAll(async () => {
  const store = new MemoryRecordStore();
  let clock = 1_700_000_000_000;
  const tick = () => (clock += 1000);
  const project = await Project.create('studio', director, store, tick);
  const intent = (await project.record(director, { kind: 'intent', asset: ASSET, intent: { text: 'A warm launch post' } })).cid;
  const recorder = new PipelineRecorder({ project, signer: agentKey, blobs: new MemoryBlobStore(), run: 'run-1', schedule: () => () => {}, clock: tick });
  recorder.intentServed = intent;
  const draft = await recorder.step({ name: 'draft', agent: DRAFTER, prompt: 'Write it', disclose: { prompt: true } }, async () => 'Spring shoes are here.');
  recorder.check({ name: 'brand', score: 0.91, threshold: 0.8, of: draft.step, asset: ASSET });
  const rewrite = await recorder.step({ name: 'rewrite', agent: DRAFTER, prompt: 'Punchier', inputs: [draft.step] }, async () => 'SHOES!!!');
  recorder.check({ name: 'brand', score: 0.62, threshold: 0.8, of: rewrite.step, asset: ASSET });
  await recorder.close();
  const create = (await project.record(writer, { kind: 'asset.create', asset: ASSET, out: contentCid(utf8Encode('SHOES!!!')), in: [rewrite.step.output!], links: [await rewrite.step.cid()], delta: { class: 'ai' } })).cid;
  const edit = (await project.record(writer, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode('Spring shoes, for walking.')) })).cid;
  const view = await LedgerView.load(store);
  graph = lineageOf(view, traceTarget(view, { asset: ASSET }));
  const attribution = assetAttribution(view.ordered, { asset: ASSET });
  doc = provDocument(graph, { names, attribution });
  ids = { intent, draft: await draft.step.cid(), rewrite: await rewrite.step.cid(), create, edit, draftOut: draft.step.output!, rewriteOut: rewrite.step.output! };
});

const relations = (kind: keyof ProvDocument) => Object.values(doc[kind]) as Record<string, unknown>[];

describe('PROV-JSON export', () => {
  it('is valid against the W3C PROV-JSON schema', () => {
    const valid = validate(JSON.parse(JSON.stringify(doc)));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is real: a broken document fails it', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Record<string, Record<string, Record<string, unknown>>>;
    const first = Object.keys(broken.wasGeneratedBy!)[0]!;
    delete broken.wasGeneratedBy![first]!['prov:entity'];
    expect(validate(broken)).toBe(false);
    expect(validate({ ...doc, notARelation: {} })).toBe(false);
    expect(validate({ ...doc, activity: { 'ipfs:x': { 'prov:label': { nested: 'object' } } } })).toBe(false);
  });

  it('states entities, activities and agents with PROV\'s relations', () => {
    expect(doc.prefix.colophon).toBe(COLOPHON_PROV_NS);
    // The intent is a plan, attributed to the director (a person).
    expect(doc.entity[`ipfs:${ids.intent}`]).toMatchObject({ 'prov:value': 'A warm launch post' });
    expect(doc.agent[director.did.replace('did:key:', 'didkey:')]).toEqual({ 'prov:label': 'dana (director)', 'prov:type': { $: 'prov:Person', type: 'prov:QUALIFIED_NAME' } });
    // Agent steps are activities associated with their signer and model, following the plan.
    const draft = doc.activity[`ipfs:${ids.draft}`]!;
    expect(draft).toMatchObject({ 'prov:type': { $: 'colophon:agent.step' }, 'colophon:step': 'draft', 'colophon:run': 'run-1' });
    const model = 'model:local%2Fdrafter%401.0';
    expect(doc.agent[model]).toMatchObject({ 'colophon:model': 'drafter', 'colophon:version': '1.0' });
    expect(relations('wasAssociatedWith')).toContainEqual({ 'prov:activity': `ipfs:${ids.draft}`, 'prov:agent': model, 'prov:plan': `ipfs:${ids.intent}` });
    expect(relations('actedOnBehalfOf')).toContainEqual({ 'prov:delegate': model, 'prov:responsible': agentKey.did.replace('did:key:', 'didkey:'), 'prov:activity': `ipfs:${ids.draft}` });
    // Data flow: the rewrite used the draft's output, and its output was derived from it.
    expect(relations('used')).toContainEqual({ 'prov:activity': `ipfs:${ids.rewrite}`, 'prov:entity': `ipfs:${ids.draftOut}` });
    expect(relations('wasDerivedFrom')).toContainEqual({ 'prov:generatedEntity': `ipfs:${ids.rewriteOut}`, 'prov:usedEntity': `ipfs:${ids.draftOut}`, 'prov:activity': `ipfs:${ids.rewrite}` });
    expect(relations('wasGeneratedBy')).toContainEqual(expect.objectContaining({ 'prov:entity': `ipfs:${ids.rewriteOut}`, 'prov:activity': `ipfs:${ids.rewrite}` }));
    expect(relations('wasAttributedTo')).toContainEqual({ 'prov:entity': `ipfs:${ids.rewriteOut}`, 'prov:agent': model });
    // The writer's acceptance was informed by the step; the versions specialise the asset.
    expect(relations('wasInformedBy')).toContainEqual({ 'prov:informed': `ipfs:${ids.create}`, 'prov:informant': `ipfs:${ids.rewrite}` });
    expect(relations('specializationOf')).toContainEqual({ 'prov:specificEntity': `ipfs:${contentCid(utf8Encode('Spring shoes, for walking.'))}`, 'prov:generalEntity': 'asset:file%3Apost.md' });
    // Prompts: a disclosed one is an entity with its text, a private one only its commitment.
    expect(relations('used')).toContainEqual({ 'prov:activity': `ipfs:${ids.draft}`, 'prov:entity': `prompt:${ids.draft}`, 'prov:role': { $: 'colophon:prompt', type: 'prov:QUALIFIED_NAME' } });
    // Checks are activities informed by the step they evaluated.
    const checks = Object.values(doc.activity).filter((a) => a['colophon:checkName'] === 'brand');
    expect(checks.map((c) => [c['colophon:score'], c['colophon:pass']])).toEqual([
      [0.91, true],
      [0.62, false],
    ]);
    // The final version carries the attribution.
    const final = doc.entity[`ipfs:${contentCid(utf8Encode('Spring shoes, for walking.'))}`]!;
    expect(final['colophon:final']).toBe(true);
    expect(typeof final['colophon:humanShare']).toBe('number');
  });

  it('every relation refers to something the document declares', () => {
    const declared = new Set([...Object.keys(doc.entity), ...Object.keys(doc.activity), ...Object.keys(doc.agent)]);
    for (const kind of ['wasGeneratedBy', 'used', 'wasDerivedFrom', 'wasAttributedTo', 'wasAssociatedWith', 'actedOnBehalfOf', 'wasInformedBy', 'specializationOf'] as const) {
      for (const relation of relations(kind)) {
        for (const [key, value] of Object.entries(relation)) {
          if (key === 'prov:time' || key === 'prov:role' || typeof value !== 'string') continue;
          expect(declared.has(value), `${kind} ${key} ${value}`).toBe(true);
        }
      }
    }
    expect(graph.nodes.length).toBe(5);
  });
});
