// Stage 2: a new resident message -> category and place -> a request with a tracking number, its
// confirmation queued, and (when the classifier is sure) its department's ticket queued, in one transaction.
import { loadClassifier } from '../src/classify/index.ts';
import { setInboundOutcome } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { defineStage } from '../src/jobs/define-stage.ts';
import type { ClassifyDeps } from '../src/pipeline/deps.ts';
import { openFromMessage } from '../src/requests/actions.ts';

export async function handle(payload: Payloads['classify'], deps: ClassifyDeps): Promise<void> {
  await openFromMessage(deps, payload.inboundMessageId);
}

export const classifyStage = defineStage('classify', {
  handle,
  deps: async (shared): Promise<ClassifyDeps> => ({
    ...shared,
    classifier: await loadClassifier({ modelFile: shared.config.modelFile, reviewThreshold: shared.config.reviewThreshold }),
  }),
  deadLetter: (shared, p, error) => setInboundOutcome(shared.pool, p.inboundMessageId, { state: 'failed', error }),
  concurrency: (config) => config.concurrency.classify,
});
