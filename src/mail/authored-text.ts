// Separates what the resident wrote in this message from the replies it quotes and from their signature.
// The classifier reads only the authored part; the whole original stays stored with the message.

export interface AuthoredText {
  authored: string;
  signature: string | null;
  quoted: string | null;
}

// "-----Original Message-----", "---------- Forwarded message ---------" and their translations.
const SEPARATOR =
  /^\s*[-_=*]{2,}\s*(original message|forwarded message|begin forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|mensaje original|mensaje reenviado|mensagem original|mensagem encaminhada|message d'origine|message transféré|message original|oprindelig besked|videresendt meddelelse|opprinnelig melding|alkuperäinen viesti|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|исходное сообщение)\s*[-_=*]*\s*:?\s*$/i;
const BEGIN_FORWARDED = /^\s*(begin forwarded message|inicio del mensaje reenviado|início da mensagem encaminhada|début du message réexpédié)\s*:\s*$/i;
// "On Mon, Aug 26, 2019 at 4:37 PM Someone <a@b> wrote:", possibly wrapped over up to three lines.
const WROTE =
  /^\s*(on|am|le|el|em|il|op|den|d\.|pe|w dniu|в)\b.{4,}?\b(wrote|schrieb|a écrit|escribió|escreveu|ha scritto|skrev|schreef|kirjoitti|napisał|написал\(а\)|написал|írta)\s*:?\s*$/is;
const WROTE_SHORT = /^.{0,200}\b(wrote|escribió|escreveu|a écrit|schrieb)\s*:\s*$/is;
const HEADER_FROM = /^\s*\*?(from|de|von|fra|da|van|från|od|от|lähettäjä)\s*\*?\s*:\s*\S/i;
const HEADER_OTHER =
  /^\s*\*?(sent|date|to|cc|subject|enviado|fecha|para|asunto|assunto|data|gesendet|datum|an|betreff|envoyé|à|objet|dato|til|emne|inviato|oggetto|a|skickat|ämne|verzonden|onderwerp|отправлено|кому|тема|lähetetty|aihe)\s*\*?\s*:/i;
const RULE = /^\s*_{8,}\s*$/;
// Headers with no "On": "Op 12 december 2016 19:05 schreef X <x@y>:", "2017-11-24 16:32 GMT+01:00 X <x@y>:".
const QUOTE_VERB = /(?<!\p{L})(wrote|schrieb|a écrit|escribió|escreveu|ha scritto|skrev|schreef|kirjoitti|napisał|написал|írta)(?!\p{L})/iu;
const DATE_ISH = /\d{1,4}[./:-]\d{1,2}|\b\d{4}\b/;
const ZOHO = /^\s*-{2,}\s*on\b.*\bwrote\s*-{2,}\s*$/i;

// A short last line a phone or mail app adds: "Sent from my iPhone", "Enviado desde mi iPhone", "Enviado do meu iPhone".
const DEVICE =
  /^\s*(sent from|sent via|sent with|sent using|get outlook for|enviado desde|enviado do|enviado de|envoyé de|envoyé depuis|envoyé à partir de|gesendet von|inviato da|verzonden met|sendt fra|skickat från|lähetetty)\b[^,;]{0,60}$/i;
const SIG_DASHES = /^\s*--\s*$|^\s*__\s*$|^\s*[—–]+\s*$/;
const CLOSING =
  /^\s*(thanks( so much| again| in advance)?|thank you( so much| in advance)?|thx|many thanks|regards|best|best regards|kind regards|warm regards|sincerely|yours truly|cheers|respectfully|gracias|muchas gracias|saludos|un saludo|atentamente|cordialmente|obrigad[oa]|muito obrigad[oa]|atenciosamente|abraços|att|merci|cordialement|bien à vous|mit freundlichen grüßen|viele grüße|grüße|vielen dank)\s*[,.!-]*\s*$/i;
const ADDRESS_LINE =
  /^\s*\d{1,5}[a-z]?\s+[a-z][a-z .'-]*\b(st|street|rd|road|ave|av|avenue|dr|drive|ln|lane|la|ter|terrace|pl|place|ct|court|way|blvd|boulevard|cir|circle|trl|trail|hwy|ext)\b\.?(,?\s*(apt|unit|#)\s*\S+)?\s*,?.*$/i;
const CITY_LINE = /^\s*[a-z][a-z .'-]*,?\s+(ct|conn|connecticut|ny)\.?\s*(\d{5}(-\d{4})?)?\s*$/i;
const PHONE_LINE = /^\s*((tel|phone|cell|mobile|celular|telefone|teléfono|ph)\s*[:.]?\s*)?\+?1?[\s.-]*\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\s*$/i;
const EMAIL_LINE = /^\s*\S+@\S+\.\S+\s*$/;
const NAME_LINE = /^\s*[A-ZÀ-Ý][\p{L}'.-]*(\s+[A-ZÀ-Ý][\p{L}'.-]*){0,3}\s*$/u;

const QUOTED_LINE = /^\s*>/;
// s-nail's default indent prefix is a tab: "X wrote:", then the original with a tab before each line.
const TAB_QUOTED_LINE = /^\t/;

/** A marker after which everything is the earlier message: forwarded headers, Outlook's "From:/Sent:" block. */
function startsQuotedRest(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (SEPARATOR.test(line) || BEGIN_FORWARDED.test(line) || ZOHO.test(line)) return true;
  if (RULE.test(line) && lines.slice(i + 1, i + 3).some((l) => HEADER_FROM.test(l))) return true;
  return HEADER_FROM.test(line) && lines.slice(i + 1, i + 6).some((l) => HEADER_OTHER.test(l));
}

/** How many lines the attribution line starting at i spans ("On ... wrote:", possibly wrapped), or 0. */
function attributionLength(lines: string[], i: number): number {
  const line = lines[i]!;
  if (/^\s*(on|am|le|el|em|il|op|den|pe)\b/i.test(line) || /\b(wrote|escribió|escreveu|a écrit|schrieb)\s*:\s*$/i.test(line)) {
    for (let n = 1; n <= 3 && i + n <= lines.length; n++) {
      const joinedLines = lines.slice(i, i + n).join(' ');
      if (WROTE.test(joinedLines) && joinedLines.length < 300) return n;
    }
    if (WROTE_SHORT.test(line) && /@|\d{4}|\d:\d\d/.test(line)) return 1;
  }
  if (DATE_ISH.test(line) && line.length < 200) {
    for (let n = 1; n <= 3 && i + n <= lines.length; n++) {
      const joinedLines = lines.slice(i, i + n).join(' ').trim();
      if (joinedLines.length < 300 && /:\s*$/.test(joinedLines) && (/<\s*[^>\s]+@[^>\s]+\s*>/.test(joinedLines) || (QUOTE_VERB.test(joinedLines) && n === 1))) return n;
    }
  }
  return 0;
}

/**
 * Which lines belong to earlier messages. Quoted blocks ("> ..." lines, or a tab-indented block under an
 * attribution) and their attribution line are removed wherever they are, so text above, between and below
 * them stays the sender's. An attribution or header block with no quoted block under it (clients that
 * quote without a prefix) starts the earlier message, which then runs to the end.
 */
function quotedLines(lines: string[]): boolean[] {
  const quoted = lines.map(() => false);
  for (let i = 0; i < lines.length; i++) {
    if (QUOTED_LINE.test(lines[i]!)) {
      quoted[i] = true;
      continue;
    }
    const restFrom = (k: number) => {
      for (let j = k; j < lines.length; j++) quoted[j] = true;
      return lines.length;
    };
    if (startsQuotedRest(lines, i)) {
      i = restFrom(i);
      continue;
    }
    const n = attributionLength(lines, i);
    if (n === 0) continue;
    let j = i + n;
    while (j < lines.length && lines[j]!.trim() === '' && !TAB_QUOTED_LINE.test(lines[j]!)) j++;
    const prefix = j < lines.length ? (QUOTED_LINE.test(lines[j]!) ? QUOTED_LINE : TAB_QUOTED_LINE.test(lines[j]!) ? TAB_QUOTED_LINE : null) : null;
    if (!prefix) {
      i = restFrom(i);
      continue;
    }
    for (let k = i; k < j; k++) quoted[k] = true;
    while (j < lines.length && prefix.test(lines[j]!)) quoted[j++] = true;
    i = j - 1;
  }
  return joinWrappedQuoteLines(lines, quoted);
}

/**
 * A client that wraps a long quoted line after adding the prefix leaves the rest of it unprefixed:
 * "> ... ornare diam,\neget accumsan est\n> ...". Lines squeezed between quoted lines, with no blank line
 * around them, that go on a sentence the quote left open, are quoted too.
 */
function joinWrappedQuoteLines(lines: string[], quoted: boolean[]): boolean[] {
  for (let i = 1; i < lines.length; i++) {
    if (quoted[i] || !quoted[i - 1] || !QUOTED_LINE.test(lines[i - 1]!)) continue;
    let j = i;
    while (j < lines.length && !quoted[j] && lines[j]!.trim() !== '') j++;
    const sentenceOpen = !/[.!?:]["')\]]?\s*$/.test(lines[i - 1]!) && /^\s*\p{Ll}/u.test(lines[i]!);
    if (j < lines.length && j - i <= 2 && quoted[j] && QUOTED_LINE.test(lines[j]!) && sentenceOpen) {
      for (let k = i; k < j; k++) quoted[k] = true;
    }
  }
  return quoted;
}

function isContactLine(line: string): boolean {
  return ADDRESS_LINE.test(line) || CITY_LINE.test(line) || PHONE_LINE.test(line) || EMAIL_LINE.test(line);
}

/** Index of the first signature line in the authored lines, or lines.length when there is none. */
function signatureStart(lines: string[]): number {
  const nonBlank = lines.map((l, i) => (l.trim() ? i : -1)).filter((i) => i >= 0);
  if (nonBlank.length === 0) return lines.length;
  for (const i of nonBlank) if (SIG_DASHES.test(lines[i]!)) return i;
  const tail = nonBlank.slice(-8);
  for (const i of tail) {
    if (!CLOSING.test(lines[i]!) || i === nonBlank[0]) continue;
    const after = nonBlank.filter((j) => j > i);
    if (after.length <= 6 && after.every((j) => lines[j]!.trim().length <= 60)) return i;
  }
  for (const i of tail.slice(-3)) if (DEVICE.test(lines[i]!)) return i;
  // A bare name-and-address block at the end ("Maria Santos / 14 Osborne St / Danbury CT 06810").
  let start = lines.length;
  let contact = 0;
  for (let k = nonBlank.length - 1; k >= 1 && nonBlank.length - k <= 5; k--) {
    const line = lines[nonBlank[k]!]!;
    if (isContactLine(line)) {
      contact++;
      start = nonBlank[k]!;
    } else if (contact > 0 && NAME_LINE.test(line) && line.trim().length <= 40) {
      start = nonBlank[k]!;
      break;
    } else break;
  }
  return contact > 0 ? start : lines.length;
}

function joined(lines: string[]): string | null {
  const text = lines.join('\n').trim();
  return text === '' ? null : text;
}

export function extractAuthoredText(text: string): AuthoredText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const quoted = quotedLines(lines);
  const own: string[] = [];
  lines.forEach((line, i) => {
    if (!quoted[i]) own.push(line);
    // A removed block leaves one blank line, so the paragraphs around it stay apart.
    else if (i > 0 && !quoted[i - 1]) own.push('');
  });
  const s = signatureStart(own);
  const mine = own.slice(0, s);
  // A rule line left just above a cut quote or signature belongs to neither.
  while (mine.length > 0 && /^\s*([-_=*]{2,}\s*)?$/.test(mine[mine.length - 1]!)) mine.pop();
  while (mine.length > 0 && mine[0]!.trim() === '') mine.shift();
  return {
    authored: (joined(mine) ?? '').replace(/\n{3,}/g, '\n\n'),
    signature: joined(own.slice(s)),
    quoted: joined(lines.filter((_, i) => quoted[i])),
  };
}
