// Placed outside content (an image in a design) is attributed by its Content Credentials' digital
// source type; without credentials, or with credentials that do not verify, it is unknown.
import { describe, expect, it } from 'vitest';
import { placedContentSource } from '../src/index.js';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

describe('placedContentSource', () => {
  it('is unknown without credentials, with invalid ones, or with no type claimed', () => {
    expect(placedContentSource(undefined).class).toBe('unknown');
    expect(placedContentSource({ state: 'none' }).class).toBe('unknown');
    expect(placedContentSource({ state: 'Invalid', digitalSourceType: `${IPTC}trainedAlgorithmicMedia` })).toMatchObject({ class: 'unknown', rule: expect.stringMatching(/Invalid/) });
    expect(placedContentSource({ state: 'Valid' }).class).toBe('unknown');
  });

  it('is the model for generative output, named by the action that claimed the type', () => {
    const source = placedContentSource({
      state: 'Valid',
      digitalSourceType: `${IPTC}compositeWithTrainedAlgorithmicMedia`,
      actions: [{ digitalSourceType: `${IPTC}trainedAlgorithmicMedia`, softwareAgent: 'Imagen 3' }, { digitalSourceType: `${IPTC}compositeWithTrainedAlgorithmicMedia`, softwareAgent: 'Studio Fill 2' }],
      claimGenerator: 'Studio/1.0',
      signer: { issuer: 'Studio Inc.' },
    });
    expect(source).toMatchObject({ class: 'ai', agent: { type: 'ai', model: { provider: 'Studio Inc.', name: 'Studio Fill 2', version: 'unstated' } } });
  });

  it('is a tool for algorithmic media, and pasted for anything made elsewhere (a leading space in the type is tolerated)', () => {
    expect(placedContentSource({ state: 'Valid', digitalSourceType: `${IPTC}algorithmicMedia`, actions: [{ digitalSourceType: `${IPTC}algorithmicMedia`, softwareAgent: 'Make Test Images 0.33.1' }] })).toMatchObject({ class: 'tool', agent: { type: 'tool', name: 'Make Test Images 0.33.1' } });
    expect(placedContentSource({ state: 'Trusted', digitalSourceType: ` ${IPTC}digitalCapture` }).class).toBe('paste');
  });
});
