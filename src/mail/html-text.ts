// Plain text from an HTML body, for messages that have no text part.
import { compile } from 'html-to-text';

const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
  ],
});

export interface HtmlText {
  text: string;
  /** True when only the first maxChars of the HTML were converted. */
  truncated: boolean;
}

/**
 * Converts HTML to text, looking at no more than maxChars of it: the conversion is synchronous and
 * grows with the input, so an oversized HTML part would otherwise hold the event loop.
 */
export function htmlToPlainText(html: string, maxChars: number): HtmlText {
  const truncated = html.length > maxChars;
  const text = toText(truncated ? html.slice(0, maxChars) : html);
  return { text: text.replace(/\n{3,}/g, '\n\n').trim(), truncated };
}
