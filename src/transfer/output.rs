//! Writing an output file without losing anything: never onto the database or its side files
//! (compared by file identity, so links and other spellings of the path are caught), never over
//! an existing file unless asked (`--force`), and never half-written: the text goes to a
//! temporary file beside the target, is synced, and is renamed into place. The file gets the
//! database's mode (0600 by default), not the umask's.

use crate::domain::message::Message;
use anyhow::{Context as _, Result, bail};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The files SQLite keeps beside a database.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// The database file and its side files, as paths.
fn database_files(database: &Path) -> Vec<PathBuf> {
    let mut out = vec![database.to_path_buf()];
    for suffix in SIDE_FILES {
        let mut p = database.as_os_str().to_owned();
        p.push(suffix);
        out.push(PathBuf::from(p));
    }
    out
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// The directory and file name `path` names, with the directory resolved (links followed).
fn resolved(path: &Path) -> Option<(PathBuf, std::ffi::OsString)> {
    let name = path.file_name()?.to_owned();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some((dir.canonicalize().ok()?, name))
}

/// Refuses an output path that is the database or one of its side files: by identity when the
/// file exists (a hard link or a symbolic link to it is the same file), and by resolved name
/// when a side file does not exist yet (a stray `-wal` would be read back by SQLite).
pub fn refuse_database_files(output: &Path, database: &Path) -> Result<()> {
    let refuse = || -> Result<()> {
        Err(Message::new(
            format!(
                "拒绝写入 {}：它就是数据库 {} 或其 -wal/-shm/-journal 文件；请另选输出文件",
                output.display(),
                database.display()
            ),
            format!(
                "refusing to write to {}: it is the database {} or one of its -wal/-shm/-journal files; choose another output file",
                output.display(),
                database.display()
            ),
        )
        .into())
    };
    if let Ok(out_meta) = std::fs::metadata(output) {
        for f in database_files(database) {
            if let Ok(m) = std::fs::metadata(&f)
                && same_file(&out_meta, &m)
            {
                return refuse();
            }
        }
    }
    if let Some(out) = resolved(output) {
        for f in database_files(database) {
            if resolved(&f).is_some_and(|db| db == out) {
                return refuse();
            }
        }
    }
    Ok(())
}

fn exists(output: &Path) -> anyhow::Error {
    Message::new(
        format!("{} 已存在：要替换它请加 --force", output.display()),
        format!(
            "{} already exists: pass --force to replace it",
            output.display()
        ),
    )
    .into()
}

/// The permission bits the database file has (0600 when it cannot be read).
#[cfg(unix)]
fn database_mode(database: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(database)
        .map(|m| m.permissions().mode() & 0o666)
        .unwrap_or(0o600)
}

/// Writes `output` through `body`: refused onto the database's files, refused over an existing
/// file without `force`, written to a temporary file beside it and renamed into place, with the
/// database's mode. Nothing is left behind when `body` or any step fails.
pub fn write_file<T>(
    output: &Path,
    database: &Path,
    force: bool,
    body: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    refuse_database_files(output, database)?;
    if !force && std::fs::symlink_metadata(output).is_ok() {
        return Err(exists(output));
    }
    if std::fs::metadata(output).is_ok_and(|m| m.is_dir()) {
        bail!("{} is a directory: give a file name", output.display());
    }
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".aeo-export-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(database_mode(database)))
            .with_context(|| format!("cannot set the mode of a file in {}", dir.display()))?;
    }
    let value = {
        let mut w = BufWriter::new(tmp.as_file());
        let value = body(&mut w)?;
        w.flush()
            .with_context(|| format!("cannot write {}", output.display()))?;
        value
    };
    File::sync_all(tmp.as_file()).with_context(|| format!("cannot write {}", output.display()))?;
    let placed = if force {
        tmp.persist(output).map(|_| ())
    } else {
        // Fails rather than replace a file that appeared meanwhile.
        tmp.persist_noclobber(output).map(|_| ())
    };
    placed.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists(output)
        } else {
            anyhow::Error::new(e.error).context(format!("cannot write {}", output.display()))
        }
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_in(dir: &Path) -> PathBuf {
        let db = dir.join("x.db");
        std::fs::write(&db, "database").unwrap();
        std::fs::write(dir.join("x.db-wal"), "wal").unwrap();
        db
    }

    fn write(out: &Path, db: &Path, force: bool) -> Result<()> {
        write_file(out, db, force, |w| Ok(w.write_all(b"exported")?))
    }

    #[test]
    fn the_database_and_its_side_files_are_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_in(dir.path());
        let other = tempfile::tempdir().unwrap();
        let link = other.path().join("link.csv");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        let hard = other.path().join("hard.csv");
        if std::fs::hard_link(&db, &hard).is_err() {
            std::fs::copy(&db, &hard).unwrap();
        }
        let dotted = dir.path().join(".").join("x.db");
        for out in [
            db.clone(),
            dir.path().join("x.db-wal"),
            dir.path().join("x.db-shm"),
            dir.path().join("x.db-journal"),
            link,
            dotted,
        ] {
            for force in [false, true] {
                let e = write(&out, &db, force).unwrap_err().to_string();
                assert!(e.contains("refusing"), "{}: {e}", out.display());
            }
        }
        if std::fs::metadata(&hard).unwrap().nlink() > 1 {
            let e = write(&hard, &db, true).unwrap_err().to_string();
            assert!(e.contains("refusing"), "{e}");
        }
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "database");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("x.db-wal")).unwrap(),
            "wal"
        );
    }

    use std::os::unix::fs::MetadataExt;

    #[test]
    fn an_existing_file_needs_force_and_a_failed_body_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_in(dir.path());
        let out = dir.path().join("out.csv");
        write(&out, &db, false).unwrap();
        std::fs::write(&out, "keep").unwrap();
        let e = write(&out, &db, false).unwrap_err().to_string();
        assert!(e.contains("--force"), "{e}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
        let failed: Result<()> = write_file(&out, &db, true, |w| {
            w.write_all(b"half")?;
            bail!("the query failed")
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
        write(&out, &db, true).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "exported");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 3, "no temporary file left: {names:?}");
    }

    #[test]
    fn the_file_gets_the_database_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = db_in(dir.path());
        for mode in [0o600, 0o640] {
            std::fs::set_permissions(&db, std::fs::Permissions::from_mode(mode)).unwrap();
            let out = dir.path().join(format!("out-{mode:o}.csv"));
            write(&out, &db, false).unwrap();
            assert_eq!(std::fs::metadata(&out).unwrap().mode() & 0o777, mode);
        }
    }
}
