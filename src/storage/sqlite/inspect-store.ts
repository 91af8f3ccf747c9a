// What a store file holds, looked at before the backend opens (and so creates) it: missing, empty
// (0 bytes and no WAL content), without Tandem's schema, without objects, damaged, or a store with
// objects. The server's start refuses an empty store next to an existing cluster's certificates
// (src/cli/store-guard.ts); a damaged one is named with SQLite's reason instead of failing later.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

export type StoreState =
  | { state: 'missing' }
  | { state: 'empty' }
  | { state: 'no-schema' }
  | { state: 'no-objects' }
  | { state: 'damaged'; reason: string }
  | { state: 'ok' };

const size = (f: string) => (existsSync(f) ? statSync(f).size : -1);

export function inspectSqliteStore(file: string): StoreState {
  const bytes = size(file);
  if (bytes < 0) return { state: 'missing' };
  if (bytes === 0 && size(`${file}-wal`) <= 0) return { state: 'empty' };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kine'").get()) return { state: 'no-schema' };
    return db.prepare('SELECT 1 FROM kine LIMIT 1').get() ? { state: 'ok' } : { state: 'no-objects' };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { state: 'damaged', reason: `${code ? `${code}: ` : ''}${e instanceof Error ? e.message : String(e)}` };
  } finally {
    db?.close();
  }
}
