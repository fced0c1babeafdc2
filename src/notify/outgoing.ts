// One outbound email as the transports take it: fully rendered and threaded, nothing left to decide.

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Set for an inline part the HTML refers to as cid:...; without angle brackets. */
  cid?: string;
}

export interface OutgoingMail {
  from: { name: string; address: string };
  /** Exactly one address (a department's list gets one email per address). */
  to: string;
  replyTo: string | null;
  subject: string;
  /** Without angle brackets; sent exactly as given so replies can be matched to it. */
  messageId: string;
  /** Without angle brackets. */
  inReplyTo: string | null;
  /** Without angle brackets, oldest first. */
  references: string[];
  text: string;
  html: string | null;
  /** Extra headers sent as given, e.g. Auto-Submitted and X-Auto-Response-Suppress. */
  headers: Record<string, string>;
  attachments: OutgoingAttachment[];
  /**
   * When the mail was queued (its outbox row written). With the Message-ID it names the file the file
   * transport writes: the same row always gets the same name, and a database started afresh (whose
   * Message-IDs begin again at request 1) never takes the name of an old file.
   */
  queuedAt: Date;
  /** What kind of email it is (the outbox row's kind, e.g. confirmation): part of the file transport's file name. */
  kind: string;
}
