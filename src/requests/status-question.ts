// Is the resident asking where their request stands ("any update?"), rather than reporting
// something? Precision matters more than recall: a report mistaken for a question gets no request
// opened, while a question mistaken for a report is only a reply added to its thread.

// Text is matched lower-cased and without accents, so "actualización" and "actualizacion" are one.
const REQUEST_NOUN = String.raw`(?:request|report|complaint|ticket|case|issue|submission|solicitud|reporte|queja|pedido|caso|solicitacao|chamado|reclamacao|protocolo|denuncia)`;
const MINE = String.raw`(?:my|this|the|our|mi|la|el|esta|este|meu|minha|o|a|esse|essa)`;
const DONE = String.raw`(?:fixed|repaired|resolved|done|addressed|handled|completed|taken care of|looked at|scheduled|filled|patched|picked up|cleaned up|removed|cleared)`;

// Unambiguous asks for a status, in any sentence.
const STRONG: RegExp[] = [
  /^¿?(?:status|update|status update|estado|estatus|novedades?|actualizacion|atualizacao|novidades?)\s*\?+$/,
  /\bwhat(?:'?s| is| was)? (?:the )?(?:current |latest )?status\b/,
  /\bany (?:updates?|news|progress|word|status)\b/,
  /\b(?:is there|are there|do you have|have you got) (?:an?|any) (?:updates?|news|status)\b/,
  new RegExp(String.raw`\bstatus (?:of|on|for) (?:${MINE} ${REQUEST_NOUN}\b|[a-z]{2,3}-?[0-9a-z]{5,12}\b)`),
  new RegExp(String.raw`\bwhat(?:'?s| is) (?:happening|going on) (?:with|to) ${MINE} ${REQUEST_NOUN}\b`),
  new RegExp(String.raw`\bwhat happened (?:with|to) ${MINE} ${REQUEST_NOUN}\b`),
  /\bwhere (?:are we|do things stand|does (?:this|it|my \w+) stand)\b/,
  /\b(?:let me know|tell me|give me|send me|update me on) (?:the |what(?:'?s| is) the )?(?:status|an update|any updates?|where (?:this|it|things) stands?)\b/,
  /\b(?:i'?d like|i would like|i want|requesting) (?:to know |to get |to have )?(?:an? )?(?:update|the status|status update)\b/,
  new RegExp(String.raw`\b(?:following up|follow up|checking in|checking) (?:on|about|regarding) (?:${MINE} ${REQUEST_NOUN}\b|the status\b|[a-z]{2,3}-?[0-9a-z]{5,12}\b)`),
  /\bcheck(?:ing)? (?:on )?the status\b/,
  // Spanish
  /\b(?:cual|que) es el (?:estado|estatus|status)\b/,
  /\balgun[ao]? (?:novedad|novedades|noticia|noticias|actualizacion|avance)\b/,
  /\bhay (?:alguna |algun |algo de )?(?:novedad|novedades|noticias?|actualizacion|avances?)\b/,
  new RegExp(String.raw`\b(?:como va|en que (?:estado|va|quedo)) (?:${MINE} )?${REQUEST_NOUN}\b`),
  new RegExp(String.raw`\b(?:que (?:paso|ha pasado) con) ${MINE} ${REQUEST_NOUN}\b`),
  /\b(?:quisiera|quiero|quisieramos|me gustaria) saber (?:el|como va|en que|si hay)\b.{0,40}?\b(?:estado|estatus|status|novedad|actualizacion|avance|solicitud|reporte|queja)\b/,
  // Portuguese
  /\bqual (?:e|eh) (?:o|a) (?:status|estado|andamento|situacao)\b/,
  /\balgum[a]? (?:novidade|novidades|atualizacao|noticia|noticias|andamento)\b/,
  /\b(?:tem|ha|teve|existe) (?:alguma |algum )?(?:novidade|novidades|atualizacao|noticia|andamento|previsao)\b/,
  new RegExp(String.raw`\bcomo (?:esta|anda) (?:o |a )?(?:meu |minha )?${REQUEST_NOUN}\b`),
  new RegExp(String.raw`\b(?:status|andamento|situacao) d[oa] (?:meu |minha )?${REQUEST_NOUN}\b`),
  /\b(?:gostaria de saber|queria saber|podem me informar|poderiam (?:me )?informar)\b.{0,40}?\b(?:status|andamento|situacao|novidade|atualizacao|pedido|solicitacao|chamado)\b/,
];

// "Has it been fixed?" also ends many a new report ("big pothole on Elm. When will it be fixed?"), so
// these count only when the resident points back at an earlier report or writes nothing else.
const WEAK: RegExp[] = [
  new RegExp(String.raw`\b(?:has|have|was|were|is|are) (?:this|it|that|they|${MINE} \w+(?: \w+){0,2}) (?:been |gotten |got |being |already )?${DONE}\b`),
  new RegExp(String.raw`\bwhen (?:will|is|are|can) (?:this|it|that|my \w+) (?:going to |gonna )?(?:be |get |be getting )?${DONE}\b`),
  /\bya (?:lo |la |los |las )?(?:arreglaron|repararon|resolvieron|taparon|rellenaron|limpiaron|recogieron|quitaron)\b/,
  /\bya se (?:arreglo|reparo|resolvio)\b/,
  /\b(?:ja )?(?:foi|foram) (?:consertad|resolvid|arrumad|feit|reparad|tapad|recolhid|limp)[oa]s?\b/,
];

const REQUEST_FORM =
  /\b(?:let me know|tell me|give me|send me|update me|i'?d like|i would like|i want|requesting|following up|follow up|checking|quisiera|quiero|me gustaria|gostaria|queria|podem|poderiam)\b/;

// Words that say "I wrote before", which turn a weak question into a status question.
const POINTS_BACK = new RegExp(
  String.raw`\b(?:yet|already|still|i reported|i sent|i submitted|i wrote|i called|tracking number|ya|todavia|aun|reporte hace|ja|ainda|reportei|enviei)\b|\b(?:my|our|mi|nuestra|nuestro|meu|minha|nosso|nossa) ${REQUEST_NOUN}\b|\b[a-z]{2,3}-[0-9a-z]{5,12}\b`,
);

// What may surround a bare question without making it a report.
const PLEASANTRIES = new Set(
  'hi hello hey dear good morning afternoon evening thanks thank you much please regards best sincerely cheers hola buenos buenas dias tardes gracias saludos ola bom boa dia tarde obrigado obrigada abracos atenciosamente'.split(' '),
);

function normalize(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[ \t]+/g, ' ');
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[?.!])\s+|\n+|(?=¿)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function isQuestion(sentence: string): boolean {
  return sentence.includes('?') || sentence.startsWith('¿');
}

function words(s: string): string[] {
  return s.split(/[^\p{L}\p{N}'-]+/u).filter((w) => w !== '');
}

export function isStatusQuestion(authoredText: string, subject: string): boolean {
  const cleanSubject = normalize(subject).replace(/^\s*(?:(?:re|fw|fwd|rv|res|enc)\s*:\s*)+/, '');
  const body = sentences(normalize(authoredText));
  const all = cleanSubject === '' ? body : [cleanSubject, ...body];
  // A strong ask needs a question mark, a request form ("let me know the status") or a fragment so
  // short it can only be a question ("any update").
  const asked = (s: string) => isQuestion(s) || words(s).length <= 8 || REQUEST_FORM.test(s);
  if (all.some((s) => STRONG.some((re) => re.test(s)) && asked(s))) return true;
  const weak = body.filter((s) => isQuestion(s) && WEAK.some((re) => re.test(s)));
  if (weak.length === 0) return false;
  const text = [cleanSubject, ...body].join(' ');
  if (POINTS_BACK.test(text)) return true;
  const rest = body.filter((s) => !weak.includes(s)).flatMap(words).filter((w) => !PLEASANTRIES.has(w));
  return rest.length <= 2;
}
