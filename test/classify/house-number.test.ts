// The house number and the cross street, in every form the issue lists, and the numbers that are not houses.
import { describe, expect, it } from 'vitest';
import { loadGazetteer } from '../../src/classify/gazetteer.ts';
import { createLocator } from '../../src/classify/location.ts';

const { locate } = createLocator(loadGazetteer());

describe('house numbers apart from the street name', () => {
  it.each([
    ['number right before the street', 'pothole at 45 Main Street', 'Main Street', '45'],
    ['"near"', 'light out on Osborne St near 22', 'Osborne Street', '22'],
    ['"near" before the street', 'the light pole near 22 on Osborne St has been out since Sunday', 'Osborne Street', '22'],
    ['"by"', 'light on spring st by 31 is dead', 'Spring Street', '31'],
    ['"by no."', 'pothole balmforth ave by no. 3', 'Balmforth Avenue', '3'],
    ['"at number"', 'a tree came down on Deer Hill Ave at number 12', 'Deer Hill Avenue', '12'],
    ['"past"', 'big limb hanging over Padanaram Rd past 140', 'Padanaram Road', '140'],
    ['"past number"', 'walking on Main St past number 298 the sidewalk is cracked', 'Main Street', '298'],
    ['"across from"', 'fresh tags on the wall of Elm Street across from 100', 'Elm Street', '100'],
    ['"across from" before the street', 'Branch down across from 55 Coalpit Hill Road', 'Coalpit Hill Road', '55'],
    ['"in front of number"', 'the sidewalk on Wooster Street in front of number 60 has heaved', 'Wooster Street', '60'],
    ['"#N and up"', 'hole in road franklin st #8 and up to the corner', 'Franklin Street', '8'],
    ['"#N" after a comma', 'Graffiti on the side of the building, Main Street, #150', 'Main Street', '150'],
    ['"near #N"', 'pothole Lake Ave near #210, on the way to the mall', 'Lake Avenue', '210'],
    ['after the street: "Elm St, number 12"', 'pothole on Elm St, number 12', 'Elm Street', '12'],
    ['"frente al"', 'bache grande frente al 210 de la calle Main', 'Main Street', '210'],
    ['"frente al" after the street', 'La acera en Osborne St frente al 40 está levantada', 'Osborne Street', '40'],
    ['"cerca del número"', 'Hay un bache en la calle Main cerca del número 12', 'Main Street', '12'],
    ['"calle X N"', 'el camion de la basura se salto nuestra casa, calle Spring 9', 'Spring Street', '9'],
    ['"em frente ao"', 'buraco enorme na rua Main em frente ao 30', 'Main Street', '30'],
    ['"perto do número"', 'Tem um buraco na Lake Ave perto do número 15', 'Lake Avenue', '15'],
    ['"Rua X N"', 'o lixo nao foi recolhido na Rua Liberty 14', 'Liberty Street', '14'],
    ['the resident\'s own number', "No recycling pickup on Tucker St again. I'm at 14. 3rd time this month.", 'Tucker Street', '14'],
    ['the resident\'s own number, in Portuguese', 'não recolheram o lixo na Franklin St, moro no 7', 'Franklin Street', '7'],
    ['"#7 and up", a number that is also a route', 'broken sidewalk on Wildman St #7 and up, the whole block', 'Wildman Street', '7'],
    ['"perto da casa"', 'buraco na Osborne St perto da casa 99', 'Osborne Street', '99'],
    ['"em frente à casa"', 'calçada quebrada em frente à casa 30 na Franklin Street', 'Franklin Street', '30'],
    ['"vivo en el N de la calle"', 'no recogieron el reciclaje, vivo en el 40 de la calle Liberty', 'Liberty Street', '40'],
    ['"in front of number" a sentence later', 'I have never seen Main Street this bad. Right in front of number 88 there is a hole.', 'Main Street', '88'],
  ])('%s', (_form, text, street, house) => {
    expect(locate(text, null)).toMatchObject({ street, houseNumber: house });
  });

  it('takes the number from the body when the subject names the street without one', () => {
    expect(locate('Pothole on Main Street\nthere is a hole in front of 45 Main Street', null)).toMatchObject({ street: 'Main Street', houseNumber: '45' });
  });

  it('gives a number written before another street to that street', () => {
    expect(locate('pothole on Main St near 45 Elm St', null)).toMatchObject({ street: 'Main Street', houseNumber: null });
  });
});

describe('numbers that are not house numbers', () => {
  it.each([
    ['a pole tag', 'streetlight out on Liberty St, pole #23917, flickering all week'],
    ['a pole tag after "near"', 'light out on Rose St near pole 3390'],
    ['a request number', 'junk cars on Tucker Street. Request #48213 was closed but nothing changed.'],
    ['a ticket number', 'Pothole on Federal Rd, ticket 2024-1187 from last month still open'],
    ['a date', 'dead raccoon on Kenosia Ave since 11/28'],
    ['a date after "by"', 'leaves still on Maple Ave, they said by 12/1'],
    ['a phone number', 'Tree blocking the road on Long Ridge Rd. Caller at 203-555-0112.'],
    ['a phone number with spaces', 'graffiti on South St, call 203 555 0199 if you need details'],
    ['a highway', 'stop sign knocked over on Golden Hill Rd near 84 overpass'],
    ['a highway after "by"', 'pothole on Newtown Rd by 84'],
    ['a highway after "at"', 'pothole on Main St at 7, by the ramp'],
    ['a pole number a sentence later', 'Light out on Main Street. It is pole number 7731.'],
    ['a case number a sentence later', 'Junk all over Rose St. Case #5512 was closed in October.'],
    ['an interstate exit', 'pothole on Federal Rd northbound, exit 7 off 84'],
    ['a list marker', 'Two potholes on Newtown Rd: 1) by the Shell 2) by the diner'],
    ['a numbered list', 'Trash not collected on Jefferson Ave.\n1. my bin\n2. my neighbour\'s bin'],
    ['a size', 'catch basin on Park Ave is clogged, water at 6 inches deep'],
    ['a size after "by"', 'pothole on Park Ave by 20 feet of cracks'],
    ['a duration', 'light out on Spring St for 3 days'],
    ['a year', 'the porch on Spring St is caving in, abandoned since 2019'],
  ])('%s', (_kind, text) => {
    expect(locate(text, null).houseNumber, text).toBeNull();
  });
});

describe('cross streets', () => {
  it.each([
    ['"near"', 'deep pothole on Lake Ave near Mill Plain, right where you turn', 'Lake Avenue', 'Mill Plain Road'],
    ['"by the corner of"', 'pothole on Main St by the corner of Elm', 'Main Street', 'Elm Street'],
    ['"off"', 'light out on Balmforth Ave off Main', 'Balmforth Avenue', 'Main Street'],
    ['"at"', 'Crosby St at Main is a sheet of ice', 'Crosby Street', 'Main Street'],
    ['"and"', 'signal stuck on red at White and Main', 'White Street', 'Main Street'],
    ['"esquina con"', 'bache en Wooster St esquina con Main', 'Wooster Street', 'Main Street'],
    ['"esquina da ... com"', 'grafite no muro na esquina da Wildman com Osborne', 'Wildman Street', 'Osborne Street'],
    ['with a house number', 'light out at 22 Osborne St near Wildman', 'Osborne Street', 'Wildman Street'],
    ['"esquina da ... com a"', 'a esquina da Osborne com a Wildman está cheia de gelo', 'Osborne Street', 'Wildman Street'],
  ])('%s', (_form, text, street, cross) => {
    expect(locate(text, null)).toMatchObject({ street, crossStreet: cross });
  });

  it('does not make a landmark a cross street', () => {
    expect(locate('pothole on Lake Ave near the mall', null)).toMatchObject({ street: 'Lake Avenue', crossStreet: null });
  });
});
