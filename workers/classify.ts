// Stage 2: a new resident message -> category and place -> a request with a tracking number, its
// confirmation queued, and (when the classifier is sure) its department's ticket queued, in one transaction.
import type { Payloads } from '../src/jobs/catalog.ts';
import type { ClassifyDeps } from '../src/pipeline/deps.ts';
import { openFromMessage } from '../src/requests/actions.ts';

export async function handle(payload: Payloads['classify'], deps: ClassifyDeps): Promise<void> {
  await openFromMessage(deps, payload.inboundMessageId);
}
