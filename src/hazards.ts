// The hazards and urgency levels (README "Emergencies"): a catalog with no dependencies, shared by the
// urgency rules (src/classify), the configuration (utility lines per hazard) and the templates.
export const EMERGENCY_HAZARDS = ['downed_wire', 'gas_leak', 'fire', 'person_in_danger', 'carbon_monoxide', 'water_main'] as const;
export const URGENT_HAZARDS = ['road_blocked', 'signal_dark', 'open_hole', 'missing_stop_sign', 'ice_hazard'] as const;
export const HAZARDS = [...EMERGENCY_HAZARDS, ...URGENT_HAZARDS] as const;
export type Hazard = (typeof HAZARDS)[number];

export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

export function urgencyOf(hazard: Hazard | null): Urgency {
  if (hazard === null) return 'routine';
  return (EMERGENCY_HAZARDS as readonly string[]).includes(hazard) ? 'emergency' : 'urgent';
}

/** Higher is more pressing: emergency 2, urgent 1, routine 0. */
export function urgencyRank(urgency: Urgency): number {
  return urgency === 'emergency' ? 2 : urgency === 'urgent' ? 1 : 0;
}

export function isHazard(value: unknown): value is Hazard {
  return typeof value === 'string' && (HAZARDS as readonly string[]).includes(value);
}
