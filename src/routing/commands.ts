// The words a department may write back to change a request's status: part of the contract with each
// department, read by the parser in requests/department-command.ts and listed in the mail we send them.

export type CommandStatus = 'in_progress' | 'resolved' | 'closed' | 'not_city' | 'duplicate';

/** The words a department may write after `status:`, by the status they set. The code itself comes first. */
export const STATUS_COMMAND_VOCABULARY: Readonly<Record<CommandStatus, readonly string[]>> = Object.freeze({
  in_progress: ['in progress', 'working on it', 'working', 'scheduled', 'started', 'underway', 'under way', 'assigned'],
  resolved: ['resolved', 'done', 'fixed', 'completed', 'complete', 'finished', 'repaired'],
  closed: ['closed', 'no action needed', 'no action'],
  not_city: ['not city', 'not a city matter', 'not ours', 'state road', 'state highway', 'private property'],
  duplicate: ['duplicate', 'dupe', 'already reported'],
});
