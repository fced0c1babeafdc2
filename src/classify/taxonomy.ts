// What each category code means, which department it goes to by default, and whether a request of
// that kind can be acted on without a place. Department names are defaults; routing config may override.
import type { Category } from './types.ts';

export interface CategoryInfo {
  description: string;
  department: string;
  needsLocation: boolean;
}

export const TAXONOMY: Readonly<Record<Category, CategoryInfo>> = {
  pothole: { description: 'Potholes and road hazards in the pavement', department: 'Highway', needsLocation: true },
  street_paving: { description: 'Resurfacing needed, crumbling or broken road surface', department: 'Highway', needsLocation: true },
  sidewalk: { description: 'Broken, raised or missing sidewalk or curb', department: 'Engineering', needsLocation: true },
  tree: { description: 'Dangerous or fallen limbs, trees down, trimming', department: 'Forestry', needsLocation: true },
  dead_animal: { description: 'Dead animal in the road or right of way', department: 'Highway', needsLocation: true },
  traffic_signal: { description: 'Malfunctioning traffic lights and walk signals', department: 'Traffic Engineering', needsLocation: true },
  streetlight: { description: 'Streetlight out, flickering or damaged pole', department: 'Traffic Engineering', needsLocation: true },
  road_sign: { description: 'Missing, damaged or obscured street and stop signs', department: 'Traffic Engineering', needsLocation: true },
  blight: { description: 'Blighted property, overgrown lot, junk, abandoned house', department: 'Neighborhood Inspection', needsLocation: true },
  drainage: { description: 'Flooding, clogged catch basin or storm drain, ponding', department: 'Engineering', needsLocation: true },
  snow_ice: { description: 'Plowing, icy roads, snow removal, storm road closures', department: 'Highway', needsLocation: true },
  leaf_pickup: { description: 'Leaf collection, bagged leaves not picked up', department: 'Highway', needsLocation: true },
  street_sweeping: { description: 'Sweeping schedule, debris or sand left on the street', department: 'Highway', needsLocation: true },
  trash_recycling: { description: 'Missed trash or recycling pickup, bulk waste, bins', department: 'Sanitation', needsLocation: true },
  graffiti: { description: 'Graffiti on public or private property', department: 'Neighborhood Inspection', needsLocation: true },
  info_request: { description: 'Questions about city services, events, schedules, hours', department: '311', needsLocation: false },
  other: { description: 'Anything else', department: '311', needsLocation: false },
};
