// Recognises a present danger in what a resident wrote: the hazard, and whether it is an emergency
// (call 911 or the utility now) or urgent (the city must act today). Deterministic rules
// (urgency-rules.ts), read sentence by sentence; a sentence that asks what to do if it ever happens, or
// tells of a danger that is over, raises nothing. Recall matters more than precision here: a false alarm
// costs a person a minute, a missed one can cost a life.
import { urgencyOf, type Hazard, type Urgency } from '../hazards.ts';
import { HYPOTHETICAL, NEGATED_BEFORE, PLACE_MASKS, RESOLVED, STILL_THERE, URGENCY_RULES, type UrgencyRule } from './urgency-rules.ts';

export { EMERGENCY_HAZARDS, HAZARDS, isHazard, URGENCIES, URGENT_HAZARDS, urgencyOf, urgencyRank, type Hazard, type Urgency } from '../hazards.ts';

export interface UrgencyAssessment {
  urgency: Urgency;
  hazard: Hazard | null;
  /** The rule that fired, e.g. 'wire-down-en'; null for routine. */
  rule: string | null;
  /** The sentence it fired on (normalised), for staff and the on-call alert; null for routine. */
  evidence: string | null;
}

export const ROUTINE: UrgencyAssessment = Object.freeze({ urgency: 'routine', hazard: null, rule: null, evidence: null });

/** Lower case, no accents, one kind of apostrophe, places named after hazards masked. */
export function normalizeForRules(text: string): string {
  let t = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'");
  for (const mask of PLACE_MASKS) t = t.replace(mask.pattern, ' (place) ');
  return t;
}

function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+|(?<=\S)\s*[;¡¿]\s*/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s !== '');
}

function findsNoDanger(sentence: string): boolean {
  if (HYPOTHETICAL.some((h) => h.pattern.test(sentence))) return true;
  return RESOLVED.some((r) => r.pattern.test(sentence)) && !STILL_THERE.test(sentence);
}

function matchesUnnegated(pattern: RegExp, sentence: string): boolean {
  const m = pattern.exec(sentence);
  return m !== null && !NEGATED_BEFORE.test(sentence.slice(0, m.index));
}

/** Whether one rule fires on one sentence (already normalised and judged to describe a present situation). */
export function ruleFires(rule: UrgencyRule, sentence: string): boolean {
  if (!matchesUnnegated(rule.pattern, sentence)) return false;
  if (rule.also && !matchesUnnegated(rule.also, sentence)) return false;
  return !(rule.unless && rule.unless.test(sentence));
}

// What a resident writes about a danger comes first; reading a 40 MB body through every rule would
// take the classify stage tens of seconds (about 1 ms per 1,000 characters).
const MAX_CHARS = 20_000;

/** The most pressing hazard the text describes as present now; routine when none. */
export function assessUrgency(text: string): UrgencyAssessment {
  const sentences = sentencesOf(normalizeForRules(text.slice(0, MAX_CHARS))).filter((s) => !findsNoDanger(s));
  if (sentences.length === 0) return ROUTINE;
  // Rules are listed emergencies first, so the first to fire is the most pressing.
  for (const rule of URGENCY_RULES) {
    const sentence = sentences.find((s) => ruleFires(rule, s));
    if (sentence !== undefined) {
      return { urgency: urgencyOf(rule.hazard), hazard: rule.hazard, rule: rule.id, evidence: sentence.slice(0, 240) };
    }
  }
  return ROUTINE;
}
