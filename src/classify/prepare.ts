// The text the classifier reads: the subject and what the resident wrote, without quotes and signature.
import { extractAuthoredText } from '../mail/authored-text.ts';
import { detectLanguage } from './language.ts';
import type { ClassifyInput, Language } from './types.ts';

export interface PreparedText {
  /** Subject and authored body, the input of the category model and the location matcher. */
  text: string;
  signature: string | null;
  language: Language;
}

export function prepareText(input: ClassifyInput): PreparedText {
  const { authored, signature } = extractAuthoredText(input.text);
  // When stripping left nothing (a reply that is all quote), the whole body is better than nothing.
  const body = authored.trim() === '' ? input.text : authored;
  const text = [input.subject.trim(), body.trim()].filter(Boolean).join('\n');
  return { text, signature, language: detectLanguage(text) };
}
