//! One page of a person's files, newest first. ListObjectsV2 lists keys in name
//! order, not by age, so each page reads every listing page of the prefix (1,000 keys a
//! call) and keeps only the files it shows: memory stays bounded by the page, and the
//! page also learns the exact totals.

use std::cmp::Ordering;
use std::fmt;

use super::{Files, FilesError};
use crate::accounts::User;
use crate::storage::StoredObject;

/// Files on one page.
pub const PAGE_SIZE: usize = 50;

/// Where a page starts: just after this file, in newest-first order. Written in page
/// addresses as `<unix seconds>:<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    modified: i64,
    key: String,
}

impl Cursor {
    /// Reads a cursor from a page address; it must name a key under `owner`'s prefix.
    pub fn parse(text: &str, owner: &User) -> Result<Self, FilesError> {
        let (seconds, key) = text
            .split_once(':')
            .ok_or(FilesError::BadCursor("it has no ':'"))?;
        let modified = seconds
            .parse()
            .map_err(|_| FilesError::BadCursor("it does not start with a time"))?;
        let key = super::owned_key(owner, key).map_err(|e| match e {
            FilesError::NotYours(_) => FilesError::BadCursor("it names a key outside your folder"),
            _ => FilesError::BadCursor("it names no usable key"),
        })?;
        Ok(Self {
            modified,
            key: key.as_str().to_owned(),
        })
    }

    /// A page address's `after`: none or empty for the first page, else a cursor.
    pub fn parse_after(text: Option<&str>, owner: &User) -> Result<Option<Self>, FilesError> {
        match text {
            None | Some("") => Ok(None),
            Some(text) => Self::parse(text, owner).map(Some),
        }
    }

    fn after(object: &StoredObject) -> Self {
        Self {
            modified: object.modified.unwrap_or(0),
            key: object.key.clone(),
        }
    }

    /// Whether `object` comes after this cursor (is older, or as old with a smaller
    /// key).
    fn admits(&self, object: &StoredObject) -> bool {
        let modified = object.modified.unwrap_or(0);
        (modified, object.key.as_str()) < (self.modified, self.key.as_str())
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.modified, self.key)
    }
}

/// One page of files.
#[derive(Debug, Clone)]
pub struct FilePage {
    /// At most [`PAGE_SIZE`] files, newest first.
    pub files: Vec<StoredObject>,
    /// Every file under the prefix.
    pub total_files: u64,
    /// Their bytes.
    pub total_bytes: u64,
    /// Where the next (older) page starts, if there is one.
    pub next: Option<Cursor>,
}

/// Newest first; the key breaks ties, so the order is total.
fn newest_first(a: &StoredObject, b: &StoredObject) -> Ordering {
    b.modified
        .unwrap_or(0)
        .cmp(&a.modified.unwrap_or(0))
        .then_with(|| b.key.cmp(&a.key))
}

/// What the listing gathers: the candidates for the page and the totals.
struct Gathered {
    keep: usize,
    candidates: Vec<StoredObject>,
    total_files: u64,
    total_bytes: u64,
}

impl Gathered {
    fn add(&mut self, object: StoredObject, after: Option<&Cursor>) {
        self.total_files += 1;
        self.total_bytes += object.size;
        if after.is_none_or(|cursor| cursor.admits(&object)) {
            self.candidates.push(object);
            if self.candidates.len() >= 4 * self.keep {
                self.trim();
            }
        }
    }

    fn trim(&mut self) {
        self.candidates.sort_by(newest_first);
        self.candidates.truncate(self.keep);
    }
}

impl Files {
    /// `owner`'s files after `after` (from the newest when `None`), [`PAGE_SIZE`] of
    /// them.
    pub async fn page(&self, owner: &User, after: Option<&Cursor>) -> Result<FilePage, FilesError> {
        let size = PAGE_SIZE;
        let start = Gathered {
            // One more than shown tells whether an older page follows.
            keep: size + 1,
            candidates: Vec::new(),
            total_files: 0,
            total_bytes: 0,
        };
        let mut gathered = self
            .storage
            .fold_objects(owner.prefix.as_str(), start, |gathered, object| {
                gathered.add(object, after)
            })
            .await?;
        gathered.trim();
        let mut files = gathered.candidates;
        let next = (files.len() > size).then(|| {
            files.truncate(size);
            Cursor::after(&files[size - 1])
        });
        Ok(FilePage {
            files,
            total_files: gathered.total_files,
            total_bytes: gathered.total_bytes,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(key: &str, modified: i64) -> StoredObject {
        StoredObject {
            key: key.to_owned(),
            size: 1,
            content_type: String::new(),
            modified: Some(modified),
        }
    }

    /// Pages cut from a bounded gathering are exactly the slices of the full sort.
    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let all: Vec<_> = (0..97)
            .map(|i| object(&format!("users/a/{:03}", (i * 37) % 97), 1000 + i / 3))
            .collect();
        let mut sorted = all.clone();
        sorted.sort_by(newest_first);
        let mut after: Option<Cursor> = None;
        let mut seen = Vec::new();
        loop {
            let mut gathered = Gathered {
                keep: 8,
                candidates: Vec::new(),
                total_files: 0,
                total_bytes: 0,
            };
            for o in &all {
                gathered.add(o.clone(), after.as_ref());
            }
            assert_eq!(gathered.total_files, 97);
            gathered.trim();
            let mut page = gathered.candidates;
            let more = page.len() > 7;
            page.truncate(7);
            seen.extend(page.iter().map(|o| o.key.clone()));
            if !more {
                break;
            }
            after = Some(Cursor::after(page.last().unwrap()));
        }
        let expected: Vec<_> = sorted.iter().map(|o| o.key.clone()).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let cursor = Cursor::after(&object("users/a/2026-11-29/x/a:b.txt", 1_764_000_000));
        assert_eq!(
            cursor.to_string(),
            "1764000000:users/a/2026-11-29/x/a:b.txt"
        );
    }
}
