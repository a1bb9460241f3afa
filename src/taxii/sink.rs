//! Publishing released bundles to the partner's TAXII 2.1 collection (receiving side).
//!
//! `sekisho publish` reads the diode receiver's spool: each `*.json` file is a bundle the guard
//! released. Its objects are posted in one envelope (`POST …/objects/`), and the status resource
//! is followed until `complete`. A file leaves the spool only when every object is reported
//! successful — or, for an object the server refused, when the collection is found to hold that
//! very version already (a repeat after a crash is not a failure). Otherwise the file stays,
//! beside a `<file>.reason` that lists each failed object with the server's message, and is
//! posted again on the next run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{Client, TaxiiError, api_root, objects_url};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Every object is in the collection; the file was removed.
    Done { objects: usize },
    /// The file stays; why.
    Kept { reason: String },
}

/// A status resource (TAXII 2.1 §4.3.1): what publishing needs of it.
#[derive(Debug, Deserialize)]
struct Status {
    id: String,
    status: String,
    #[serde(default)]
    failures: Vec<StatusDetail>,
    #[serde(default)]
    pending_count: u64,
}

#[derive(Debug, Deserialize)]
struct StatusDetail {
    id: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// How long to follow a status resource before the file is kept for the next run.
pub const STATUS_PATIENCE: Duration = Duration::from_secs(60);

fn malformed(url: &str, expected: &'static str, e: impl std::fmt::Display, body: &[u8]) -> TaxiiError {
    TaxiiError::Malformed {
        url: url.to_string(),
        expected,
        what: e.to_string(),
        body: body.to_vec(),
    }
}

/// Post `file` (a STIX bundle) to `collection`.
pub fn publish_file(client: &Client, collection: &str, file: &Path) -> Result<Published, TaxiiError> {
    let bytes = std::fs::read(file).map_err(|e| TaxiiError::Io {
        path: file.display().to_string(),
        what: format!("cannot read: {e}"),
    })?;
    let objects = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut b)) if b.get("type").and_then(|t| t.as_str()) == Some("bundle") => {
            match b.remove("objects") {
                Some(serde_json::Value::Array(o)) if !o.is_empty() => o,
                _ => {
                    return Ok(Published::Kept {
                        reason: "the bundle has no objects to publish".into(),
                    });
                }
            }
        }
        _ => {
            return Ok(Published::Kept {
                reason: "not a STIX bundle".into(),
            });
        }
    };
    let count = objects.len();
    let url = objects_url(collection)?;
    let envelope = serde_json::to_vec(&serde_json::json!({ "objects": objects }))
        .map_err(|e| TaxiiError::Config(e.to_string()))?;
    let response = client.post(&url, &envelope)?;
    let mut status: Status =
        serde_json::from_slice(&response.body).map_err(|e| malformed(&url, "status", e, &response.body))?;
    // Follow the status resource until the server is done with every object.
    let root = api_root(collection).ok_or_else(|| TaxiiError::Config(format!("`{collection}`: no API root")))?;
    let started = Instant::now();
    let mut wait = Duration::from_millis(100);
    while status.status != "complete" || status.pending_count > 0 {
        if started.elapsed() > STATUS_PATIENCE {
            return Ok(Published::Kept {
                reason: format!(
                    "status {} still `{}` after {STATUS_PATIENCE:?}",
                    status.id, status.status
                ),
            });
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(2));
        let status_url = format!("{root}status/{}/", status.id);
        let r = client.get(&status_url)?;
        status = serde_json::from_slice(&r.body).map_err(|e| malformed(&status_url, "status", e, &r.body))?;
    }
    // A refused object that the collection holds already (same version) is published.
    let mut failed = Vec::new();
    for f in &status.failures {
        if !holds(client, &url, &f.id, f.version.as_deref())? {
            failed.push(format!(
                "{} ({}): {}",
                f.id,
                f.version.as_deref().unwrap_or("-"),
                f.message.as_deref().unwrap_or("refused")
            ));
        }
    }
    if failed.is_empty() {
        Ok(Published::Done { objects: count })
    } else {
        Ok(Published::Kept {
            reason: format!("{} of {count} object(s) refused: {}", failed.len(), failed.join("; ")),
        })
    }
}

/// Whether the collection holds object `id` (at `version`, when given).
fn holds(client: &Client, objects: &str, id: &str, version: Option<&str>) -> Result<bool, TaxiiError> {
    let mut url = format!("{objects}{id}/");
    if let Some(v) = version {
        url.push_str(&format!("?match%5Bversion%5D={}", v.replace(':', "%3A")));
    }
    match client.get(&url) {
        Ok(r) => Ok(serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|e| e.get("objects").and_then(|o| o.as_array()).map(|o| !o.is_empty()))
            .unwrap_or(false)),
        Err(TaxiiError::Http { status: 404, .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The files of `dir` to publish, in name order: `*.json`, regular, not hidden.
pub fn pending(dir: &Path) -> Result<Vec<PathBuf>, TaxiiError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| TaxiiError::Io {
            path: dir.display().to_string(),
            what: format!("cannot read: {e}"),
        })?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !name.starts_with('.') && name.ends_with(".json")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Publish every pending file of `dir`: a published file is removed (and its `.reason`, if an
/// earlier run left one); a kept one gets a `.reason` beside it. Stops at the first error that
/// is not about one file (the server or the network), so the caller can back off.
pub fn publish_dir(client: &Client, collection: &str, dir: &Path) -> Result<Vec<(PathBuf, Published)>, TaxiiError> {
    let mut out = Vec::new();
    for file in pending(dir)? {
        let reason_file = PathBuf::from(format!("{}.reason", file.display()));
        let outcome = match publish_file(client, collection, &file) {
            Ok(o) => o,
            Err(e @ TaxiiError::Malformed { .. }) => Published::Kept { reason: e.to_string() },
            Err(e) => return Err(e),
        };
        let io = |what: String| TaxiiError::Io {
            path: file.display().to_string(),
            what,
        };
        match &outcome {
            Published::Done { .. } => {
                std::fs::remove_file(&file).map_err(|e| io(format!("published, but cannot remove: {e}")))?;
                let _ = std::fs::remove_file(&reason_file);
                std::fs::File::open(dir)
                    .and_then(|d| d.sync_all())
                    .map_err(|e| io(format!("cannot sync the directory: {e}")))?;
            }
            Published::Kept { reason } => {
                std::fs::write(&reason_file, format!("{reason}\n"))
                    .map_err(|e| io(format!("cannot write its reason: {e}")))?;
            }
        }
        out.push((file, outcome));
    }
    Ok(out)
}
