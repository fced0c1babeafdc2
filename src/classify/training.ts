// Builds the model file from labelled examples: out-of-fold predictions to fit the temperature, then
// one model on everything. Same examples in, byte-identical file out.
import { stableHash, type Example } from './corpus.ts';
import { extractFeatures } from './features.ts';
import { compileLexicon, type ConceptMatcher, type Lexicon } from './lexicon.ts';
import { fitTemperature, logits, softmax, toModelFile, train, type Hyper, type ModelFile, type TrainingRow } from './model.ts';
import { loadGazetteer } from './gazetteer.ts';
import { createLocator, maskPlaceNames } from './location.ts';
import { prepareText } from './prepare.ts';
import { CATEGORIES } from './types.ts';

const FOLDS = 5;

type Locator = ReturnType<typeof createLocator>;

// Exactly what the classifier does at run time: street names found in the text are masked.
function toRow(e: Example, concepts: ConceptMatcher, locator: Locator): TrainingRow {
  const { text, signature, language } = prepareText({ subject: e.subject, text: e.body });
  return { features: extractFeatures(maskPlaceNames(text, locator.locate(text, signature)), language, concepts), category: e.category };
}

export interface HeldOutPrediction {
  confidence: number;
  correct: boolean;
}

export interface BuiltModel {
  model: ModelFile;
  /** Each training example predicted by a model that did not see it, after calibration. */
  outOfFold: HeldOutPrediction[];
}

/** Training is FOLDS + 1 fits after the features are read: `step` hears each one finish. */
export const TRAINING_STEPS = FOLDS + 2;

export function buildModel(corpus: readonly Example[], staff: readonly Example[], lexicon: Lexicon, hyper: Hyper, step: (done: number) => void = () => {}): BuiltModel {
  const examples = [...corpus, ...staff];
  const concepts = compileLexicon(lexicon);
  const locator = createLocator(loadGazetteer());
  const rows = examples.map((e) => toRow(e, concepts, locator));
  step(1);
  const fold = examples.map((e) => (stableHash(`${e.category}\u0000${e.subject}\u0000${e.body}`) >>> 3) % FOLDS);
  const heldOut: { z: number[]; y: number }[] = [];
  for (let k = 0; k < FOLDS; k++) {
    const w = train(rows.filter((_, i) => fold[i] !== k), hyper);
    rows.forEach((r, i) => {
      if (fold[i] === k) heldOut.push({ z: logits(w, r.features, hyper.conceptWeight), y: CATEGORIES.indexOf(r.category) });
    });
    step(k + 2);
  }
  const temperature = fitTemperature(heldOut);
  const outOfFold = heldOut.map(({ z, y }) => {
    const p = softmax(z, temperature);
    const top = p.indexOf(Math.max(...p));
    return { confidence: p[top]!, correct: top === y };
  });
  const model = toModelFile(train(rows, hyper), temperature, { corpus: corpus.length, staff: staff.length }, hyper, lexicon);
  step(TRAINING_STEPS);
  return { model, outOfFold };
}

/**
 * The lowest confidence threshold at which the held-out predictions above it are right at least
 * `target` of the time: the review threshold that keeps the promise "confident means correct".
 */
export function calibratedThreshold(predictions: readonly HeldOutPrediction[], target: number): number {
  const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
  let correct = 0;
  let best = 1;
  sorted.forEach((p, i) => {
    if (p.correct) correct++;
    const next = sorted[i + 1];
    if (correct / (i + 1) >= target && (!next || next.confidence < p.confidence)) best = p.confidence;
  });
  return Math.round(best * 100) / 100;
}

/** The model file as text: one feature per line, so a retrained model diffs readably. */
export function serializeModel(model: ModelFile): string {
  const { weights, ...head } = model;
  const lines = Object.entries(weights).map(([f, w]) => `  ${JSON.stringify(f)}: ${JSON.stringify(w)}`);
  const headJson = JSON.stringify(head).slice(0, -1);
  return `${headJson},\n "weights": {\n${lines.join(',\n')}\n }\n}\n`;
}
