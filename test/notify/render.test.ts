// Every email kind in every language, rendered from the real templates.
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Language } from '../../src/classify/types.ts';
import { categoryLabel, statusLabel } from '../../src/notify/labels.ts';
import { renderEmail, type EmailData, type EmailKind } from '../../src/notify/render.ts';
import { STATUSES } from '../../src/requests/status.ts';

const LANGUAGES: Language[] = ['en', 'es', 'pt'];
const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

const SAMPLES: { [K in EmailKind]: EmailData[K] } = {
  confirmation: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    residentName: `Maria ${HOSTILE}`,
    category: 'pothole',
    location: '12 Padanaram Road',
    subject: `Buraco ${HOSTILE}`,
    department: 'Highway',
    answerBy: null,
    uncertain: false,
    phone: '311',
    phoneHours: { fromDay: 1, toDay: 5, opens: '08:00', closes: '16:30' },
    statusUrl: 'https://311.danbury.example/status/DB-100A7',
    safety: null,
  },
  routed_ticket: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    department: 'Highway',
    category: 'pothole',
    location: '12 Padanaram Road',
    confidence: 0.873,
    residentName: 'João Silva',
    residentEmail: 'joao@example.com',
    receivedAt: new Date('2026-11-26T15:04:00Z'),
    subject: 'Buraco enorme',
    residentText: `Tem um buraco enorme na rua.\n\n${HOSTILE}`,
    attachments: [{ filename: 'buraco.jpg', size: 1_234_567 }],
    withheld: [],
    residentLanguage: 'pt',
    englishSummary: 'Pothole at 12 Padanaram Road.',
    mapUrl: 'https://www.openstreetmap.org/?mlat=41.41326&mlon=-73.45801#map=17/41.41326/-73.45801',
    danger: null,
  },
  status_update: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    residentName: null,
    category: 'pothole',
    location: 'Main Street',
    status: 'resolved',
    note: `filled on 11/27 ${HOSTILE}`,
    noteFrom: 'Highway',
    noteLanguage: null,
  },
  department_note: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    residentName: 'Lucía',
    category: 'pothole',
    location: '12 Padanaram Road',
    department: 'Obras Viales',
    note: `We will get to it next week. ${HOSTILE}`,
    noteLanguage: 'en',
  },
  status_answer: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    residentName: 'Ana',
    category: 'streetlight',
    location: null,
    status: 'in_progress',
    history: [
      { at: new Date('2026-11-26T15:00:00Z'), status: 'received', note: null },
      { at: new Date('2026-11-27T14:00:00Z'), status: 'in_progress', note: `crew assigned ${HOSTILE}` },
    ],
  },
  duplicate_notice: {
    city: 'Danbury',
    trackingNumber: 'DB-100B2',
    residentName: null,
    category: 'tree',
    location: 'Main Street and White Street',
    earlierTrackingNumber: 'DB-100A7',
    earlierStatus: 'routed',
    safety: null,
  },
  command_error: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    line: `status: fixed ${HOSTILE}`,
    reason: 'unknown status "fixed"',
  },
  oncall_alert: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    level: 'EMERGENCY',
    hazard: 'Gas leak',
    evidence: 'i smell gas outside 22 crosby street.',
    rule: 'gas-smell-en',
    raisedByReply: false,
    category: 'other',
    location: '22 Crosby Street',
    residentName: 'Ana',
    residentEmail: 'ana@example.com',
    residentLanguage: 'es',
    receivedAt: new Date('2026-11-26T15:04:00Z'),
    status: 'routed',
    department: '311',
    subject: 'Huele a gas',
    residentText: `Huele a gas en la calle. ${HOSTILE}`,
    residentTold: ['Gas leak: call 911 now', 'Leave the building or the area now.'],
  },
  safety_notice: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    residentName: `Maria ${HOSTILE}`,
    category: 'tree',
    location: 'Main Street',
    safety: { urgency: 'emergency', subjectPrefix: 'Call 911 now', heading: `Fire: call 911 now ${HOSTILE}`, lines: ['Get out, stay out.'] },
  },
  department_digest: {
    city: 'Danbury',
    department: 'Highway',
    day: 'Wed, Dec 2, 2026',
    open: 2,
    overdue: 1,
    overdueRows: [{ trackingNumber: 'DB-100A7', category: 'pothole', location: `12 Main Street ${HOSTILE}`, ageDays: 9, dueAt: new Date('2026-11-25T15:00:00Z'), lateBy: '4.0 business days' }],
    onTimeRows: [{ trackingNumber: 'DB-100B2', category: 'pothole', location: null, ageDays: 0, dueAt: new Date('2026-12-04T15:00:00Z'), lateBy: '' }],
    more: 0,
    schedule: 'on weekdays at 07:00',
  },
  escalation: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    department: 'Highway',
    category: 'pothole',
    location: `12 Main Street ${HOSTILE}`,
    status: 'routed',
    openedAt: new Date('2026-11-23T15:00:00Z'),
    dueAt: new Date('2026-11-25T15:00:00Z'),
    lateBy: '2.0 business days',
  },
  ticket_withdrawn: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    department: 'Highway',
    newDepartment: 'Forestry',
    subject: `Tree down ${HOSTILE}`,
    reason: `a fallen tree, not a pothole ${HOSTILE}`,
  },
  resident_follow_up: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    department: 'Highway',
    category: 'pothole',
    location: '12 Padanaram Road',
    reopened: true,
    residentName: 'João Silva',
    residentEmail: 'joao@example.com',
    receivedAt: new Date('2026-11-28T15:04:00Z'),
    residentText: `Voltou o buraco. ${HOSTILE}`,
    attachments: [{ filename: 'buraco2.jpg', size: 4096 }],
    residentLanguage: 'pt',
  },
  staff_reply: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    residentName: 'Ana',
    body: `Leaf pickup on your street is the week of Nov 16. ${HOSTILE}`,
    subject: 'leaf pickup?',
  },
  public_update: {
    city: 'Danbury',
    trackingNumber: 'DB-100A7',
    department: 'Highway',
    category: 'pothole',
    location: 'Padanaram Road',
    client: 'FixMyStreet Danbury',
    author: `Sam ${HOSTILE}`,
    text: `It has got bigger ${HOSTILE}`,
    mediaUrl: 'https://fms.example/photo/78.jpeg',
  },
};

const KINDS = Object.keys(SAMPLES) as EmailKind[];
const RESIDENT_KINDS: EmailKind[] = ['confirmation', 'status_update', 'status_answer', 'duplicate_notice', 'staff_reply', 'department_note'];

function render<K extends EmailKind>(kind: K, language: Language, patch: Partial<EmailData[K]> = {}) {
  return renderEmail(kind, language, { ...SAMPLES[kind], ...patch });
}

describe('the department ticket', () => {
  it('links the place on a map for crews when its coordinates are known, and says nothing otherwise', () => {
    const withMap = render('routed_ticket', 'en');
    expect(withMap.text).toContain('Map:        https://www.openstreetmap.org/?mlat=41.41326&mlon=-73.45801#map=17/41.41326/-73.45801\n');
    expect(withMap.html).toContain('(<a href="https://www.openstreetmap.org/?mlat&#x3D;41.41326&amp;mlon&#x3D;-73.45801#map&#x3D;17/41.41326/-73.45801">map</a>)');
    const without = render('routed_ticket', 'en', { mapUrl: null });
    expect(without.text).not.toContain('Map:');
    expect(without.html).not.toContain('openstreetmap');
  });
});

describe('renderEmail, every kind in every language', () => {
  for (const kind of KINDS) {
    for (const language of LANGUAGES) {
      it(`${kind} in ${language}`, () => {
        const { subject, text, html } = render(kind, language);
        const sample = SAMPLES[kind];
        // A digest is about many requests: its subject names the city's 311 instead.
        const tracking = 'trackingNumber' in sample ? sample.trackingNumber : 'DB-100A7';
        expect(subject.startsWith('trackingNumber' in sample ? `[${tracking}] ` : '[Danbury 311] ')).toBe(true);
        expect(subject).not.toMatch(/[\r\n]/);
        expect(text).toContain(tracking);
        expect(html).toContain(tracking);
        for (const out of [subject, text, html]) expect(out).not.toMatch(/\{\{|\}\}/);

        // Data is escaped in HTML, intact in text.
        expect(html).not.toContain('<script');
        expect(html).not.toContain('<img');
        if (kind !== 'duplicate_notice') {
          expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
          expect(text).toContain(HOSTILE);
        }
        // Nothing remote: no images, styles or scripts fetched from anywhere.
        expect(html).not.toMatch(/<(img|link|script|iframe)\b|src=|url\(/i);
        expect(html).toMatch(/^<!DOCTYPE html>/);
      });
    }
  }
});

describe('languages', () => {
  it('writes resident mail in the resident language, with localized labels', () => {
    const es = render('confirmation', 'es');
    expect(es.subject).toBe('[DB-100A7] Recibimos su solicitud: Bache');
    expect(es.text).toContain('Su número de seguimiento es DB-100A7');
    expect(es.html).toContain('<html lang="es">');
    const pt = render('confirmation', 'pt');
    expect(pt.subject).toBe('[DB-100A7] Recebemos sua solicitação: Buraco na rua');
    expect(pt.text).toContain('O número de protocolo da sua solicitação é DB-100A7');
    expect(pt.html).toContain('<html lang="pt-BR">');
    expect(render('status_update', 'es').text).toContain('Nuevo estado: Resuelta');
    expect(render('status_update', 'pt').text).toContain('Nova situação: Resolvida');
    expect(render('status_answer', 'pt').text).toContain('- 27 de nov. de 2026, 09:00: Em andamento (crew assigned');
  });

  it('has every resident kind written in every language (no silent English fallback)', () => {
    for (const kind of RESIDENT_KINDS) {
      const en = render(kind, 'en');
      for (const language of ['es', 'pt'] as const) {
        const other = render(kind, language);
        expect(other.subject, `${kind} ${language}`).not.toBe(en.subject);
        expect(other.text, `${kind} ${language}`).not.toContain('Hello');
      }
    }
  });

  it('keeps department mail in English, whatever language is asked for', () => {
    for (const kind of ['routed_ticket', 'command_error'] as const) {
      const en = render(kind, 'en');
      for (const language of ['es', 'pt'] as const) expect(render(kind, language)).toEqual(en);
    }
    expect(render('routed_ticket', 'pt').text).toContain('Category:   Pothole');
  });

  it('labels every category and status in every language, each label distinct within a language', () => {
    for (const language of LANGUAGES) {
      const categories = CATEGORIES.map((c) => categoryLabel(c, language));
      expect(new Set(categories).size).toBe(CATEGORIES.length);
      const statuses = STATUSES.map((s) => statusLabel(s, language));
      expect(new Set(statuses).size).toBe(STATUSES.length);
      for (const label of [...categories, ...statuses]) expect(label.trim()).not.toBe('');
    }
    expect(categoryLabel('graffiti', 'pt')).toBe('Pichação');
    expect(statusLabel('not_city', 'es')).toBe('No es competencia de la ciudad');
  });
});

describe('what each kind says', () => {
  it('confirmation: what we understood, what happens next, how to reply', () => {
    const routed = render('confirmation', 'en');
    expect(routed.text).toContain('Type of problem: Pothole');
    expect(routed.text).toContain('Location: 12 Padanaram Road');
    expect(routed.text).toContain('department responsible for it: Highway');
    expect(routed.text).toContain('reply to this email');
    expect(routed.text).toContain('"What is the status?"');

    const unsure = render('confirmation', 'en', { location: null, department: null, subject: '', residentName: null });
    expect(unsure.text).toMatch(/^Hello,\n/);
    expect(unsure.text).toContain('Location: no location found');
    expect(unsure.text).toContain('A member of the 311 staff will review your request');
    // No subject shown: none was given, or the address has not proved itself (nothing of the sender's is echoed).
    expect(unsure.text).not.toContain('Your subject');
    expect(render('confirmation', 'es', { location: null }).text).toContain('Ubicación: no encontramos una ubicación');
  });

  it('routed ticket: the facts, the resident text, the attachments, the English summary and the status vocabulary', () => {
    const { subject, text, html } = render('routed_ticket', 'en');
    expect(subject).toBe('[DB-100A7] New request for Highway: Pothole at 12 Padanaram Road');
    expect(text).toContain('Confidence: 87%');
    expect(text).toContain('Resident:   João Silva <joao@example.com>');
    expect(text).toContain('Received:   Nov 26, 2026, 10:04 AM EST');
    expect(text).toContain('Language:   Portuguese');
    expect(text).toContain('English summary: Pothole at 12 Padanaram Road.');
    expect(text).toContain(`Tem um buraco enorme na rua.\n\n${HOSTILE}`);
    expect(text).toContain('- buraco.jpg (1.2 MB)');
    expect(text).toContain(
      'Reply to this email to update the resident. Put a first line like\n' +
        '  status: in_progress\n' +
        '  status: resolved - filled on 11/27\n' +
        '  status: not_city - state road, sent to CT DOT\n' +
        'Valid statuses: in_progress, resolved, closed, not_city, duplicate.',
    );
    expect(html).toContain('status: not_city - state road, sent to CT DOT');

    const english = render('routed_ticket', 'en', { residentLanguage: 'en', englishSummary: null, attachments: [], location: null });
    expect(english.text).not.toContain('Language:');
    expect(english.text).not.toContain('English summary');
    expect(english.text).toContain('No attachments.');
    expect(english.text).toContain('Location:   no location found');
    expect(english.subject).toBe('[DB-100A7] New request for Highway: Pothole');
  });

  it('status update: the new status, the note and who wrote it', () => {
    const { subject, text } = render('status_update', 'en');
    expect(subject).toBe('[DB-100A7] Update on your request: Resolved');
    expect(text).toContain(`Note from Highway: filled on 11/27 ${HOSTILE}`);
    expect(text).toContain('If the problem is still there, reply to this email');
    const bare = render('status_update', 'en', { status: 'in_progress', note: null, noteFrom: null });
    expect(bare.text).not.toContain('Note');
    expect(bare.text).toContain('The department is working on it.');
  });

  it('introduces a note written in another language than the resident\'s', () => {
    expect(render('status_update', 'es', { noteLanguage: 'en', noteFrom: 'Obras Viales' }).text).toContain('Nota de Obras Viales (escrita en inglés): filled on 11/27');
    expect(render('status_update', 'pt', { noteLanguage: 'en', noteFrom: 'Obras Viárias' }).text).toContain('Observação de Obras Viárias (escrita em inglês):');
    expect(render('department_note', 'es').text).toContain('Obras Viales escribió en inglés:\n\nWe will get to it next week.');
    expect(render('department_note', 'en', { noteLanguage: null, department: 'Highway' }).text).toContain('Highway wrote:\n\nWe will get to it next week.');
  });

  it('confirmation: a question says when a person answers; an unsure category is a guess; phone, hours and status link', () => {
    const question = render('confirmation', 'en', { category: 'info_request', department: null, answerBy: new Date('2026-12-03T12:00:00Z') });
    expect(question.text).toContain('A person from 311 will answer your question by Thursday, December 3.');
    expect(question.text).not.toContain('sent your request to the department');
    const unsure = render('confirmation', 'es', { department: null, uncertain: true });
    expect(unsure.text).toContain('Creemos que se trata de: Bache. Una persona lo revisará.');
    expect(unsure.text).not.toContain('Tipo de problema');
    const pt = render('confirmation', 'pt');
    expect(pt.text).toContain('ligue para 311 (segunda-feira a sexta-feira, 08:00 às 16:30)');
    expect(pt.text).toContain('https://311.danbury.example/status/DB-100A7');
    expect(pt.html).toContain('href="https://311.danbury.example/status/DB-100A7"');
    expect(render('confirmation', 'en', { phoneHours: null, statusUrl: null }).text).toContain('To talk to a person, call 311.\n');
  });

  it('status answer: current status and the dated history', () => {
    const { subject, text, html } = render('status_answer', 'en');
    expect(subject).toBe('[DB-100A7] Status of your request: In progress');
    expect(text).toContain('- Nov 26, 2026, 10:00 AM EST: Received\n- Nov 27, 2026, 9:00 AM EST: In progress (crew assigned');
    expect(html.match(/<tr>/g)).toHaveLength(3);
  });

  it('duplicate notice: names the earlier request and its status', () => {
    const { subject, text } = render('duplicate_notice', 'en');
    expect(subject).toBe('[DB-100B2] Already reported as DB-100A7');
    expect(text).toContain('open as request DB-100A7 (current status: Sent to the responsible department)');
    expect(text).toContain('you will receive its updates');
  });

  it('command error: quotes the line, says why, repeats the vocabulary', () => {
    const { subject, text } = render('command_error', 'en');
    expect(subject).toBe('[DB-100A7] Status line not understood');
    expect(text).toContain(`  status: fixed ${HOSTILE}\n`);
    expect(text).toContain('Why: unknown status "fixed"');
    expect(text).toContain('Valid statuses: in_progress, resolved, closed, not_city, duplicate.');
    expect(render('command_error', 'en', { reason: null }).text).not.toContain('Why:');
  });

  it('keeps a subject on one line whatever the data holds', () => {
    const { subject } = render('duplicate_notice', 'en', { earlierTrackingNumber: 'DB-100A7\r\nBcc: victim@example.com' });
    expect(subject).toBe('[DB-100B2] Already reported as DB-100A7 Bcc: victim@example.com');
  });

  it('shows dates in the time zone it is given', () => {
    const { text } = render('routed_ticket', 'en', { timeZone: 'UTC' });
    expect(text).toContain('Received:   Nov 26, 2026, 3:04 PM UTC');
  });
});

describe('safety instructions', () => {
  it('lead the confirmation in text and HTML, with tap-to-call numbers, and stay escaped', () => {
    const safety = { urgency: 'emergency' as const, subjectPrefix: 'Call 911 now', heading: 'Gas leak: call 911 now', lines: [`Then call the Eversource emergency line at 877-944-5325. ${HOSTILE}`] };
    const { subject, text, html } = render('confirmation', 'en', { safety });
    expect(subject).toBe(`[DB-100A7] Call 911 now: We received your request: ${categoryLabel('pothole', 'en')}`);
    expect(text.startsWith('*** Gas leak: call 911 now ***\n- Then call the Eversource emergency line at 877-944-5325.')).toBe(true);
    expect(html).toContain('<a href="tel:911"');
    expect(html).toContain('<a href="tel:8779445325" style="color:inherit;font-weight:bold;">877-944-5325</a>');
    expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('<h1'));
    expect(html).not.toContain('<script');
  });
});
