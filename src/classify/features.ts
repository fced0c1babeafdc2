// Turns a message into the sparse features the category model reads: stemmed words in the message's
// language, the concepts of the lexicon it mentions, and signals of form (a question, a language).
// Word pairs and character 4-grams were measured too (data/model/README.md): both lowered accuracy on
// the dev split and on the real set, as they let the model memorise the corpus' phrasing.
import enStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import esStemmer from 'natural/lib/natural/stemmers/porter_stemmer_es.js';
import ptStemmer from 'natural/lib/natural/stemmers/porter_stemmer_pt.js';
import { foldForLexicon, type ConceptMatcher } from './lexicon.ts';
import type { Language } from './types.ts';

const STEMMERS: Readonly<Record<Language, { stem(word: string): string }>> = { en: enStemmer, es: esStemmer, pt: ptStemmer };

// Function words of the three languages. Negations and question words are kept: "not picked up",
// "when is" carry the meaning that separates a report from a question.
const STOPWORDS = new Set(
  `a an the and or but of to in on at by for from with as is are was were be been being it its this that these those
  there here i me my we our us you your he she they them their his her im ive its thats theres hi hello please thanks
  thank dear sir madam just also very really so too would could should has have had do does did am
  el la los las un una unos unas y o de del en con por para al lo le les se su sus mi mis es son esta estan este esto
  hay muy gracias hola favor
  o os as um uma uns umas e da do das dos na no nas nos em com por para ao aos pelo pela seu sua meu minha
  esta estao este isto ha muito obrigado obrigada ola`.split(/\s+/),
);

// Openings of a question asked for an answer, not "can someone fix...", which is a report.
const QUESTION_START = /^(when|what|whats|how|where|which|is there|are there|do you|does the|cuando|cuándo|qué|cómo|dónde|quando|qual|quais|onde|como faço)\b/;

export function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’`']/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 || /\d/.test(w));
}

function isQuestion(text: string): boolean {
  return text.split(/\n|(?<=[.!?])\s+/).some((s) => {
    const t = s.trim().toLowerCase();
    return t.endsWith('?') || t.startsWith('¿') || QUESTION_START.test(t);
  });
}

// Stemming is most of the feature cost and residents use few distinct words: remember the stems,
// with a cap so a long-running worker's memory stays flat.
const stemCache = new Map<string, string>();
const STEM_CACHE_CAP = 100_000;

function stemOf(language: Language, word: string): string {
  const key = `${language}:${word}`;
  let s = stemCache.get(key);
  if (s === undefined) {
    s = STEMMERS[language].stem(word);
    if (stemCache.size >= STEM_CACHE_CAP) stemCache.clear();
    stemCache.set(key, s);
  }
  return s;
}

/** Distinct feature names of one message (subject and authored body already joined). */
export function extractFeatures(text: string, language: Language, concepts: ConceptMatcher): string[] {
  const out = new Set<string>();
  out.add(`lang:${language}`);
  if (isQuestion(text)) out.add('form:question');
  for (const concept of concepts(foldForLexicon(text))) out.add(`k:${concept}`);
  for (const raw of words(text)) {
    if (/\d/.test(raw) || STOPWORDS.has(raw)) continue;
    out.add(`w:${stemOf(language, raw)}`);
  }
  return [...out];
}
