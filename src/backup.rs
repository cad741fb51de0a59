//! `sotong admin backup` and `sotong admin restore`: the whole instance in one tar file, taken
//! while the server runs and restored into an empty database of either kind.
//!
//! The archive holds `manifest.json` first (the format, the schema version, every table with
//! its columns, row count and SHA-256, every media file with its SHA-256), then each table as
//! JSON Lines (`tables/<name>.jsonl`, one object per row, in the order the rows were read) and
//! the media files (`media/<name>`). The tables are read in one snapshot (a read transaction on
//! SQLite's WAL, `REPEATABLE READ` on PostgreSQL): no status without its author, whatever was
//! written meanwhile. A backup is written beside its name and renamed into place when whole; a
//! restore checks every sum before it writes anything and writes the rows in one transaction,
//! so a crash leaves the target empty or complete.

use crate::config::Config;
use crate::db::dump::{self, Table};
use crate::db::{Backend, Db};
use crate::media_store::{MediaStore, StoreError};
use anyhow::{Context as _, anyhow, bail};
use futures_util::TryStreamExt as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead as _, BufReader, BufWriter, Read as _, Write as _};
use std::path::{Path, PathBuf};

const FORMAT: &str = "sotong-backup";
const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The last migration the data was written under.
    pub schema_version: i64,
    /// `sqlite` or `postgres`: where it was taken (it restores onto either).
    pub taken_from: String,
    pub taken_at: String,
    pub tables: Vec<TableEntry>,
    pub media: Vec<FileEntry>,
    /// Files rows named that were gone when copied (a photo deleted while the backup ran).
    pub media_missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    #[serde(flatten)]
    pub table: Table,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables
            .iter()
            .find(|t| t.table.name == table)
            .map(|t| t.rows)
    }
}

/// A directory of work beside `near`, removed when dropped (after a crash, by the next run).
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn beside(near: &Path, suffix: &str) -> anyhow::Result<Self> {
        let mut name = near.as_os_str().to_owned();
        name.push(suffix);
        let dir = PathBuf::from(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        for sub in ["tables", "media"] {
            std::fs::create_dir_all(dir.join(sub))
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Takes a backup of the instance `config` names into `out`, while it runs.
pub async fn take(config: &Config, out: &Path) -> anyhow::Result<Manifest> {
    let db = Db::connect(&config.database_url, 2).await?;
    let media = MediaStore::open(config)?;
    let scratch = Scratch::beside(out, ".partial.d")?;
    let (schema_version, tables, names) = dump_tables(&db, &scratch.0).await?;
    let (files, missing) = copy_media(&media, &names, &scratch.0).await?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        schema_version,
        taken_from: backend_name(db.backend()).to_owned(),
        taken_at: crate::domain::time::rfc3339(crate::domain::time::now_ms()),
        tables,
        media: files,
        media_missing: missing,
    };
    std::fs::write(
        scratch.0.join(MANIFEST),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    pack(&scratch.0, &manifest, out)?;
    db.pool().close().await;
    Ok(manifest)
}

/// Every table as JSON Lines under `dir/tables`, read in one snapshot, with the names of the
/// media files the snapshot's rows name.
async fn dump_tables(db: &Db, dir: &Path) -> anyhow::Result<(i64, Vec<TableEntry>, Vec<String>)> {
    let mut snapshot = db.begin_snapshot().await?;
    let schema_version = dump::schema_version(&mut snapshot, db.backend())
        .await?
        .ok_or_else(|| anyhow!("the database has no schema yet"))?;
    let tables = dump::tables(&mut snapshot, db.backend()).await?;
    let mut entries = Vec::with_capacity(tables.len());
    for table in tables {
        let path = dir.join("tables").join(format!("{}.jsonl", table.name));
        let mut writer = BufWriter::new(File::create(&path)?);
        let mut hasher = Sha256::new();
        let mut rows = 0_u64;
        {
            let mut stream = std::pin::pin!(dump::rows(&mut snapshot, &table));
            while let Some(row) = stream.try_next().await? {
                let mut line = serde_json::to_vec(&row)?;
                line.push(b'\n');
                hasher.update(&line);
                writer.write_all(&line)?;
                rows += 1;
            }
        }
        writer.flush()?;
        entries.push(TableEntry {
            table,
            rows,
            sha256: hex(&hasher.finalize()),
        });
    }
    let names = dump::media_names(&mut snapshot).await?;
    snapshot.rollback().await?;
    Ok((schema_version, entries, names))
}

async fn copy_media(
    media: &MediaStore,
    names: &[String],
    dir: &Path,
) -> anyhow::Result<(Vec<FileEntry>, Vec<String>)> {
    let mut files = Vec::with_capacity(names.len());
    let missing = each_media_file(media, names, |name, bytes, sha256| {
        std::fs::write(dir.join("media").join(name), bytes)?;
        files.push(FileEntry {
            name: name.to_owned(),
            bytes: bytes.len() as u64,
            sha256,
        });
        Ok(())
    })
    .await?;
    Ok((files, missing))
}

/// Hands each stored file `names` names to `keep`, with its SHA-256; returns the names of those
/// gone meanwhile (a photo deleted while a backup or an export ran). A name that would leave
/// the archive's folder is refused.
pub(crate) async fn each_media_file(
    media: &MediaStore,
    names: &[String],
    mut keep: impl FnMut(&str, &[u8], String) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<String>> {
    let mut missing = Vec::new();
    for name in names {
        if !is_plain_file_name(name) {
            bail!("a media file name that is not a plain name: {name:?}");
        }
        match media.get(name).await {
            Ok(bytes) => keep(name, &bytes, hex(&Sha256::digest(&bytes)))?,
            Err(StoreError::NotFound) => missing.push(name.clone()),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(missing)
}

/// The SHA-256 of a file, read in pieces.
pub(crate) fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

/// A name that stays inside `media/`: no separators, no `..`.
pub(crate) fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Writes the archive beside `out` and renames it into place when it is whole.
fn pack(dir: &Path, manifest: &Manifest, out: &Path) -> anyhow::Result<()> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file =
        File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
    let mut builder = tar::Builder::new(BufWriter::new(file));
    builder.append_path_with_name(dir.join(MANIFEST), MANIFEST)?;
    for entry in &manifest.tables {
        let name = format!("tables/{}.jsonl", entry.table.name);
        builder.append_path_with_name(dir.join(&name), &name)?;
    }
    for entry in &manifest.media {
        let name = format!("media/{}", entry.name);
        builder.append_path_with_name(dir.join(&name), &name)?;
    }
    let file = builder
        .into_inner()?
        .into_inner()
        .map_err(|e| anyhow!("cannot write {}: {}", partial.display(), e.error()))?;
    file.sync_all()?;
    std::fs::rename(&partial, out)?;
    Ok(())
}

/// Why a restore refused: each leaves the target as it was.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("백업 파일이 손상되었습니다 / the archive is damaged: {0}")]
    Damaged(String),
    #[error(
        "백업의 스키마({backup})가 이 프로그램({known})보다 새롭습니다 / the backup's schema ({backup}) is newer than this binary's ({known})"
    )]
    NewerSchema { backup: i64, known: i64 },
    #[error(
        "복원할 데이터베이스가 비어 있지 않습니다 / the target database is not empty: restore into a new one"
    )]
    NotEmpty,
}

/// Restores the archive at `archive` into the database and media store `config` names, which
/// must be empty.
pub async fn restore(config: &Config, archive: &Path) -> anyhow::Result<Manifest> {
    let scratch = Scratch::beside(archive, ".restore.d")?;
    let manifest = unpack(archive, &scratch.0)?;
    let db = Db::open(&config.database_url, 2).await?;
    let known = db.latest_schema_version();
    if manifest.schema_version > known {
        return Err(Refusal::NewerSchema {
            backup: manifest.schema_version,
            known,
        }
        .into());
    }
    let mut conn = db.pool().acquire().await?;
    if let Some(current) = dump::schema_version(&mut conn, db.backend()).await?
        && (current > manifest.schema_version || dump::holds_an_instance(&mut conn).await?)
    {
        return Err(Refusal::NotEmpty.into());
    }
    drop(conn);
    db.migrate_to(Some(manifest.schema_version)).await?;
    load(&db, config, &manifest, &scratch.0).await?;
    db.migrate_to(None).await?;
    db.pool().close().await;
    Ok(manifest)
}

/// Reads the archive into `dir`, checking every file against the manifest (which comes first):
/// nothing more, nothing less, every sum right.
fn unpack(archive: &Path, dir: &Path) -> anyhow::Result<Manifest> {
    let damaged = |why: &str| Refusal::Damaged(why.to_owned());
    let file = File::open(archive).with_context(|| format!("cannot read {}", archive.display()))?;
    let mut entries = tar::Archive::new(BufReader::new(file));
    let mut entries = entries.entries().map_err(|e| damaged(&e.to_string()))?;
    let mut first = entries
        .next()
        .ok_or_else(|| damaged("empty"))?
        .map_err(|e| damaged(&e.to_string()))?;
    if first
        .path()
        .map_err(|e| damaged(&e.to_string()))?
        .as_os_str()
        != MANIFEST
    {
        return Err(damaged("no manifest first").into());
    }
    let mut text = Vec::new();
    first
        .read_to_end(&mut text)
        .map_err(|e| damaged(&e.to_string()))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| damaged(&format!("manifest: {e}")))?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        return Err(damaged("not a Sotong backup of a known format").into());
    }
    let mut expected: BTreeMap<String, String> = manifest
        .tables
        .iter()
        .map(|t| (format!("tables/{}.jsonl", t.table.name), t.sha256.clone()))
        .chain(
            manifest
                .media
                .iter()
                .map(|f| (format!("media/{}", f.name), f.sha256.clone())),
        )
        .collect();
    if manifest.media.iter().any(|f| !is_plain_file_name(&f.name))
        || manifest
            .tables
            .iter()
            .any(|t| !is_plain_file_name(&t.table.name))
    {
        return Err(damaged("a name that leaves the archive's folders").into());
    }
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged(&e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| damaged(&e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let sum = expected
            .remove(&name)
            .ok_or_else(|| damaged(&format!("{name} is not in the manifest")))?;
        let mut out = BufWriter::new(File::create(dir.join(&name))?);
        let mut hasher = Sha256::new();
        let mut buffer = vec![0_u8; 64 * 1024];
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|e| damaged(&e.to_string()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            out.write_all(&buffer[..n])?;
        }
        out.flush()?;
        if hex(&hasher.finalize()) != sum {
            return Err(damaged(&format!("{name}: its SHA-256 does not match")).into());
        }
    }
    if let Some((missing, _)) = expected.into_iter().next() {
        return Err(damaged(&format!("{missing} is missing")).into());
    }
    Ok(manifest)
}

/// Writes every row and file back in one transaction; the media go before it commits.
async fn load(db: &Db, config: &Config, manifest: &Manifest, dir: &Path) -> anyhow::Result<()> {
    let media = MediaStore::open(config)?;
    let mut tx = db.begin_restore().await?;
    let in_order = dump::tables(&mut tx, db.backend()).await?;
    if dump::holds_an_instance(&mut tx).await? {
        return Err(Refusal::NotEmpty.into());
    }
    dump::clear(&mut tx, &in_order).await?;
    dump::switch_triggers(&mut tx, db.backend(), &in_order, false).await?;
    let switched_off = in_order.clone();
    let target: BTreeMap<String, Table> =
        in_order.into_iter().map(|t| (t.name.clone(), t)).collect();
    let backed_up: BTreeSet<&str> = manifest
        .tables
        .iter()
        .map(|t| t.table.name.as_str())
        .collect();
    if let Some(absent) = target.keys().find(|t| !backed_up.contains(t.as_str())) {
        return Err(Refusal::Damaged(format!("no table {absent} in the backup")).into());
    }
    for entry in &manifest.tables {
        let table = target.get(&entry.table.name).ok_or_else(|| {
            Refusal::Damaged(format!("{} is no table of this schema", entry.table.name))
        })?;
        let path = dir.join(format!("tables/{}.jsonl", entry.table.name));
        write_rows(&mut tx, db.backend(), table, &path).await?;
        let written = dump::count(&mut tx, &entry.table.name).await?;
        if u64::try_from(written).ok() != Some(entry.rows) {
            return Err(Refusal::Damaged(format!("{}: row count", entry.table.name)).into());
        }
    }
    dump::settle(&mut tx, db.backend()).await?;
    dump::switch_triggers(&mut tx, db.backend(), &switched_off, true).await?;
    for file in &manifest.media {
        let bytes = std::fs::read(dir.join("media").join(&file.name))?;
        media.put(&file.name, bytes).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Writes one table's JSON Lines back, several rows to a statement.
async fn write_rows(
    conn: &mut crate::db::Tx,
    backend: Backend,
    table: &Table,
    path: &Path,
) -> anyhow::Result<()> {
    let per_insert = dump::rows_per_insert(table, backend);
    let mut batch = Vec::with_capacity(per_insert);
    let mut lines = BufReader::new(File::open(path)?).lines();
    loop {
        let line = lines.next().transpose()?;
        if let Some(line) = &line {
            let row: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
                .map_err(|e| Refusal::Damaged(format!("{}: {e}", table.name)))?;
            batch.push(row);
        }
        if batch.len() == per_insert || (line.is_none() && !batch.is_empty()) {
            dump::insert(conn, table, &batch)
                .await
                .map_err(|e| anyhow!("{}: {e}", table.name))?;
            batch.clear();
        }
        if line.is_none() {
            return Ok(());
        }
    }
}
