// Scores urgency recognition on labelled lines: recall per hazard on real dangers, and the false-alarm
// rate per hazard on near misses (messages that use a hazard's words but describe no present danger).
import { prepareText } from './prepare.ts';
import { assessUrgency, HAZARDS, isHazard, URGENCIES, urgencyRank, type Hazard, type Urgency, type UrgencyAssessment } from './urgency.ts';

export interface UrgencyExample {
  subject: string;
  body: string;
  urgency: Urgency;
  hazard: Hazard | null;
  /** For a routine line: the hazard whose words it borrows ('other' for an angry subject line). */
  nearMiss: Hazard | 'other' | null;
}

export interface HazardScore {
  hazard: Hazard | 'other';
  /** Lines that are this hazard, and how many were raised at least to its urgency / named exactly. */
  positives: number;
  caught: number;
  hazardRight: number;
  nearMisses: number;
  falseAlarms: number;
}

export interface UrgencySummary {
  n: number;
  emergencies: number;
  /** Emergencies raised as emergencies. */
  emergencyRecall: number | null;
  urgent: number;
  /** Urgent lines raised as urgent or emergency. */
  urgentRecall: number | null;
  nearMisses: number;
  /** Near misses raised as anything but routine. */
  falseAlarmRate: number | null;
}

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const ratio = (a: number, b: number): number | null => (b === 0 ? null : r4(a / b));

/** Reads one JSON line; throws with the reason when it is not a valid example. */
export function parseUrgencyExample(line: string): UrgencyExample {
  const r = JSON.parse(line) as Record<string, unknown>;
  const urgency = r.urgency;
  if (typeof urgency !== 'string' || !(URGENCIES as readonly string[]).includes(urgency)) throw new Error(`unknown urgency ${JSON.stringify(urgency)}`);
  const hazard = r.hazard ?? null;
  if (hazard !== null && !isHazard(hazard)) throw new Error(`unknown hazard ${JSON.stringify(hazard)}`);
  const nearMiss = r.nearMiss ?? null;
  if (nearMiss !== null && nearMiss !== 'other' && !isHazard(nearMiss)) throw new Error(`unknown nearMiss ${JSON.stringify(nearMiss)}`);
  return { subject: typeof r.subject === 'string' ? r.subject : '', body: typeof r.body === 'string' ? r.body : '', urgency: urgency as Urgency, hazard, nearMiss };
}

export function assessExample(e: Pick<UrgencyExample, 'subject' | 'body'>): UrgencyAssessment {
  return assessUrgency(prepareText({ subject: e.subject, text: e.body }).text);
}

export function scoreUrgency(rows: { gold: UrgencyExample; got: UrgencyAssessment }[]): { summary: UrgencySummary; perHazard: HazardScore[]; misses: { gold: UrgencyExample; got: UrgencyAssessment }[] } {
  const scores = new Map<Hazard | 'other', HazardScore>();
  const score = (h: Hazard | 'other'): HazardScore => {
    let s = scores.get(h);
    if (!s) scores.set(h, (s = { hazard: h, positives: 0, caught: 0, hazardRight: 0, nearMisses: 0, falseAlarms: 0 }));
    return s;
  };
  const misses: { gold: UrgencyExample; got: UrgencyAssessment }[] = [];
  let emergencies = 0, emergencyCaught = 0, urgent = 0, urgentCaught = 0, nearMisses = 0, falseAlarms = 0;
  for (const { gold, got } of rows) {
    if (gold.hazard !== null) {
      const s = score(gold.hazard);
      s.positives++;
      const caught = urgencyRank(got.urgency) >= urgencyRank(gold.urgency);
      if (caught) s.caught++;
      if (got.hazard === gold.hazard) s.hazardRight++;
      if (gold.urgency === 'emergency') { emergencies++; if (caught) emergencyCaught++; }
      else { urgent++; if (caught) urgentCaught++; }
      if (!caught) misses.push({ gold, got });
    } else if (gold.nearMiss !== null) {
      const s = score(gold.nearMiss);
      s.nearMisses++;
      nearMisses++;
      if (got.urgency !== 'routine') { s.falseAlarms++; falseAlarms++; misses.push({ gold, got }); }
    }
  }
  const order = [...HAZARDS, 'other'] as const;
  return {
    summary: {
      n: rows.length,
      emergencies,
      emergencyRecall: ratio(emergencyCaught, emergencies),
      urgent,
      urgentRecall: ratio(urgentCaught, urgent),
      nearMisses,
      falseAlarmRate: ratio(falseAlarms, nearMisses),
    },
    perHazard: order.flatMap((h) => (scores.has(h) ? [scores.get(h)!] : [])),
    misses,
  };
}
