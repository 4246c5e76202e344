//! The PostgreSQL schema: its migrations, numbered as SQLite's are (the same number is the same
//! schema), and the refusal of a database newer than this program or of another program's.

use super::pg::{PgConn, redacted};
use super::{Access, SCHEMA_VERSION};
use crate::domain::message::Message;
use anyhow::{Result, bail};

/// PostgreSQL reaches the SQLite schema's version in one step: the first PostgreSQL schema is
/// SQLite's 16th. Later migrations come in pairs, one file per backend, with the same number.
const MIGRATIONS: &[(usize, &str)] = &[
    (16, include_str!("pg_migrations/016_schema.sql")),
    (
        17,
        include_str!("pg_migrations/017_unindexed_enterprises.sql"),
    ),
    (
        18,
        include_str!("pg_migrations/018_open_work_first_frames.sql"),
    ),
    (19, include_str!("pg_migrations/019_import_aeo_flag.sql")),
    (20, include_str!("pg_migrations/020_open_clocks.sql")),
    (21, include_str!("pg_migrations/021_queue_index_status.sql")),
    (
        22,
        include_str!("pg_migrations/022_queue_index_covers_filter.sql"),
    ),
    (
        23,
        include_str!("pg_migrations/023_approval_reference_index.sql"),
    ),
    (
        24,
        include_str!("pg_migrations/024_open_work_kind_index.sql"),
    ),
];

/// The key of the session lock migrations hold, so that of several processes opening a new
/// database at once one migrates and the others wait.
const MIGRATION_LOCK: i64 = 0x61_65_6f_6d;

pub fn migrate(conn: &PgConn, url: &str, access: Access, adopt_foreign: bool) -> Result<()> {
    let shown = redacted(url);
    let current = current_version(conn)?;
    if current > SCHEMA_VERSION {
        bail!(
            "database {shown} has schema version {current}, newer than this aeo understands ({SCHEMA_VERSION}); use a newer aeo"
        );
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    if access == Access::ReadOnly {
        bail!(
            "database {shown} has schema version {current}, older than this aeo ({SCHEMA_VERSION}); open it once without --read-only to upgrade it"
        );
    }
    conn.batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let done = migrate_locked(conn, &shown, adopt_foreign);
    let unlocked = conn.batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    done?;
    unlocked
}

pub fn current_version(conn: &PgConn) -> Result<usize> {
    let stmt = conn.prepare("SELECT to_regclass('aeo_schema') IS NOT NULL")?;
    let has: bool = conn.query(&stmt, &[])?[0].get(0);
    if !has {
        return Ok(0);
    }
    let stmt = conn.prepare("SELECT coalesce(max(version), 0)::bigint FROM aeo_schema")?;
    let v: i64 = conn.query(&stmt, &[])?[0].get(0);
    Ok(v.max(0) as usize)
}

fn migrate_locked(conn: &PgConn, shown: &str, adopt_foreign: bool) -> Result<()> {
    // Another process may have migrated while this one waited for the lock.
    let current = current_version(conn)?;
    if current >= SCHEMA_VERSION {
        return Ok(());
    }
    if current == 0 && !adopt_foreign {
        let stmt = conn.prepare(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
        )?;
        let tables: i64 = conn.query(&stmt, &[])?[0].get(0);
        if tables > 0 {
            return Err(Message::new(
                format!(
                    "{shown} 是其他程序的数据库（有数据表，但不是 aeo 的）：已拒绝，未作任何更改；确需在其中加入 aeo 的数据表，请运行 `aeo init`"
                ),
                format!(
                    "{shown} is a database of another program (it has tables but no aeo schema): refused, nothing changed; `aeo init` adds aeo's tables to it if that is really wanted"
                ),
            )
            .into());
        }
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let step = format!(
            "BEGIN;\n{sql}\nCREATE TABLE IF NOT EXISTS aeo_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());\nINSERT INTO aeo_schema (version) VALUES ({version});\nCOMMIT;"
        );
        if let Err(e) = conn.batch(&step) {
            let _ = conn.batch("ROLLBACK");
            bail!("cannot upgrade database {shown} to schema {version}: {e:#}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every SQLite migration has its PostgreSQL counterpart: both backends reach one version.
    #[test]
    fn both_backends_reach_the_same_schema_version() {
        assert_eq!(MIGRATIONS.last().map(|(v, _)| *v), Some(SCHEMA_VERSION));
        assert!(MIGRATIONS.windows(2).all(|w| w[1].0 == w[0].0 + 1));
    }
}
