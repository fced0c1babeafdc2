// Multinomial logistic regression over sparse binary features, trained with AdaGrad in a seeded order
// so the same examples always give the same model file. natural's Bayes classifier was measured
// against it (see data/model/README.md); its scores were far from calibrated probabilities, and the
// review threshold needs probabilities that mean what they say.
import type { Lexicon } from './lexicon.ts';
import { CATEGORIES, type Category } from './types.ts';

export interface ModelFile {
  format: 1;
  classes: Category[];
  /** Softmax temperature fitted on out-of-fold predictions, so confidences are calibrated. */
  temperature: number;
  bias: number[];
  weights: Record<string, number[]>;
  trainedOn: { corpus: number; staff: number };
  hyper: Hyper;
  lexicon: Lexicon;
}

export interface Hyper {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Value of a lexicon concept feature ("k:...") relative to a word's 1: concepts generalise, words memorise. */
  conceptWeight: number;
  /**
   * Weigh each example by the inverse of its category's share of the corpus, so that how many examples
   * someone happened to write for a category does not become the model's belief about how common it is.
   */
  classBalanced: boolean;
}

export const DEFAULT_HYPER: Hyper = { epochs: 20, learningRate: 0.2, l2: 1e-4, seed: 311, conceptWeight: 2, classBalanced: true };

/** Feature values of one message: binary, concepts weighted, scaled to unit length so long messages do not dominate. */
function featureValues(features: readonly string[], conceptWeight: number): number[] {
  const raw = features.map((f) => (f.startsWith('k:') ? conceptWeight : 1));
  const norm = Math.sqrt(raw.reduce((s, v) => s + v * v, 0)) || 1;
  return raw.map((v) => v / norm);
}

export interface TrainingRow {
  features: string[];
  category: Category;
}

/** Deterministic pseudo-random numbers (mulberry32), for a reproducible example order. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function softmax(z: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]! / temperature);
  const e = Array.from({ length: z.length }, (_, i) => Math.exp(z[i]! / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export interface Weights {
  bias: number[];
  weights: Map<string, Float64Array>;
}

export function train(rows: readonly TrainingRow[], hyper: Hyper = DEFAULT_HYPER): Weights {
  const K = CATEGORIES.length;
  const classIndex = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
  const index = new Map<string, number>();
  const encoded = rows.map((r) => {
    const ids = r.features.map((f) => {
      let id = index.get(f);
      if (id === undefined) {
        id = index.size;
        index.set(f, id);
      }
      return id;
    });
    return { ids, values: featureValues(r.features, hyper.conceptWeight), y: classIndex.get(r.category)! };
  });
  const counts = new Array<number>(K).fill(0);
  for (const e of encoded) counts[e.y]! += 1;
  const exampleWeight = counts.map((c) => (hyper.classBalanced && c > 0 ? encoded.length / (K * c) : 1));
  const W = new Float64Array(index.size * K);
  const G = new Float64Array(index.size * K).fill(1e-8);
  const b = new Float64Array(K);
  const Gb = new Float64Array(K).fill(1e-8);
  const order = encoded.map((_, i) => i);
  const random = prng(hyper.seed);
  const z = new Float64Array(K);
  for (let epoch = 0; epoch < hyper.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const n of order) {
      const { ids, values, y } = encoded[n]!;
      for (let k = 0; k < K; k++) {
        let s = b[k]!;
        for (let j = 0; j < ids.length; j++) s += W[ids[j]! * K + k]! * values[j]!;
        z[k] = s;
      }
      const p = softmax(z);
      for (let k = 0; k < K; k++) {
        const g = (p[k]! - (k === y ? 1 : 0)) * exampleWeight[y]!;
        Gb[k]! += g * g;
        b[k]! -= (hyper.learningRate * g) / Math.sqrt(Gb[k]!);
        for (let j = 0; j < ids.length; j++) {
          const at = ids[j]! * K + k;
          const gw = g * values[j]! + hyper.l2 * W[at]!;
          G[at]! += gw * gw;
          W[at]! -= (hyper.learningRate * gw) / Math.sqrt(G[at]!);
        }
      }
    }
  }
  const weights = new Map<string, Float64Array>();
  for (const [f, id] of index) weights.set(f, W.subarray(id * K, id * K + K));
  return { bias: [...b], weights };
}

/** Raw class scores (logits) of one message's features. */
export function logits(model: { bias: readonly number[]; weights: ReadonlyMap<string, ArrayLike<number>> }, features: readonly string[], conceptWeight: number): number[] {
  const K = model.bias.length;
  const z = [...model.bias];
  // Unknown features count in the scaling, as every feature of a training message was known.
  const values = featureValues(features, conceptWeight);
  features.forEach((f, j) => {
    const w = model.weights.get(f);
    if (w) for (let k = 0; k < K; k++) z[k]! += w[k]! * values[j]!;
  });
  return z;
}

/** The temperature that minimises the negative log-likelihood of held-out predictions. */
export function fitTemperature(heldOut: { z: number[]; y: number }[]): number {
  let best = { t: 1, nll: Infinity };
  for (let t = 0.2; t <= 4.0001; t += 0.05) {
    let nll = 0;
    for (const { z, y } of heldOut) nll -= Math.log(Math.max(softmax(z, t)[y]!, 1e-12));
    if (nll < best.nll) best = { t: Math.round(t * 100) / 100, nll };
  }
  return best.t;
}

export function toModelFile(w: Weights, temperature: number, trainedOn: ModelFile['trainedOn'], hyper: Hyper, lexicon: Lexicon): ModelFile {
  const weights: Record<string, number[]> = {};
  for (const f of [...w.weights.keys()].sort()) {
    const v = [...w.weights.get(f)!].map((x) => Math.round(x * 1e4) / 1e4);
    // Features the training barely moved cost file size and time and change no decision.
    if (v.some((x) => Math.abs(x) >= 2e-3)) weights[f] = v;
  }
  return {
    format: 1,
    classes: [...CATEGORIES],
    temperature,
    bias: w.bias.map((x) => Math.round(x * 1e4) / 1e4),
    weights,
    trainedOn,
    hyper,
    lexicon,
  };
}
