// The classifier's contract with the rest of the system and with `bin/cityline classify`.
import type { Hazard, Urgency } from './urgency.ts';

export const CATEGORIES = [
  'pothole',
  'street_paving',
  'sidewalk',
  'tree',
  'dead_animal',
  'traffic_signal',
  'streetlight',
  'road_sign',
  'blight',
  'drainage',
  'snow_ice',
  'leaf_pickup',
  'street_sweeping',
  'trash_recycling',
  'graffiti',
  'info_request',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const LANGUAGES = ['en', 'es', 'pt'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where the problem is, as read from the message (or corrected by staff). */
export interface Location {
  /** Canonical street name with the suffix spelled out ("Padanaram Road"), or null. */
  street: string | null;
  houseNumber: string | null;
  crossStreet: string | null;
  /** Set when the location named is in a neighbouring town, e.g. "Bethel". */
  outsideTown: string | null;
  lat: number | null;
  lon: number | null;
}

export interface Classification extends Location {
  /** The street is one of the city's (gazetteer) streets; false when none was found or it is not on the list. */
  streetKnown: boolean;
  /** For a street not on the list: the nearest known names, for staff to pick from. */
  streetSuggestions: string[];
  category: Category;
  confidence: number;
  alternatives: { category: Category; confidence: number }[];
  language: Language;
  needsReview: boolean;
  /** Why it needs review: 'low_confidence', 'no_location', 'outside_city', 'street_unknown'. */
  reviewReasons: string[];
  modelVersion: string;
  /** A present danger (src/classify/urgency.ts): emergency, urgent or routine, its hazard, and the rule that said so. */
  urgency: Urgency;
  hazard: Hazard | null;
  urgencyRule: string | null;
  /** The sentence the rule fired on (lower case, no accents), or null. */
  urgencyEvidence: string | null;
}

export interface ClassifyInput {
  subject: string;
  /** The whole body as text; the classifier strips quotes and signatures itself. */
  text: string;
}
