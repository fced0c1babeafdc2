import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createGazetteer, loadGazetteer, parseAddedStreets, withAddedStreets, type GazetteerData } from '../../src/classify/gazetteer.ts';
import { createLocator, maskPlaceNames } from '../../src/classify/location.ts';

const gazetteer = loadGazetteer();
const { locate } = createLocator(gazetteer);
const at = (text: string, signature: string | null = null) => locate(text, signature);

describe('street matching', () => {
  it.each([
    ['pothole at 12 Padanaram Rd', 'Padanaram Road', '12'],
    ['light out near 45 mill plain rd.', 'Mill Plain Road', '45'],
    ['Pothole on PADANARAM ROAD by the school', 'Padanaram Road', null],
    ['deep hole on Deer Hill Av', 'Deer Hill Avenue', null],
    ['stop sign gone at the end of W Wooster St', 'West Wooster Street', null],
    ['tree down on Forty Acre Mt Rd', 'Forty Acre Mountain Road', null],
  ])('abbreviations and house numbers: %s', (text, street, house) => {
    const r = at(text);
    expect(r.street).toBe(street);
    expect(r.houseNumber).toBe(house);
  });

  it.each([
    ['the big hole on padanarm by the gas station is back!!', 'Padanaram Road'],
    ['stop sign down on hayestwon rd', 'Hayestown Road'],
    ['streetlight out on Balmfort Ave', 'Balmforth Avenue'],
    ['dead deer on Kenosa Avenue', 'Kenosia Avenue'],
  ])('misspellings: %s', (text, street) => {
    expect(at(text).street).toBe(street);
  });

  it('prefers the street with that suffix, and the busier one when none is written', () => {
    expect(at('pothole on Padanaram Ave').street).toBe('Padanaram Avenue');
    expect(at('pothole on padanaram near the school').street).toBe('Padanaram Road');
  });

  it('reads intersections', () => {
    expect(at('at the corner of Main and White the light is out')).toMatchObject({ street: 'Main Street', crossStreet: 'White Street' });
    expect(at('Lake Ave & Mill Plain, signal stuck')).toMatchObject({ street: 'Lake Avenue', crossStreet: 'Mill Plain Road' });
    expect(at('The light at Deer Hill Ave and Main St is out')).toMatchObject({ street: 'Deer Hill Avenue', crossStreet: 'Main Street' });
    expect(at('semaforo apagado en la esquina de Osborne y Wildman')).toMatchObject({ street: 'Osborne Street', crossStreet: 'Wildman Street' });
  });

  it('maps landmarks to their street', () => {
    expect(at('big pothole at the entrance of the Danbury Fair Mall').street).toBe('Backus Avenue');
    expect(at('streetlight out in front of City Hall').street).toBe('Deer Hill Avenue');
    expect(at('tree down near Danbury Hospital').street).toBe('Hospital Avenue');
    expect(at('graffiti by the beach at Lake Kenosia').street).toBe('Kenosia Avenue');
  });

  it('gives the coordinates the data has for the street', () => {
    const r = at('pothole on Padanaram Rd');
    expect(r.lat).toBeCloseTo(41.41, 1);
    expect(r.lon).toBeCloseTo(-73.46, 1);
  });

  it('finds no street in ordinary words', () => {
    for (const text of [
      'There is a lake of water in the park on the main road',
      'the white truck dumped junk behind the high school',
      'Streetlight out, it has been dark for a week. Please fix as soon as possible.',
      'My neighbor has a deer fence and a crown of roses, it is a grand old house on a hill',
      'come to newtown for the parade',
      'When is leaf pickup this year? Thank you!',
    ]) {
      expect(at(text).street, text).toBeNull();
    }
  });

  it('takes the problem location from the text, not from the sender\'s address', () => {
    expect(at('pothole on Padanaram Rd near the gas station', 'Maria Santos\n14 Osborne St\nDanbury CT 06810').street).toBe('Padanaram Road');
  });

  it('uses the sender\'s address when the text points at their home', () => {
    const r = at('please fix the pothole in front of my house', 'Maria Santos\n14 Osborne St\nDanbury CT 06810');
    expect(r).toMatchObject({ street: 'Osborne Street', houseNumber: '14' });
    expect(at('streetlight out somewhere downtown', 'Maria Santos\n14 Osborne St').street).toBeNull();
  });

  it('recognises a neighbouring town\'s street as outside Danbury', () => {
    expect(at('tree down on Greenwood Ave in Bethel')).toMatchObject({ street: 'Greenwood Avenue', outsideTown: 'Bethel', lat: null });
    expect(at('pothole on Stony Hill Rd').outsideTown).toBe('Bethel');
  });

  it('keeps a street both towns have in Danbury unless the town is named', () => {
    expect(at('pothole on Federal Road near the Brookfield line')).toMatchObject({ street: 'Federal Road', outsideTown: null });
    expect(at('pothole on Federal Road in Brookfield')).toMatchObject({ street: 'Federal Road', outsideTown: 'Brookfield' });
    expect(at('pot hole on Newtown Rd by the Shell').outsideTown).toBeNull();
  });
});

describe('gazetteer', () => {
  it('suggests streets for the staff correction field', () => {
    expect(gazetteer.suggestStreets('padanaram', 5).map((s) => s.name)).toEqual(expect.arrayContaining(['Padanaram Road', 'Padanaram Avenue']));
    expect(gazetteer.suggestStreets('12 padanram rd', 3)[0]!.name).toBe('Padanaram Road');
    expect(gazetteer.suggestStreets('')).toEqual([]);
  });

  it('knows canonical and abbreviated names, and not made-up ones', () => {
    expect(gazetteer.isKnownStreet('Padanaram Road')).toBe(true);
    expect(gazetteer.isKnownStreet('PADANARAM RD')).toBe(true);
    expect(gazetteer.isKnownStreet('Main St')).toBe(true);
    expect(gazetteer.isKnownStreet('Main Road')).toBe(false);
    expect(gazetteer.isKnownStreet('Nowhere Lane')).toBe(false);
  });

  it('offers the nearest known streets for a name it lacks, typos first', () => {
    expect(gazetteer.nearestStreets('Mian Street')[0]).toBe('Main Street');
    expect(gazetteer.nearestStreets('Wite Street')[0]).toBe('White Street');
    expect(gazetteer.nearestStreets('White Turkey Road')).toContain('White Street');
    expect(gazetteer.nearestStreets('Zzyzx Road')).toEqual([]);
  });

  it('takes a street added by one line of added-streets.txt, spelled out, with no rebuild', () => {
    const dir = path.join(import.meta.dirname, '..', '..', 'data', 'gazetteer');
    const built = JSON.parse(fs.readFileSync(path.join(dir, 'gazetteer.json'), 'utf8')) as GazetteerData;
    const lines = parseAddedStreets('# a comment\nFOXGLOVE LN   # seen on the sign, 2026-12\nMain St\n');
    expect(lines).toEqual(['FOXGLOVE LN', 'Main St']);
    const widened = createGazetteer(withAddedStreets(built, lines), ['main']);
    expect(widened.isKnownStreet('Foxglove Lane')).toBe(true);
    expect(widened.streets.filter((s) => s.name === 'Main Street')).toHaveLength(1);
    expect(createLocator(widened).locate('pothole at 12 foxglove ln', null)).toMatchObject({ street: 'Foxglove Lane', houseNumber: '12' });
    expect(gazetteer.isKnownStreet('Foxglove Lane')).toBe(false);
    // The shipped file's streets are in the loaded gazetteer.
    expect(gazetteer.isKnownStreet('Memorial Drive')).toBe(true);
  });

  it('is loaded once', () => {
    expect(loadGazetteer()).toBe(gazetteer);
  });

  it('spells out suffixes and keeps the data\'s misspellings only as aliases', () => {
    const names = gazetteer.streets.map((s) => s.name);
    expect(names).toContain('Padanaram Road');
    expect(names).toContain('East Hayestown Road');
    expect(names).not.toContain('Ayestown Road');
    expect(names.filter((n) => / (Rd|St|Ave|Av|Dr|Ln)$/.test(n))).toEqual([]);
  });
});

describe('street matching pitfalls found on the dev split', () => {
  it('does not read a cue word into a misspelt name', () => {
    expect(at('there is a really bad pot-hole on Shelter Rock rd right after the bend').street).toBe('Shelter Rock Road');
  });

  it('does not turn an ordinary word into a near-miss street name', () => {
    expect(at('The street light at my driveway is out').street).toBeNull();
  });

  it('takes the sender\'s address for a problem next door', () => {
    expect(at('The house next door is a disgrace, junk everywhere', 'Barbara Nolan\n16 Lincoln Ave\nDanbury CT 06810').street).toBe('Lincoln Avenue');
  });
});

describe('streets the gazetteer lacks', () => {
  it('are kept as written, not snapped to a known street', () => {
    expect(at('pothole on Zzyzx Road').street).toBe('Zzyzx Road');
    expect(at('streetlight out on Mian Street').street).toBe('Mian Street');
    expect(at('graffiti on Wite Street').street).toBe('Wite Street');
    expect(at('TREE DOWN ON WHITE TURKEY RD').street).toBe('White Turkey Road');
  });

  it('are not made of everyday phrases before "road"', () => {
    for (const text of ['Uneven Road surface after utility work', 'Tree Across Road', 'Busy Road, cars speeding', 'Icy Road this morning', 'Pothole Road hazard']) {
      expect(at(text).street, text).toBeNull();
    }
  });

  it('keeps a capitalised name with a suffix as written, spelled out', () => {
    expect(at('pothole in front of 12 Foxglove Ln')).toMatchObject({ street: 'Foxglove Lane', houseNumber: '12', lat: null });
    expect(at('light out on Old Mill Pond Road near the school').street).toBe('Old Mill Pond Road');
  });

  it('keeps a lower-case one where a street is expected, but not "my street" or "the side street"', () => {
    expect(at('pothole on foxglove ln near the end').street).toBe('Foxglove Lane');
    expect(at('light out at 12 hickory hollow rd')).toMatchObject({ street: 'Hickory Hollow Road', houseNumber: '12' });
    for (const text of ['pothole on my street', 'stop sign on the side street', 'cars go fast on this busy road', 'kids play on the dead end street', 'when will the leaf collection take place on our road?']) {
      expect(at(text).street, text).toBeNull();
    }
  });

  it('does not make streets of capitalised sentences', () => {
    expect(at('Dead Deer On Road').street).toBeNull();
    expect(at('My Street Is Flooded').street).toBeNull();
    expect(at('Pothole On Main St').street).toBe('Main Street');
  });

  it('reads a landmark followed by a suffix as a street', () => {
    expect(at('Streetlight out on Candlewood Lake Rd').street).toBe('Candlewood Lake Road');
  });
});

describe('street names inside ordinary phrases', () => {
  it('reads "street sign" and "lamp post" as things, not streets', () => {
    expect(at('can we get a new street sign for Wildman St? The old one is faded').street).toBe('Wildman Street');
    expect(at('Lamp post knocked down on Spring Street, wires exposed').street).toBe('Spring Street');
  });

  it('names an intersection street first even when the first name is an ordinary word', () => {
    expect(at('traffic lights out at Main and Wooster, police directing traffic')).toMatchObject({ street: 'Main Street', crossStreet: 'Wooster Street' });
  });

  it('takes the sender\'s address for a service at their home', () => {
    expect(at('our recycling was skipped again', 'Thanks,\nMarie Dubois\n6 Golden Hill Rd\nDanbury CT 06811')).toMatchObject({ street: 'Golden Hill Road', houseNumber: '6' });
  });
});

describe('a capitalised word before a known street', () => {
  it.each([
    ['Repave Golden Hill Rd please', 'Golden Hill Road'],
    ['Is Golden Hill Rd going to be plowed', 'Golden Hill Road'],
    ['Fix Padanaram Road potholes', 'Padanaram Road'],
  ])('is not part of its name: %s', (text, street) => {
    expect(at(text).street).toBe(street);
  });

  it('still lets an unlisted street be named as written', () => {
    expect(at('pothole at 12 Foxglove Ln')).toMatchObject({ street: 'Foxglove Lane', houseNumber: '12' });
  });
});

describe('masking place names for the category model', () => {
  it('blanks the street and cross street names, not the rest', () => {
    const text = 'Please fix the light on Deer Hill Ave by Lake Avenue, deer everywhere';
    expect(maskPlaceNames(text, { street: 'Deer Hill Avenue', crossStreet: 'Lake Avenue' })).toBe('Please fix the light on   Ave by   Avenue, deer everywhere');
    expect(maskPlaceNames(text, { street: null, crossStreet: null })).toBe(text);
  });
});
