// The classifier with the streets staff added from the app (table added_streets). Every worker reads
// the list again at most once a refresh interval, in the background, so a street added on the review
// screen counts for the messages classified after it, in every process, with no restart.
import type { Db } from '../db/pool.ts';
import { listAddedStreets } from './added-streets-store.ts';
import { loadGazetteer, type Gazetteer } from './gazetteer.ts';
import type { Classifier } from './index.ts';

export interface StaffStreetsClassifier extends Classifier {
  /** Reads the list now; classify() keeps using the previous one until it is read. */
  refresh(): Promise<void>;
}

export function withStaffStreets(
  base: Classifier,
  db: Db,
  opts: { refreshMs: number; onError: (err: unknown) => void; now?: () => number },
): StaffStreetsClassifier {
  const now = opts.now ?? Date.now;
  let current = base;
  let key = '';
  let readAt = -Infinity;
  let reading: Promise<void> | null = null;

  function refresh(): Promise<void> {
    reading ??= listAddedStreets(db)
      .then((names) => {
        const k = names.join('\n');
        if (k !== key) {
          current = base.withStreets(names);
          key = k;
        }
      })
      // A database hiccup must not stop classification: the last list read stays in use.
      .catch(opts.onError)
      .finally(() => {
        readAt = now();
        reading = null;
      });
    return reading;
  }

  return {
    modelVersion: base.modelVersion,
    refresh,
    withStreets: (names) => current.withStreets(names),
    classify(input) {
      if (now() - readAt >= opts.refreshMs) void refresh();
      return current.classify(input);
    },
  };
}

let memo: { key: string; gazetteer: Gazetteer } | null = null;

/** The gazetteer with the streets staff added, for the staff app's checks and suggestions. */
export async function staffGazetteer(db: Db): Promise<Gazetteer> {
  const names = await listAddedStreets(db);
  const key = names.join('\n');
  if (memo?.key !== key) memo = { key, gazetteer: loadGazetteer().withStreets(names) };
  return memo.gazetteer;
}
