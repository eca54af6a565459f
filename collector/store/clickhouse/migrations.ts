/**
 * Schema migrations for ClickHouse: each part lists its own, applied in order and recorded in
 * schema_migrations. There are no transactions, so every statement is idempotent (IF NOT
 * EXISTS): two collectors starting at once against one server both succeed.
 */
import type { ClickHouseDb } from './connection.js';
import type { SchemaOptions } from './schema.js';
import type { ServerFeatures } from './version.js';

/** One migration: statements rendered for the server (one statement per HTTP request). */
export interface ClickHouseMigration {
  /** Unique and stable forever, e.g. `ingest-001`. */
  readonly id: string;
  statements(features: ServerFeatures, options: SchemaOptions): readonly string[];
}

/** Applies the migrations not yet recorded, in order. */
export async function migrate(
  db: ClickHouseDb,
  migrations: readonly ClickHouseMigration[],
  options: SchemaOptions,
): Promise<void> {
  await db.command(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id String, applied_at Int64) ENGINE = MergeTree ORDER BY id',
  );
  const applied = new Set(
    (await db.query<{ id: string }>('SELECT DISTINCT id FROM schema_migrations')).map((r) => r.id),
  );
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    for (const statement of migration.statements(db.features, options)) await db.command(statement);
    await db.command('INSERT INTO schema_migrations (id, applied_at) SELECT {id:String}, {at:Int64}', {
      id: migration.id,
      at: Date.now(),
    });
  }
}
