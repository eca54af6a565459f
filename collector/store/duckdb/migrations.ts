/**
 * Schema migrations: each part of the design lists its own, applied once each in order and
 * recorded in schema_migrations. Timestamps are BIGINT epoch milliseconds throughout.
 */
import type { DuckDb } from './connection.js';

export interface Migration {
  /** Unique and stable forever, e.g. `ingest-001`. */
  readonly id: string;
  readonly sql: string;
}

export async function migrate(db: DuckDb, migrations: readonly Migration[]): Promise<void> {
  await db.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id VARCHAR PRIMARY KEY, applied_at BIGINT NOT NULL)',
  );
  const applied = new Set(
    (await db.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id),
  );
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    await db.transaction(async () => {
      await db.runNow(migration.sql);
      await db.runNow('INSERT INTO schema_migrations VALUES (?, ?)', [migration.id, Date.now()]);
    });
  }
}
