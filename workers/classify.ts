// Stage 2: a new resident message -> category and place -> a request with a tracking number, its
// confirmation queued, and (when the classifier is sure) its department's ticket queued, in one transaction.
import { loadClassifier } from '../src/classify/index.ts';
import { withStaffStreets, type StaffStreetsClassifier } from '../src/classify/staff-streets.ts';
import { describeError } from '../src/errors.ts';
import { loadServiceTargets } from '../src/targets/service-targets.ts';
import { setInboundOutcome } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { defineStage } from '../src/jobs/define-stage.ts';
import type { ClassifyDeps, PipelineDeps } from '../src/pipeline/deps.ts';
import { openFromMessage } from '../src/requests/actions.ts';

/** How stale a worker's copy of the streets staff added from the app may get. */
const STAFF_STREETS_REFRESH_MS = 60_000;

async function withStreetsStaffAdded(shared: PipelineDeps): Promise<StaffStreetsClassifier> {
  const base = await loadClassifier({ modelFile: shared.config.modelFile, reviewThreshold: shared.config.reviewThreshold });
  const classifier = withStaffStreets(base, shared.pool, {
    refreshMs: STAFF_STREETS_REFRESH_MS,
    onError: (err) => shared.log.warn({ err: describeError(err) }, 'could not read the streets staff added; using the list read before'),
  });
  await classifier.refresh();
  return classifier;
}

export async function handle(payload: Payloads['classify'], deps: ClassifyDeps): Promise<void> {
  await openFromMessage(deps, payload.inboundMessageId);
}

export const classifyStage = defineStage('classify', {
  handle,
  deps: async (shared): Promise<ClassifyDeps> => ({
    ...shared,
    classifier: await withStreetsStaffAdded(shared),
    targets: await loadServiceTargets(shared.config.targetsFile),
  }),
  deadLetter: (shared, p, error) => setInboundOutcome(shared.pool, p.inboundMessageId, { state: 'failed', error }),
  concurrency: (config) => config.concurrency.classify,
});
