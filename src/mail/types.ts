// What the parse stage knows about an inbound message, independent of the MIME library.

export interface ParsedAttachment {
  /** Position among the message's attachments, stable across re-parses of the same bytes. */
  partIndex: number;
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  disposition: 'inline' | 'attachment' | null;
  sha256: string;
  /** null when the part was over the size cap (droppedReason says so). */
  content: Buffer | null;
  droppedReason: string | null;
}

export interface ParsedMessage {
  /** Without angle brackets. */
  messageId: string | null;
  from: { address: string; name: string | null } | null;
  replyTo: string | null;
  to: string[];
  cc: string[];
  subject: string;
  date: Date | null;
  inReplyTo: string | null;
  references: string[];
  /** The text part, or text made from the HTML part when there is none. */
  text: string;
  html: string | null;
  /** Lower-cased header names to decoded values, for auto-reply and bounce detection. */
  headers: Record<string, string | string[]>;
  attachments: ParsedAttachment[];
  /** Things worth telling staff about how the message was read (unknown charset, truncated part...). */
  notes: string[];
}
