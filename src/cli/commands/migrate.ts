import { loadConfig } from '../../config/index.ts';
import { createPool, ensureDatabase } from '../../db/pool.ts';
import { migrate } from '../../db/migrate.ts';

export async function run(): Promise<number> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 2);
  try {
    const applied = await migrate(pool);
    process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await pool.end();
  }
}
