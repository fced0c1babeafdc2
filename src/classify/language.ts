// Which of the city's three languages a message is written in: counts of function words, which short
// and misspelt messages still contain, decide; English when nothing tips it.
import type { Language } from './types.ts';

const MARKERS: Readonly<Record<Exclude<Language, 'en'>, readonly string[]>> = {
  es: [
    'el', 'los', 'las', 'del', 'una', 'por', 'para', 'con', 'hay', 'esta', 'está', 'están', 'estan', 'calle', 'hola', 'gracias',
    'buenos', 'buenas', 'dias', 'días', 'señor', 'señora', 'mi', 'muy', 'pero', 'tiene', 'hace', 'semanas', 'basura', 'árbol',
    'arbol', 'bache', 'baches', 'luz', 'frente', 'casa', 'nadie', 'cuando', 'cuándo', 'pueden', 'favor', 'necesito', 'lleno',
    'y', 'es', 'se', 'lo', 'que', 'sobre', 'también', 'tambien', 'ayuda', 'esquina', 'cerca', 'recogieron', 'semana', 'nieve',
    'hoyo', 'hoyos', 'después', 'despues', 'todavía', 'todavia', 'usted', 'ustedes', 'quiero', 'saber', 'dónde', 'donde',
  ],
  pt: [
    'os', 'uma', 'um', 'não', 'nao', 'com', 'na', 'no', 'nas', 'nos', 'da', 'do', 'das', 'dos', 'rua', 'obrigado', 'obrigada',
    'olá', 'ola', 'bom', 'boa', 'dia', 'tarde', 'minha', 'meu', 'muito', 'mas', 'tem', 'faz', 'semanas', 'lixo', 'árvore',
    'arvore', 'buraco', 'buracos', 'poste', 'frente', 'casa', 'ninguém', 'ninguem', 'quando', 'podem', 'favor', 'preciso',
    'cheio', 'e', 'é', 'está', 'estão', 'estao', 'que', 'também', 'tambem', 'ajuda', 'esquina', 'perto', 'recolheram',
    'semana', 'neve', 'depois', 'ainda', 'você', 'voce', 'vocês', 'quero', 'saber', 'onde', 'isso', 'isto', 'aqui', 'há',
    'pra', 'pro', 'ficou', 'o', 'foi', 'funciona', 'funcionando', 'gostaria', 'calçada', 'calcada', 'queda', 'caiu', 'entupido', 'bueiro', 'sinal', 'placa',
  ],
};

// Words only one of the two shares: they break the tie between Spanish and Portuguese.
const DECISIVE: Readonly<Record<Exclude<Language, 'en'>, ReadonlySet<string>>> = {
  es: new Set(['el', 'los', 'las', 'del', 'una', 'hay', 'calle', 'hola', 'gracias', 'muy', 'pero', 'tiene', 'y', 'basura', 'bache', 'baches', 'luz', 'nadie', 'pueden', 'necesito', 'lleno', 'usted', 'ustedes', 'hoyo', 'hoyos', 'recogieron', 'todavía', 'todavia', 'después', 'despues', 'quiero', 'dónde', 'donde', 'nieve', 'señor', 'señora', 'se', 'lo', 'esquina']),
  pt: new Set(['não', 'nao', 'na', 'no', 'nas', 'nos', 'da', 'do', 'das', 'dos', 'rua', 'obrigado', 'obrigada', 'olá', 'minha', 'meu', 'muito', 'mas', 'tem', 'lixo', 'buraco', 'buracos', 'ninguém', 'ninguem', 'podem', 'preciso', 'cheio', 'e', 'é', 'estão', 'ainda', 'você', 'voce', 'vocês', 'onde', 'isso', 'aqui', 'há', 'pra', 'pro', 'ficou', 'gostaria', 'um', 'os', 'neve', 'depois', 'calçada', 'bueiro', 'caiu', 'entupido']),
};

const ENGLISH = new Set([
  'the', 'is', 'are', 'and', 'of', 'to', 'in', 'on', 'at', 'my', 'there', 'a', 'an', 'it', 'this', 'that', 'please', 'street',
  'have', 'has', 'was', 'for', 'with', 'not', 'been', 'by', 'from', 'our', 'thank', 'thanks', 'you', 'when', 'will', 'can', 'i',
  'hi', 'hello', 'out', 'down', 'near', 'front', 'light', 'tree', 'trash', 'pothole', 'still', 'again', 'no', 'be', 'we', 'they',
]);

const PT_ORTHOGRAPHY = /ção|ções|ão\b|õe|nh[aeiou]|lh[aeiou]|ê|ô|ã/;
const ES_ORTHOGRAPHY = /ñ|¿|¡|ción\b|\bll[aeiou]/;

export function detectLanguage(text: string): Language {
  const lower = text.toLowerCase();
  const words = lower.match(/[\p{L}]+/gu) ?? [];
  let en = 0;
  const score = { es: 0, pt: 0 };
  const decisive = { es: 0, pt: 0 };
  for (const w of words) {
    if (ENGLISH.has(w)) en++;
    for (const lang of ['es', 'pt'] as const) {
      if (MARKERS[lang].includes(w)) score[lang]++;
      if (DECISIVE[lang].has(w)) decisive[lang]++;
    }
  }
  if (PT_ORTHOGRAPHY.test(lower)) decisive.pt += 2;
  if (ES_ORTHOGRAPHY.test(lower)) decisive.es += 2;
  const romance = Math.max(score.es, score.pt);
  // English prose shares "a", "no", "e"... with them; a Romance message must out-count English clearly.
  if (romance === 0 || (romance < 2 && en > 0) || romance <= en * 0.8) return 'en';
  if (decisive.pt === decisive.es) return score.pt > score.es ? 'pt' : 'es';
  return decisive.pt > decisive.es ? 'pt' : 'es';
}
