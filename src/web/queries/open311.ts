// SQL behind the public Open311 GeoReport v2 read API: what is public about a request, never who sent it.
import type { Location } from '../../classify/types.ts';
import type { Db } from '../../db/pool.ts';

export interface PublicRequest extends Location {
  trackingNumber: string;
  status: string;
  category: string;
  departmentName: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastNote: string | null;
}

const SELECT = `
  SELECT r.tracking_number AS "trackingNumber", r.status, r.category, d.name AS "departmentName", r.street,
         r.house_number AS "houseNumber", r.cross_street AS "crossStreet", r.outside_town AS "outsideTown",
         r.lat, r.lon, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
         (SELECT e.note FROM request_events e WHERE e.request_id = r.id AND e.kind = 'status' AND e.note IS NOT NULL
           ORDER BY e.id DESC LIMIT 1) AS "lastNote"
    FROM requests r LEFT JOIN departments d ON d.code = r.department_code`;

export async function publicRequest(db: Db, trackingNumber: string): Promise<PublicRequest | null> {
  const { rows } = await db.query<PublicRequest>(`${SELECT} WHERE r.tracking_number = $1`, [trackingNumber]);
  return rows[0] ?? null;
}

export interface PublicRequestFilter {
  categories: string[] | null;
  statuses: string[] | null;
  from: Date | null;
  to: Date | null;
  limit: number;
}

export async function publicRequests(db: Db, f: PublicRequestFilter): Promise<PublicRequest[]> {
  const { rows } = await db.query<PublicRequest>(
    `${SELECT}
      WHERE ($1::text[] IS NULL OR r.category = ANY($1))
        AND ($2::text[] IS NULL OR r.status = ANY($2))
        AND ($3::timestamptz IS NULL OR r.created_at >= $3)
        AND ($4::timestamptz IS NULL OR r.created_at <= $4)
      ORDER BY r.created_at DESC LIMIT $5`,
    [f.categories, f.statuses, f.from, f.to, f.limit],
  );
  return rows;
}
