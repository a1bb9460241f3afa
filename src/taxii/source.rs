//! A TAXII 2.1 collection as the source of a channel's messages (sending side).
//!
//! A read starts at the cursor's `added_after` (the `X-TAXII-Date-Added-Last` of the last
//! complete read) and follows the server's `next` pages. Each page becomes one bundle in the
//! inbox, written atomically and durably under a name taken from its content
//! (`taxii-<sha-256 prefix>.json`); only then does the cursor record that page (how many pages of
//! this read are done, and the last one's digest), atomically and durably. When the server has
//! no more, the cursor moves `added_after` on and the count starts again.
//!
//! `next` tokens are the server's state, and servers consume them (medallion's does): after a
//! crash the same token would give the page *after* the lost one. So a restarted read begins
//! again at `added_after`, fetches the pages it had done (written nowhere), checks that the last
//! of them is the page it recorded (same digest), and writes from the first page it had not. A
//! crash therefore writes at most one page twice — the one written just before the crash, under
//! the same name and bytes, which the spool's duplicate check quarantines if the guard took it
//! already — and never skips one. If the server's pages changed meanwhile (the digest differs),
//! every page of the read is written again: repeats, never gaps.
//!
//! A page whose envelope is not TAXII goes into the inbox as it came (the guard quarantines it,
//! with its reason, like any bad message), the cursor stays, and the error is returned so the
//! caller backs off.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Client, TaxiiError, objects_url, write_durably, write_file_durably};

/// Pages fetched in one call of [`Source::pull`] at most (re-fetched ones included): a server
/// that never stops saying `more` is an error, not a loop.
pub const MAX_PAGES_PER_READ: u64 = 1_000_000;

/// Where a source reads and writes.
#[derive(Debug, Clone)]
pub struct Source {
    /// The collection's URL (`https://host/api-root/collections/ID/`).
    pub collection: String,
    /// The channel's inbox.
    pub inbox: PathBuf,
    /// The cursor's file (keep it beside the inbox, on the same filesystem).
    pub state: PathBuf,
    /// Objects asked for per page (the server may send fewer).
    pub page_limit: usize,
}

/// Where the next read starts, and how far the current one got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Objects added after this time (the last complete read's `X-TAXII-Date-Added-Last`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_after: Option<String>,
    /// Pages of the read from `added_after` already in the inbox.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pages_done: u64,
    /// The SHA-256 of the last of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_page: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A page written into the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub objects: usize,
    /// The inbox file written.
    pub written: Option<String>,
    /// The server had more after this page.
    pub more: bool,
}

/// The TAXII envelope (TAXII 2.1 §3.7): only what paging needs is read.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    more: Option<bool>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    objects: Option<Vec<serde_json::Value>>,
}

impl Cursor {
    /// The cursor in `path`; none yet is the start of the collection.
    pub fn load(path: &Path) -> Result<Cursor, TaxiiError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| TaxiiError::Io {
                path: path.display().to_string(),
                what: format!("the cursor file is not one this program wrote ({e}); move it away to start over"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Cursor::default()),
            Err(e) => Err(TaxiiError::Io {
                path: path.display().to_string(),
                what: format!("cannot read the cursor: {e}"),
            }),
        }
    }

    fn store(&self, path: &Path) -> Result<(), TaxiiError> {
        let bytes = serde_json::to_vec(self).map_err(|e| TaxiiError::Config(e.to_string()))?;
        write_file_durably(path, &bytes)
    }
}

/// `key=value` for a query string, percent-encoded.
fn param(key: &str, value: &str) -> String {
    let mut out = format!("{key}=");
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A bundle of `objects`, its bytes a function of them alone (so a page read twice is the same
/// message twice), with a UUIDv4-shaped id from their digest.
fn bundle(objects: Vec<serde_json::Value>) -> Result<(Vec<u8>, String), TaxiiError> {
    let listed = serde_json::to_vec(&objects).map_err(|e| TaxiiError::Config(e.to_string()))?;
    let digest = hex::encode(Sha256::digest(&listed));
    let h = |a: usize, b: usize| digest.get(a..b).unwrap_or("0");
    let id = format!(
        "bundle--{}-{}-4{}-a{}-{}",
        h(0, 8),
        h(8, 12),
        h(13, 16),
        h(17, 20),
        h(20, 32)
    );
    let value = serde_json::json!({"type": "bundle", "id": id, "objects": objects});
    let bytes = serde_json::to_vec(&value).map_err(|e| TaxiiError::Config(e.to_string()))?;
    Ok((bytes, format!("taxii-{}.json", h(0, 16))))
}

impl Source {
    /// One page: from `added_after` when `next` is `None`, else the server's next page.
    fn fetch(
        &self,
        client: &Client,
        added_after: Option<&str>,
        next: Option<&str>,
    ) -> Result<(Envelope, Option<String>), TaxiiError> {
        let mut url = format!(
            "{}?{}",
            objects_url(&self.collection)?,
            param("limit", &self.page_limit.to_string())
        );
        if let Some(a) = added_after {
            url.push('&');
            url.push_str(&param("added_after", a));
        }
        if let Some(n) = next {
            url.push('&');
            url.push_str(&param("next", n));
        }
        let response = client.get(&url)?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            // No content: an empty envelope.
            let empty = Envelope {
                more: Some(false),
                next: None,
                objects: None,
            };
            return Ok((empty, response.date_added_last));
        }
        match serde_json::from_slice(&response.body) {
            Ok(e) => Ok((e, response.date_added_last)),
            Err(e) => {
                let digest = hex::encode(Sha256::digest(&response.body));
                let name = format!("taxii-malformed-{}.json", digest.get(..16).unwrap_or_default());
                write_durably(&self.inbox, &name, &response.body)?;
                Err(TaxiiError::Malformed {
                    url,
                    expected: "envelope",
                    what: format!("{e} (kept as {name} for the guard to quarantine)"),
                    body: response.body,
                })
            }
        }
    }

    /// Read from the cursor until the server has no more (see the module doc): the pages that
    /// this call wrote, in order.
    pub fn pull(&self, client: &Client) -> Result<Vec<Page>, TaxiiError> {
        let mut cursor = Cursor::load(&self.state)?;
        let mut pages = Vec::new();
        let mut next: Option<String> = None;
        let mut index: u64 = 0;
        let mut last_date = None;
        let mut fetched: u64 = 0;
        loop {
            fetched = fetched.saturating_add(1);
            if fetched > MAX_PAGES_PER_READ {
                return Err(TaxiiError::Malformed {
                    url: self.collection.clone(),
                    expected: "paging that ends",
                    what: format!("more than {MAX_PAGES_PER_READ} pages in one read"),
                    body: Vec::new(),
                });
            }
            let (envelope, date_added_last) = self.fetch(client, cursor.added_after.as_deref(), next.as_deref())?;
            if date_added_last.is_some() {
                last_date = date_added_last;
            }
            index = index.saturating_add(1);
            let more = envelope.more.unwrap_or(false) && envelope.next.is_some();
            let objects = envelope.objects.unwrap_or_default();
            let count = objects.len();
            let (bytes, name) = bundle(objects)?;
            let digest = hex::encode(Sha256::digest(&bytes));
            if index <= cursor.pages_done {
                // Done before a crash: not written again, but the last must be the same page.
                if index == cursor.pages_done && cursor.last_page.as_deref() != Some(digest.as_str()) {
                    tracing::warn!(
                        target: "sekisho::taxii",
                        "the collection's pages changed since the interrupted read: writing them all again"
                    );
                    cursor.pages_done = 0;
                    index = 0;
                    next = None;
                    continue;
                }
            } else if count > 0 {
                write_durably(&self.inbox, &name, &bytes)?;
                pages.push(Page {
                    objects: count,
                    written: Some(name),
                    more,
                });
                cursor.pages_done = index;
                cursor.last_page = Some(digest);
                if more {
                    cursor.store(&self.state)?;
                }
            }
            if !more {
                // The read is complete: the next one starts after everything seen.
                let done = Cursor {
                    added_after: last_date.or(cursor.added_after),
                    pages_done: 0,
                    last_page: None,
                };
                if done != Cursor::load(&self.state)? {
                    done.store(&self.state)?;
                }
                return Ok(pages);
            }
            next = envelope.next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_the_same_bundle_under_the_same_name_whenever_it_is_read() {
        let objects = vec![serde_json::json!({"type": "indicator", "id": "indicator--x"})];
        let (a, name_a) = bundle(objects.clone()).unwrap();
        let (b, name_b) = bundle(objects).unwrap();
        assert_eq!((a, name_a.clone()), (b, name_b));
        assert!(name_a.starts_with("taxii-") && name_a.ends_with(".json"));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            param("added_after", "2024-01-01T00:00:00.000Z"),
            "added_after=2024-01-01T00%3A00%3A00.000Z"
        );
        assert_eq!(param("next", "a b&c"), "next=a%20b%26c");
    }

    #[test]
    fn a_corrupt_cursor_is_an_error_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("cursor.json");
        assert_eq!(Cursor::load(&p).unwrap(), Cursor::default());
        std::fs::write(&p, b"{\"next\": 1}").unwrap();
        let e = Cursor::load(&p).unwrap_err().to_string();
        assert!(e.contains("cursor.json") && e.contains("move it away"), "{e}");
    }
}
