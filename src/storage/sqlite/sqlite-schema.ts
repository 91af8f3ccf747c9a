// The SQLite layout (the kine model): one log table whose row id is the global revision. The current
// value of a key is its row with the largest id; UNIQUE(name, prev_revision) makes two writes based
// on the same version of a key impossible. A small meta table keeps the compaction state.
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const DDL = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision ON kine (name, prev_revision);
CREATE TABLE IF NOT EXISTS tandem_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Opens (creating if needed) a store file. WAL with synchronous=NORMAL: a commit is in the WAL file
 * when the statement returns, so it survives a crash of the process (not a power loss). The caller
 * holds the store's lock file (store-lock.ts): the in-memory index of the owning process must be
 * the only writer. Checkpoints are not automatic: checkpointer.ts runs them off the event loop.
 */
export function openDatabase(file: string, busyTimeoutMs = 500): Db {
  ownerOnly(file);
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    // the WAL file is cut back to this size whenever it is rewound
    db.pragma('journal_size_limit = 67108864');
    db.exec(DDL);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * The store holds every Secret: its files are the owner's alone. A new file is created 0600 before
 * SQLite opens it (SQLite gives the -wal and -shm files the mode of the database file), and an old
 * file, or companions left with wider modes by an older version, are narrowed.
 */
function ownerOnly(file: string): void {
  if (process.platform === 'win32' || file === ':memory:' || file === '') return;
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch {
      /* a companion that does not exist yet */
    }
  }
}

/** One row of the log, with the value and create revision of the row it superseded (for updates and deletes). */
export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string | null;
  pvalue: string | null;
  pcreate: number | null;
}
/** The newest row of a key. */
export interface HeadRow {
  id: number;
  name: string;
  deleted: number;
  create_revision: number;
  value: string | null;
}

export function prepareStatements(db: Db) {
  return {
    insert: db.prepare<[number, string, number, number, number, number, string | null]>(
      'INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    after: db.prepare<[number], LogRow>(
      `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value,
              p.value AS pvalue, p.create_revision AS pcreate
       FROM kine k LEFT JOIN kine p ON k.created = 0 AND p.id = k.prev_revision
       WHERE k.id > ? ORDER BY k.id`,
    ),
    heads: db.prepare<[], HeadRow>(
      `SELECT k.id, k.name, k.deleted, k.create_revision, k.value
       FROM kine k JOIN (SELECT MAX(id) AS id FROM kine GROUP BY name) m ON k.id = m.id`,
    ),
    sequence: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'kine'"),
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM tandem_meta WHERE name = ?'),
    setMeta: db.prepare<[string, number]>(
      'INSERT INTO tandem_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
    /** Rows superseded by a row in (lo, hi]. */
    deleteSuperseded: db.prepare<[number, number]>(
      'DELETE FROM kine WHERE id IN (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision > 0)',
    ),
    /** Deletion markers in (lo, hi]. */
    deleteMarkers: db.prepare<[number, number]>('DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
