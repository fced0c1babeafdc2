// The job catalog: every queue, what its payload must look like, its job id and its retry policy.
import type { JobsOptions } from 'bullmq';

export const STAGES = ['parse', 'classify', 'notify'] as const;
export type Stage = (typeof STAGES)[number];

export interface Payloads {
  parse: { inboundMessageId: number };
  classify: { inboundMessageId: number };
  notify: { outboxId: number };
}

export function isStage(name: string): name is Stage {
  return (STAGES as readonly string[]).includes(name);
}

function positiveId(value: unknown, field: string, stage: Stage): number {
  const id = (value as Record<string, unknown> | null)?.[field];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new TypeError(`${stage} job payload needs a positive integer ${field}, got ${JSON.stringify(value)}`);
  }
  return id;
}

/** Payloads arrive from Redis as unknown: check them before a handler sees them. */
export const guards: { [S in Stage]: (data: unknown) => Payloads[S] } = {
  parse: (d) => ({ inboundMessageId: positiveId(d, 'inboundMessageId', 'parse') }),
  classify: (d) => ({ inboundMessageId: positiveId(d, 'inboundMessageId', 'classify') }),
  notify: (d) => ({ outboxId: positiveId(d, 'outboxId', 'notify') }),
};

/** Deterministic ids: the same work queued twice is one job while it waits (no ':' and not all digits). */
export const jobIds: { [S in Stage]: (p: Payloads[S]) => string } = {
  parse: (p) => `parse-${p.inboundMessageId}`,
  classify: (p) => `classify-${p.inboundMessageId}`,
  notify: (p) => `send-${p.outboxId}`,
};

const common: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  // Failed jobs are the dead-letter list staff see and replay; kept for 30 days.
  removeOnFail: { age: 30 * 24 * 3_600 },
};

export const jobOptions: { [S in Stage]: JobsOptions } = {
  parse: common,
  classify: common,
  // A relay that refuses for a while (greylisting, throttling) deserves a longer patience.
  notify: { ...common, attempts: 10, backoff: { type: 'exponential', delay: 5_000 } },
};
