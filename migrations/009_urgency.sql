-- Emergencies and urgent requests (src/classify/urgency.ts): flagged on the request so staff see them first.
ALTER TABLE requests
  ADD COLUMN urgency text NOT NULL DEFAULT 'routine' CHECK (urgency IN ('emergency', 'urgent', 'routine')),
  ADD COLUMN hazard text CHECK (hazard IN ('downed_wire', 'gas_leak', 'fire', 'person_in_danger', 'carbon_monoxide', 'water_main',
                                           'road_blocked', 'signal_dark', 'open_hole', 'missing_stop_sign', 'ice_hazard')),
  -- When it was last raised (by its first message or a reply): the dashboard lists the newest first.
  ADD COLUMN urgency_raised_at timestamptz,
  ADD CONSTRAINT requests_hazard_urgency CHECK ((urgency = 'routine') = (hazard IS NULL));
CREATE INDEX requests_flagged ON requests (urgency_raised_at) WHERE urgency <> 'routine';
