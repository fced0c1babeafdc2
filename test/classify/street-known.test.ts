// Street validation in the classification: a street the city's list lacks is a reason for review,
// with the nearest known names offered; a known one, or one in a neighbouring town, is not.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { loadClassifier } from '../../src/classify/index.ts';

const config = loadConfig({});
const classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
const classify = (text: string) => classifier.classify({ subject: '', text });

describe('street validation', () => {
  it('sends a street not in the list to review, as written, with the nearest known names', () => {
    const c = classify('streetlight out on Mian Street, pole 3390');
    expect(c).toMatchObject({ street: 'Mian Street', streetKnown: false, needsReview: true });
    expect(c.reviewReasons).toContain('street_unknown');
    expect(c.streetSuggestions[0]).toBe('Main Street');
  });

  it('does not flag a known street, nor a place with no street', () => {
    const known = classify('streetlight out in front of 22 Osborne St, it has been dark for a week');
    expect(known).toMatchObject({ street: 'Osborne Street', streetKnown: true, streetSuggestions: [] });
    expect(known.reviewReasons).not.toContain('street_unknown');
    const none = classify('When is leaf pickup this year?');
    expect(none).toMatchObject({ street: null, streetKnown: false });
    expect(none.reviewReasons).not.toContain('street_unknown');
  });

  it('leaves a neighbouring town\'s street to the outside_city reason', () => {
    const c = classify('tree down on Greenwood Ave in Bethel');
    expect(c.reviewReasons).toContain('outside_city');
    expect(c.reviewReasons).not.toContain('street_unknown');
    expect(c.streetKnown).toBe(false);
  });
});
