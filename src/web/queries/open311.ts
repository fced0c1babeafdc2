// SQL behind the public Open311 GeoReport v2 API: what is public about a request and its updates, never
// who sent it or what staff wrote to them.
import type { Location } from '../../classify/types.ts';
import type { Db } from '../../db/pool.ts';
import type { Status } from '../../requests/status.ts';

export interface PublicRequest extends Location {
  trackingNumber: string;
  status: Status;
  category: string;
  departmentName: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The public note of the latest status change (why it is in this state); never the note to the resident. */
  publicNote: string | null;
  /** The photo an Open311 client filed the request with (already public where it lives). */
  mediaUrl: string | null;
}

const SELECT = `
  SELECT r.tracking_number AS "trackingNumber", r.status, r.category, d.name AS "departmentName", r.street,
         r.house_number AS "houseNumber", r.cross_street AS "crossStreet", r.outside_town AS "outsideTown",
         r.lat, r.lon, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
         (SELECT e.public_note FROM request_events e WHERE e.request_id = r.id AND e.kind = 'status'
           ORDER BY e.id DESC LIMIT 1) AS "publicNote",
         s.media_url AS "mediaUrl"
    FROM requests r
    LEFT JOIN departments d ON d.code = r.department_code
    LEFT JOIN open311_submissions s ON s.inbound_message_id = r.source_message_id`;

export interface PublicRequestFilter {
  trackingNumbers: string[] | null;
  categories: string[] | null;
  statuses: readonly Status[] | null;
  /** On the request's last update, as clients that poll for changes expect. */
  updatedFrom: Date | null;
  updatedTo: Date | null;
  limit: number;
}

export async function publicRequests(db: Db, f: PublicRequestFilter): Promise<PublicRequest[]> {
  const { rows } = await db.query<PublicRequest>(
    `${SELECT}
      WHERE ($1::text[] IS NULL OR r.tracking_number = ANY($1))
        AND ($2::text[] IS NULL OR r.category = ANY($2))
        AND ($3::text[] IS NULL OR r.status = ANY($3))
        AND ($4::timestamptz IS NULL OR r.updated_at >= $4)
        AND ($5::timestamptz IS NULL OR r.updated_at <= $5)
      ORDER BY r.updated_at DESC, r.id DESC LIMIT $6`,
    [f.trackingNumbers, f.categories, f.statuses, f.updatedFrom, f.updatedTo, f.limit],
  );
  return rows;
}

export interface PublicUpdate {
  id: number;
  trackingNumber: string;
  /** The status the request had after this update. */
  status: Status;
  at: Date;
  publicNote: string | null;
  mediaUrl: string | null;
}

/**
 * What the public can see happen, oldest first: comments posted by API clients, and status changes that
 * move the public status (`sameAsOpened`: the statuses the public sees as plain "open") or carry a public note.
 * A request's opening and its internal moves (review, routing) are not updates.
 */
export async function publicUpdates(db: Db, f: { from: Date; to: Date; limit: number; sameAsOpened: readonly Status[] }): Promise<PublicUpdate[]> {
  const { rows } = await db.query<PublicUpdate>(
    `SELECT e.id, r.tracking_number AS "trackingNumber", coalesce(e.to_status, e.details->>'status') AS status,
            e.created_at AS at, e.public_note AS "publicNote", e.details->>'media_url' AS "mediaUrl"
       FROM request_events e JOIN requests r ON r.id = e.request_id
      WHERE e.kind IN ('status', 'public_comment') AND e.created_at >= $1 AND e.created_at <= $2
        AND (e.kind = 'public_comment'
             OR (e.from_status IS NOT NULL AND e.to_status IS NOT NULL
                 AND (e.public_note IS NOT NULL OR NOT (e.from_status = ANY($4) AND e.to_status = ANY($4)))))
      ORDER BY e.created_at, e.id LIMIT $3`,
    [f.from, f.to, f.limit, f.sameAsOpened],
  );
  return rows;
}
