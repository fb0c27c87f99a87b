//! Writes records to a file: CSV (one entity: a `.csv`; several: one CSV
//! per entity in a `.zip`) or JSON. Written under a temporary name and
//! renamed when whole, so a cancelled or failed export leaves no half file
//! where the user asked for one.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use relay_protocol::crm::Entity;
use serde_json::{Map, Value};

use super::{Progress, cell, columns, csv};
use crate::store::Record;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// The records of one entity to write.
#[derive(Debug, Clone)]
pub struct Section {
    pub entity: Entity,
    pub records: Vec<Record>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("export cancelled")]
    Cancelled,
    #[error("could not write the file: {0}")]
    Write(String),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Write(e.to_string())
    }
}

impl From<zip::result::ZipError> for ExportError {
    fn from(e: zip::result::ZipError) -> Self {
        ExportError::Write(e.to_string())
    }
}

/// The file's extension for what is exported.
pub fn extension(format: Format, sections: usize) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Csv if sections == 1 => "csv",
        Format::Csv => "zip",
    }
}

/// A section's file name inside the zip, and its key in JSON.
pub fn section_name(entity: Entity) -> &'static str {
    match entity {
        Entity::Customer => "customers",
        Entity::Contact => "contacts",
        Entity::Deal => "deals",
        Entity::Activity => "activities",
    }
}

/// What an export needs besides the records.
pub struct Labels<'a> {
    /// Customer names by id, for the `customer` column.
    pub customers: &'a HashMap<String, String>,
    /// A column's header in the user's language.
    pub header: &'a dyn Fn(Entity, super::Field) -> String,
}

/// Writes `sections` to `path`. Returns how many records were written.
pub fn write(
    path: &Path,
    format: Format,
    sections: &[Section],
    labels: &Labels<'_>,
    progress: &Progress,
) -> Result<usize, ExportError> {
    progress.set_total(sections.iter().map(|s| s.records.len()).sum());
    let partial = partial_path(path);
    let written = (|| {
        let file = File::create(&partial)?;
        match (format, sections) {
            (Format::Json, _) => write_json(BufWriter::new(file), sections, progress),
            (Format::Csv, [one]) => {
                let mut out = BufWriter::new(file);
                let n = write_csv(&mut out, one, labels, progress)?;
                out.flush()?;
                Ok(n)
            }
            (Format::Csv, _) => write_zip(file, sections, labels, progress),
        }
    })();
    match written {
        Ok(n) => {
            std::fs::rename(&partial, path)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// How many records between two looks at Cancel.
const STEP: usize = 1000;

fn tick(progress: &Progress, i: usize) -> Result<(), ExportError> {
    if (i + 1).is_multiple_of(STEP) {
        progress.advance(STEP);
        if progress.is_cancelled() {
            return Err(ExportError::Cancelled);
        }
    }
    Ok(())
}

fn write_csv(
    out: &mut impl Write,
    section: &Section,
    labels: &Labels<'_>,
    progress: &Progress,
) -> Result<usize, ExportError> {
    let fields = columns(section.entity);
    // The BOM: Excel reads the file as UTF-8 only with it.
    out.write_all("\u{feff}".as_bytes())?;
    out.write_all(
        csv::line(fields.iter().map(|f| (labels.header)(section.entity, *f))).as_bytes(),
    )?;
    for (i, record) in section.records.iter().enumerate() {
        let customer = record
            .data
            .get("customer_id")
            .and_then(Value::as_str)
            .and_then(|id| labels.customers.get(id))
            .map(String::as_str);
        let line = csv::line(
            fields
                .iter()
                .map(|f| cell(*f, &record.id, &record.data, customer)),
        );
        out.write_all(line.as_bytes())?;
        tick(progress, i)?;
    }
    progress.advance(section.records.len() % STEP);
    Ok(section.records.len())
}

fn write_zip(
    file: File,
    sections: &[Section],
    labels: &Labels<'_>,
    progress: &Progress,
) -> Result<usize, ExportError> {
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut n = 0;
    for section in sections {
        zip.start_file(format!("{}.csv", section_name(section.entity)), options)?;
        n += write_csv(&mut zip, section, labels, progress)?;
    }
    zip.finish()?.flush()?;
    Ok(n)
}

/// `{"format": "relay-crm-export", "version": 1, "customers": [{"id": …,
/// …data}], …}`: each record is its id and its fields as the API has them.
fn write_json(
    mut out: BufWriter<File>,
    sections: &[Section],
    progress: &Progress,
) -> Result<usize, ExportError> {
    out.write_all(b"{\"format\":\"relay-crm-export\",\"version\":1")?;
    let mut n = 0;
    for section in sections {
        write!(out, ",\"{}\":[", section_name(section.entity))?;
        for (i, record) in section.records.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            let mut object = Map::new();
            object.insert("id".into(), Value::String(record.id.clone()));
            if let Value::Object(data) = &record.data {
                for (k, v) in data {
                    object.insert(k.clone(), v.clone());
                }
            }
            serde_json::to_writer(&mut out, &object)
                .map_err(|e| ExportError::Write(e.to_string()))?;
            tick(progress, i)?;
        }
        progress.advance(section.records.len() % STEP);
        out.write_all(b"]")?;
        n += section.records.len();
    }
    out.write_all(b"}\n")?;
    out.flush()?;
    Ok(n)
}
