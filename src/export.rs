//! An organisation's export: everything it owns, in open formats, in one zip that Windows
//! opens without other software (`docs/export.md` is the schema).
//!
//! The archive holds one JSON Lines file per kind of record (`db::org_export::KINDS`), a CSV
//! copy of each register for Korean Excel, the photos under `media/`, and `manifest.json` with
//! every file's row count, size and SHA-256. The records are read in one snapshot, each kind
//! streamed to a file beside the archive, so memory stays flat however many there are; the
//! archive is written beside its name and renamed into place when whole, so a crash leaves
//! no half archive under it.

use crate::backup::{Scratch, each_media_file, hex};
use crate::db::Db;
use crate::db::org_export::{self, FieldType, Kind};
use crate::domain::spreadsheet::inert;
use crate::media_store::MediaStore;
use anyhow::{Context as _, anyhow};
use futures_util::TryStreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub const FORMAT: &str = "sotong-organization-export";
/// Raised whenever a kind or a field changes meaning or goes; adding one does not raise it.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub organization: ExportedOrganization,
    pub exported_at: String,
    /// Every file of the archive but the manifest.
    pub files: Vec<ExportedFile>,
    /// Photos the records name that were gone when copied (deleted while the export ran).
    pub media_missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportedOrganization {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportedFile {
    pub name: String,
    /// Records in it (JSON Lines and CSV, the header not counted); none for a photo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn file(&self, name: &str) -> Option<&ExportedFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// How far an export got: records and photos written of those there are.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub total: AtomicU64,
}

impl Progress {
    fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Writes organisation `organization_id`'s export to `out`.
pub async fn write(
    db: &Db,
    media: &MediaStore,
    organization: ExportedOrganization,
    organization_id: i64,
    out: &Path,
    progress: &Progress,
) -> anyhow::Result<Manifest> {
    let scratch = Scratch::beside(out, ".partial.d")?;
    let (mut files, photos) = write_records(db, organization_id, &scratch.0, progress).await?;
    let zip = ZipOut::create(out)?;
    let (zip, photo_files, media_missing) = copy_photos(media, &photos, zip, progress).await?;
    let mut zip = zip;
    for file in &files {
        zip.append_file(&file.name, &scratch.0.join(&file.name))?;
    }
    files.extend(photo_files);
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        organization,
        exported_at: crate::domain::time::rfc3339(crate::domain::time::now_ms()),
        files,
        media_missing,
    };
    zip.append_bytes(MANIFEST, &serde_json::to_vec_pretty(&manifest)?)?;
    zip.finish(out)?;
    Ok(manifest)
}

/// Every kind as JSON Lines (and CSV for the registers) under `dir`, read in one snapshot,
/// with the photos the records name.
async fn write_records(
    db: &Db,
    organization_id: i64,
    dir: &Path,
    progress: &Progress,
) -> anyhow::Result<(Vec<ExportedFile>, Vec<String>)> {
    let mut snapshot = db.begin_snapshot().await?;
    let mut total = 0_u64;
    for kind in org_export::KINDS {
        let n = org_export::count(&mut snapshot, kind, organization_id).await?;
        total += u64::try_from(n).unwrap_or(0);
        if kind.name == "media" {
            total += u64::try_from(n).unwrap_or(0);
        }
    }
    progress.total.store(total, Ordering::Relaxed);
    let mut files = Vec::new();
    let mut photos = Vec::new();
    // The registers' times read in the organisation's own zone (its first record says which).
    let mut zone =
        crate::domain::program::parse_time_zone(crate::domain::program::DEFAULT_TIME_ZONE)
            .unwrap_or(jiff::tz::TimeZone::UTC);
    for kind in org_export::KINDS {
        let mut out = KindFiles::create(dir, kind)?;
        {
            let mut rows = std::pin::pin!(org_export::rows(&mut snapshot, kind, organization_id));
            while let Some(row) = rows.try_next().await? {
                if kind.name == "organization"
                    && let Some(Value::String(name)) = row.get("time_zone")
                    && let Ok(own) = crate::domain::program::parse_time_zone(name)
                {
                    zone = own;
                }
                out.write(&row, &zone)?;
                if kind.name == "media"
                    && let Some(Value::String(name)) = row.get("file_name")
                {
                    photos.push(name.clone());
                }
                progress.step();
            }
        }
        files.extend(out.finish()?);
    }
    snapshot.rollback().await?;
    Ok((files, photos))
}

/// A file being written, counted and summed as it goes.
struct Summed {
    name: String,
    writer: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    rows: u64,
}

impl Summed {
    fn create(dir: &Path, name: String) -> anyhow::Result<Self> {
        let path = dir.join(&name);
        let file =
            File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self {
            name,
            writer: BufWriter::new(file),
            hasher: Sha256::new(),
            bytes: 0,
            rows: 0,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        self.writer.write_all(bytes)
    }

    fn finish(mut self) -> anyhow::Result<ExportedFile> {
        self.writer.flush()?;
        Ok(ExportedFile {
            name: self.name,
            rows: Some(self.rows),
            bytes: self.bytes,
            sha256: hex(&self.hasher.finalize()),
        })
    }
}

/// One kind's JSON Lines file, and its CSV copy when it is a register.
struct KindFiles {
    kind: &'static Kind,
    jsonl: Summed,
    csv: Option<Summed>,
}

impl KindFiles {
    fn create(dir: &Path, kind: &'static Kind) -> anyhow::Result<Self> {
        let jsonl = Summed::create(dir, format!("{}.jsonl", kind.name))?;
        let csv = if kind.register {
            let mut csv = Summed::create(dir, format!("{}.csv", kind.name))?;
            // A byte-order mark, so that Excel reads UTF-8.
            csv.write("\u{feff}".as_bytes())?;
            let header: Vec<&str> = kind.fields.iter().map(|f| f.name).collect();
            csv.write(&csv_line(header.iter().map(|h| h.as_bytes()))?)?;
            Some(csv)
        } else {
            None
        };
        Ok(Self { kind, jsonl, csv })
    }

    fn write(
        &mut self,
        row: &serde_json::Map<String, Value>,
        zone: &jiff::tz::TimeZone,
    ) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(row)?;
        line.push(b'\n');
        self.jsonl.write(&line)?;
        self.jsonl.rows += 1;
        if let Some(csv) = &mut self.csv {
            let cells: Vec<String> = self
                .kind
                .fields
                .iter()
                .map(|f| match row.get(f.name) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(text)) if f.ty == FieldType::Time => local(text, zone),
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                })
                .collect();
            csv.write(&csv_line(cells.iter().map(|c| c.as_bytes()))?)?;
            csv.rows += 1;
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<Vec<ExportedFile>> {
        let mut files = vec![self.jsonl.finish()?];
        if let Some(csv) = self.csv {
            files.push(csv.finish()?);
        }
        Ok(files)
    }
}

/// A time as a spreadsheet shows it: the wall clock in `zone`, to the second.
fn local(rfc3339: &str, zone: &jiff::tz::TimeZone) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(at) => zone
            .to_datetime(at)
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => rfc3339.to_owned(),
    }
}

/// One CSV record, CRLF-terminated, no cell runnable as a formula.
fn csv_line<'a>(cells: impl Iterator<Item = &'a [u8]>) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(cells.map(inert))?;
    writer
        .into_inner()
        .map_err(|e| anyhow!("csv: {}", e.error()))
}

/// The photos into the archive, each summed; those gone meanwhile are listed, not fatal.
async fn copy_photos(
    media: &MediaStore,
    names: &[String],
    mut zip: ZipOut,
    progress: &Progress,
) -> anyhow::Result<(ZipOut, Vec<ExportedFile>, Vec<String>)> {
    let mut files = Vec::with_capacity(names.len());
    let missing = each_media_file(media, names, |name, bytes, sha256| {
        let path = format!("media/{name}");
        zip.append_stored(&path, bytes)?;
        files.push(ExportedFile {
            name: path,
            rows: None,
            bytes: bytes.len() as u64,
            sha256,
        });
        progress.step();
        Ok(())
    })
    .await?;
    // A photo gone meanwhile is done with too.
    progress
        .done
        .fetch_add(missing.len() as u64, Ordering::Relaxed);
    Ok((zip, files, missing))
}

/// The zip being written beside its final name.
struct ZipOut {
    partial: PathBuf,
    writer: Option<zip::ZipWriter<BufWriter<File>>>,
}

impl Drop for ZipOut {
    /// An archive not finished is removed (once finished it has left this name).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.partial);
    }
}

impl ZipOut {
    fn create(out: &Path) -> anyhow::Result<Self> {
        let mut partial = out.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = File::create(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        Ok(Self {
            partial,
            writer: Some(zip::ZipWriter::new(BufWriter::new(file))),
        })
    }

    fn writer(&mut self) -> anyhow::Result<&mut zip::ZipWriter<BufWriter<File>>> {
        self.writer
            .as_mut()
            .ok_or_else(|| anyhow!("the archive is closed"))
    }

    fn compressed() -> zip::write::SimpleFileOptions {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true)
    }

    fn append_file(&mut self, name: &str, path: &Path) -> anyhow::Result<()> {
        let writer = self.writer()?;
        writer.start_file(name, Self::compressed())?;
        std::io::copy(&mut File::open(path)?, writer)?;
        Ok(())
    }

    fn append_bytes(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let writer = self.writer()?;
        writer.start_file(name, Self::compressed())?;
        writer.write_all(bytes)?;
        Ok(())
    }

    /// Photos are compressed already: stored as they are.
    fn append_stored(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let writer = self.writer()?;
        writer.start_file(name, options)?;
        writer.write_all(bytes)?;
        Ok(())
    }

    fn finish(mut self, out: &Path) -> anyhow::Result<()> {
        let file = self
            .writer
            .take()
            .ok_or_else(|| anyhow!("the archive is closed"))?
            .finish()?
            .into_inner()
            .map_err(|e| anyhow!("cannot write {}: {}", self.partial.display(), e.error()))?;
        file.sync_all()?;
        std::fs::rename(&self.partial, out)?;
        Ok(())
    }
}
