import pg from 'pg';
import { Redis } from 'ioredis';

// Fail the whole run early, with one clear message, when the real services are not running.
export default async function setup(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`tests need PostgreSQL at ${databaseUrl}: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`tests need Redis at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}: ${(err as Error).message}`, { cause: err });
  } finally {
    redis.disconnect();
  }
}
