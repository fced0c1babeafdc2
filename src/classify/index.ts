// The classifier the pipeline and the command line use: category with a calibrated confidence, top
// alternatives, language, and the problem's location against the city's gazetteer.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { extractFeatures } from './features.ts';
import { loadGazetteer, type Gazetteer } from './gazetteer.ts';
import { compileLexicon } from './lexicon.ts';
import { createLocator, maskPlaceNames } from './location.ts';
import { logits, softmax, type ModelFile } from './model.ts';
import { prepareText } from './prepare.ts';
import { TAXONOMY } from './taxonomy.ts';
import { assessUrgency } from './urgency.ts';
import type { Category, Classification, ClassifyInput } from './types.ts';

export interface Classifier {
  readonly modelVersion: string;
  classify(input: ClassifyInput): Classification;
  /** The same model reading places against the gazetteer plus these streets (added by staff). */
  withStreets(names: readonly string[]): Classifier;
}

const ALTERNATIVES = 3;

export function createClassifier(model: ModelFile, modelVersion: string, reviewThreshold: number, gazetteer: Gazetteer): Classifier {
  const weights = new Map(Object.entries(model.weights));
  const concepts = compileLexicon(model.lexicon);
  const locator = createLocator(gazetteer);
  const round = (x: number): number => Math.round(x * 10_000) / 10_000;
  return {
    modelVersion,
    withStreets: (names) => createClassifier(model, modelVersion, reviewThreshold, gazetteer.withStreets(names)),
    classify(input: ClassifyInput): Classification {
      const prepared = prepareText(input);
      const location = locator.locate(prepared.text, prepared.signature);
      const features = extractFeatures(maskPlaceNames(prepared.text, location), prepared.language, concepts);
      const p = softmax(logits({ bias: model.bias, weights }, features, model.hyper.conceptWeight), model.temperature);
      const ranked = p.map((confidence, i) => ({ category: model.classes[i]!, confidence })).sort((a, b) => b.confidence - a.confidence);
      const top = ranked[0]!;
      const category: Category = top.category;
      const reviewReasons: string[] = [];
      if (top.confidence < reviewThreshold) reviewReasons.push('low_confidence');
      if (TAXONOMY[category].needsLocation && location.street === null) reviewReasons.push('no_location');
      if (location.outsideTown !== null) reviewReasons.push('outside_city');
      const streetKnown = location.street !== null && location.outsideTown === null && gazetteer.isKnownStreet(location.street);
      // A name the city's list lacks is kept as written, never snapped to another street: staff decide.
      if (location.street !== null && location.outsideTown === null && !streetKnown) reviewReasons.push('street_unknown');
      const danger = assessUrgency(prepared.text);
      return {
        category,
        confidence: round(top.confidence),
        alternatives: ranked.slice(1, 1 + ALTERNATIVES).map((a) => ({ category: a.category, confidence: round(a.confidence) })),
        language: prepared.language,
        ...location,
        streetKnown,
        streetSuggestions: reviewReasons.includes('street_unknown') ? gazetteer.nearestStreets(location.street!) : [],
        needsReview: reviewReasons.length > 0,
        reviewReasons,
        modelVersion,
        urgency: danger.urgency,
        hazard: danger.hazard,
        urgencyRule: danger.rule,
        urgencyEvidence: danger.evidence,
      };
    },
  };
}

/** Reads the model artifact; its version is a short hash of the file, so equal files mean equal models. */
export async function loadClassifier(opts: { modelFile: string; reviewThreshold: number }): Promise<Classifier> {
  let raw: Buffer;
  try {
    raw = await fs.readFile(opts.modelFile);
  } catch (err) {
    throw new Error(`cannot read the classifier model ${opts.modelFile} (build it with "cityline train")`, { cause: err });
  }
  const model = JSON.parse(raw.toString('utf8')) as ModelFile;
  if (model.format !== 1) throw new Error(`${opts.modelFile}: unknown model format ${String(model.format)}`);
  const version = createHash('sha256').update(raw).digest('hex').slice(0, 12);
  return createClassifier(model, version, opts.reviewThreshold, loadGazetteer());
}
