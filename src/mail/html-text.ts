// Plain text from an HTML body, for messages that have no text part.
import { Parser } from 'htmlparser2';
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
  /** Set when html-to-text could not convert it and the plain rendering was used instead: why. */
  fallback: string | null;
}

/**
 * Converts HTML to text, looking at no more than maxChars of it: the conversion is synchronous and
 * grows with the input, so an oversized HTML part would otherwise hold the event loop. html-to-text
 * walks the document tree recursively, so deep nesting (10,000 <div>s) overflows the stack; the same
 * input fails the same way on every retry, so the plain rendering is used and the message goes on.
 */
export function htmlToPlainText(html: string, maxChars: number): HtmlText {
  const truncated = html.length > maxChars;
  const input = truncated ? html.slice(0, maxChars) : html;
  let text: string;
  let fallback: string | null = null;
  try {
    text = toText(input);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    fallback = err.message;
    text = plainRendering(input);
  }
  return { text: tidy(text), truncated, fallback };
}

function tidy(text: string): string {
  return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

// Elements after which a reader expects a new line.
const BLOCKS = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'hr', 'section', 'article', 'header', 'footer']);
const SKIPPED = new Set(['script', 'style', 'head', 'title']);

/**
 * The text of an HTML document read as a stream of tags and text, with no tree and no recursion, so no
 * depth of nesting can overflow it: block elements become line breaks, entities are decoded, scripts
 * and styles are skipped.
 */
export function plainRendering(html: string): string {
  const out: string[] = [];
  let skipping = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (SKIPPED.has(name)) skipping++;
        else if (BLOCKS.has(name)) out.push('\n');
      },
      onclosetag(name, implied) {
        if (SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCKS.has(name) && !implied) out.push('\n');
      },
      ontext(data) {
        if (skipping === 0) out.push(data.replace(/\s+/g, ' '));
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.end(html);
  return out.join('').split('\n').map((l) => l.trim()).join('\n');
}
