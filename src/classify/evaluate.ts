// Scores classifications against labels: the numbers `cityline eval` prints and the dev-split test checks.
import { fold } from './street-names.ts';
import { CATEGORIES, type Category, type Classification } from './types.ts';

export interface Labelled {
  category: Category;
  street: string | null;
  /** House number and cross street the message gives: null when it gives none, undefined when the set does not label them. */
  houseNumber?: string | null;
  crossStreet?: string | null;
}

export interface CategoryScore {
  category: Category;
  support: number;
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface EvalSummary {
  n: number;
  accuracy: number;
  macroF1: number;
  /** Of the messages labelled with a street, the share whose street was found; null when none is labelled. */
  streetAccuracy: number | null;
  reviewRate: number;
  /** Accuracy on the messages at or above the review threshold; null when there are none. */
  accuracyWhenConfident: number | null;
  /** Of the messages labelled with a house number, the share whose number was read exactly; null when none is labelled. */
  houseNumberAccuracy: number | null;
  /** Of the messages labelled as giving no house number, the share where one was read anyway (a pole tag, a date...). */
  houseNumberSpurious: number | null;
  /** Of the messages labelled with a cross street, the share whose cross street was found; null when none is labelled. */
  crossStreetAccuracy: number | null;
}

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export function evaluate(pairs: readonly { gold: Labelled; got: Classification }[], reviewThreshold: number): { summary: EvalSummary; perCategory: CategoryScore[]; lowConfidenceRate: number } {
  const n = pairs.length;
  const perCategory: CategoryScore[] = CATEGORIES.map((category) => {
    const support = pairs.filter((p) => p.gold.category === category).length;
    const predicted = pairs.filter((p) => p.got.category === category).length;
    const tp = pairs.filter((p) => p.gold.category === category && p.got.category === category).length;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { category, support, predicted, precision: r4(precision), recall: r4(recall), f1: r4(f1) };
  });
  const present = perCategory.filter((c) => c.support > 0);
  const correct = pairs.filter((p) => p.gold.category === p.got.category).length;
  const withStreet = pairs.filter((p) => p.gold.street);
  const streetHits = withStreet.filter((p) => p.got.street !== null && fold(p.got.street) === fold(p.gold.street!)).length;
  const share = (rows: readonly { gold: Labelled; got: Classification }[], hit: (p: { gold: Labelled; got: Classification }) => boolean): number | null =>
    rows.length ? r4(rows.filter(hit).length / rows.length) : null;
  const sameName = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && fold(a) === fold(b);
  const confident = pairs.filter((p) => p.got.confidence >= reviewThreshold);
  const confidentCorrect = confident.filter((p) => p.gold.category === p.got.category).length;
  return {
    summary: {
      n,
      accuracy: n ? r4(correct / n) : 0,
      macroF1: present.length ? r4(present.reduce((s, c) => s + c.f1, 0) / present.length) : 0,
      streetAccuracy: withStreet.length ? r4(streetHits / withStreet.length) : null,
      reviewRate: n ? r4(pairs.filter((p) => p.got.needsReview).length / n) : 0,
      accuracyWhenConfident: confident.length ? r4(confidentCorrect / confident.length) : null,
      houseNumberAccuracy: share(pairs.filter((p) => typeof p.gold.houseNumber === 'string'), (p) => sameName(p.got.houseNumber, p.gold.houseNumber)),
      houseNumberSpurious: share(pairs.filter((p) => p.gold.houseNumber === null), (p) => p.got.houseNumber !== null),
      crossStreetAccuracy: share(pairs.filter((p) => typeof p.gold.crossStreet === 'string'), (p) => sameName(p.got.crossStreet, p.gold.crossStreet)),
    },
    perCategory,
    lowConfidenceRate: n ? r4((n - confident.length) / n) : 0,
  };
}
