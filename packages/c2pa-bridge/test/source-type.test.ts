import { describe, expect, it } from 'vitest';
import type { ContributionRecord } from '@colophon/core';
import { actorOf, DIGITAL_SOURCE_TYPE, sourceTypeOf, stepCountHumanShare } from '../src/index.js';
import { addActor, EMPTY_MIX, mixOfSourceType } from '../src/source-type.js';

const step = (fields: Partial<ContributionRecord>) => ({ kind: 'asset.edit', ...fields }) as ContributionRecord;
const ai = step({ kind: 'ai.generate', agent: { type: 'ai', model: { provider: 'p', name: 'm', version: '1' } } });
const human = step({});
const tool = step({ agent: { type: 'tool', name: 'prettier', version: '3' } });
const ingest = step({ kind: 'ingest' });

describe('who acted, and the honest digital source type', () => {
  it('classifies steps', () => {
    expect([ai, human, tool, ingest].map(actorOf)).toEqual(['ai', 'human', 'tool', 'outside']);
  });

  it('model alone, people alone, and people with a model', () => {
    expect(sourceTypeOf(addActor(EMPTY_MIX, 'ai'))).toBe(DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia);
    expect(sourceTypeOf(addActor(EMPTY_MIX, 'human'))).toBe(DIGITAL_SOURCE_TYPE.digitalCreation);
    expect(sourceTypeOf(addActor(addActor(EMPTY_MIX, 'ai'), 'human'))).toBe(DIGITAL_SOURCE_TYPE.compositeWithTrainedAlgorithmicMedia);
    expect(sourceTypeOf(addActor(addActor(EMPTY_MIX, 'human'), 'ai'))).toBe(DIGITAL_SOURCE_TYPE.compositeWithTrainedAlgorithmicMedia);
    // A formatter over people's work leaves it people's work; a tool alone is algorithmic media.
    expect(sourceTypeOf(addActor(addActor(EMPTY_MIX, 'human'), 'tool'))).toBe(DIGITAL_SOURCE_TYPE.digitalCreation);
    expect(sourceTypeOf(addActor(EMPTY_MIX, 'tool'))).toBe(DIGITAL_SOURCE_TYPE.algorithmicMedia);
  });

  it('an ingested source counts as what its own credentials said, and as nothing when they said nothing', () => {
    expect(sourceTypeOf(addActor(EMPTY_MIX, 'outside'))).toBeUndefined();
    expect(sourceTypeOf(addActor(addActor(EMPTY_MIX, 'outside', DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia), 'human'))).toBe(DIGITAL_SOURCE_TYPE.compositeWithTrainedAlgorithmicMedia);
    expect(mixOfSourceType('http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture')).toEqual({ human: true, ai: false, algorithmic: false });
  });

  it('step-count human share (the stand-in until attribution supplies the measured share)', () => {
    expect(stepCountHumanShare([ai, human, human, tool, ingest])).toBeCloseTo(2 / 3);
    expect(stepCountHumanShare([tool, ingest])).toBeUndefined();
  });
});
