//! CSV that opens correctly in Korean Excel: UTF-8 with a byte-order mark, CRLF line ends,
//! and no cell that a spreadsheet would run as a formula (`domain::spreadsheet`).

use crate::app::Error;
use crate::domain::spreadsheet::inert;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A download of `rows` (the first is the header) named `file_name`.
pub fn csv_download<R, F>(file_name: &'static str, rows: R) -> Result<Response, Error>
where
    R: IntoIterator<Item = Vec<F>>,
    F: AsRef<[u8]>,
{
    let failed = |_| Error::Internal(anyhow::anyhow!("csv"));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| inert(cell.as_ref())))
            .map_err(failed)?;
    }
    let body = writer
        .into_inner()
        .map_err(|_| Error::Internal(anyhow::anyhow!("csv")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
