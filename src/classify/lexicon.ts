// The concept lexicon (data/training/lexicon.txt): groups of words meaning one thing, matched as
// whole words on folded text. It travels inside the model file, so a model always reads text the way
// it was trained to.

export type Lexicon = Record<string, string[]>;

export function parseLexicon(text: string): Lexicon {
  const lexicon: Lexicon = {};
  for (const [n, line] of text.split('\n').entries()) {
    const content = line.replace(/#.*/, '').trim();
    if (content === '') continue;
    const m = /^([a-z_]+):(.*)$/.exec(content);
    if (!m) throw new Error(`lexicon line ${n + 1}: expected "concept: pattern, pattern", got "${content}"`);
    const patterns = m[2]!.split(',').map((p) => foldForLexicon(p.trim())).filter(Boolean);
    lexicon[m[1]!] = [...(lexicon[m[1]!] ?? []), ...patterns];
  }
  return lexicon;
}

/** Lower case, no accents, no apostrophes ("didn't" -> "didnt"), words separated by single spaces. */
export function foldForLexicon(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’`']/g, '')
    .replace(/[^a-z0-9*]+/g, ' ')
    .trim();
}

export type ConceptMatcher = (folded: string) => string[];

export function compileLexicon(lexicon: Lexicon): ConceptMatcher {
  const compiled = Object.entries(lexicon).map(([concept, patterns]) => {
    const alternatives = patterns.map((p) => p.split(' ').map((w) => w.replace(/[^a-z0-9*]/g, '').replace(/\*/g, '[a-z0-9]*')).join(' '));
    return { concept, re: new RegExp(`(?:^| )(?:${alternatives.join('|')})(?= |$)`) };
  });
  return (folded) => compiled.filter((c) => c.re.test(folded)).map((c) => c.concept);
}
