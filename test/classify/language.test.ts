import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/classify/language.ts';

describe('detectLanguage', () => {
  it.each([
    ['There is a pothole on Main St, please fix it', 'en'],
    ['streetlight out', 'en'],
    ['No one picked up the trash on my street', 'en'],
    ['Hay un bache enorme en la calle Main', 'es'],
    ['Buenas tardes, la basura no la recogieron esta semana', 'es'],
    ['semaforo no funciona en la esquina de Main y White', 'es'],
    ['Tem um buraco enorme na rua Padanaram', 'pt'],
    ['Bom dia, o lixo não foi recolhido', 'pt'],
    ['o semáforo não funciona', 'pt'],
    ['arvore caiu na rua', 'pt'],
  ] as const)('%s -> %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('falls back to English when nothing tips it', () => {
    expect(detectLanguage('')).toBe('en');
    expect(detectLanguage('12 Padanaram Rd')).toBe('en');
  });
});
