-- Streets staff add from the app when a resident names one the gazetteer lacks. The classifier merges
-- them into data/gazetteer's list (added-streets.txt is the committed equivalent); nothing is removed
-- from the gazetteer this way.
CREATE TABLE added_streets (
  -- Canonical spelling, suffix spelled out ("Foxglove Lane"), as src/classify/street-names.ts writes it.
  name        text PRIMARY KEY,
  added_by    text NOT NULL,
  -- The request whose review showed the street was missing, when there was one.
  request_id  bigint REFERENCES requests (id) ON DELETE SET NULL,
  added_at    timestamptz NOT NULL DEFAULT now()
);
