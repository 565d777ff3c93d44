//! `${filename}` in a POST's `key`, as S3 does it.
//!
//! S3 replaces `${filename}` in the `key` field with the name of the uploaded file; the
//! plain HTML form (JavaScript off) relies on that. s3s 0.14 keeps the text as it is, so
//! the local bucket rewrites the key field before s3s reads the form. Only the form's
//! head (the small fields before `file`) is buffered; the file streams through untouched.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::domain::{to_i64, to_u64};

/// The fields before `file` are a few kilobytes; past this the form is left alone and
/// s3s decides what it makes of it.
const MAX_HEAD_BYTES: usize = 256 * 1024;

const PLACEHOLDER: &[u8] = b"${filename}";

/// A body whose first bytes were read ahead (and maybe rewritten), then the rest.
pub struct Prepended<B> {
    head: Option<Bytes>,
    rest: B,
}

impl<B> Body for Prepended<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.rest.size_hint();
        let head = self.head.as_ref().map_or(0, |h| to_u64(h.len()));
        hint.set_lower(hint.lower() + head);
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper + head);
        }
        hint
    }
}

/// Reads the head of a multipart POST with `boundary`, substitutes `${filename}` in its
/// `key` field, and returns the body to pass on with the change in length (bytes added,
/// may be negative).
pub async fn substitute<B>(mut body: B, boundary: &str) -> Result<(Prepended<B>, i64), B::Error>
where
    B: Body<Data = Bytes> + Unpin,
{
    let mut head = BytesMut::new();
    let file_marker = b"name=\"file\"";
    while head.len() < MAX_HEAD_BYTES && find(&head, file_marker).is_none() {
        match body.frame().await {
            Some(frame) => {
                if let Ok(data) = frame?.into_data() {
                    head.extend_from_slice(&data);
                }
            }
            None => break,
        }
    }
    let (head, delta) = match rewrite_head(&head, boundary) {
        Some(rewritten) => {
            let delta = to_i64(rewritten.len()) - to_i64(head.len());
            (Bytes::from(rewritten), delta)
        }
        None => (head.freeze(), 0),
    };
    Ok((
        Prepended {
            head: Some(head),
            rest: body,
        },
        delta,
    ))
}

/// The head with `${filename}` in the key field replaced, or `None` when there is
/// nothing to replace (no key field, no placeholder, no file part in view).
fn rewrite_head(head: &[u8], boundary: &str) -> Option<Vec<u8>> {
    let delimiter = format!("--{boundary}");
    let mut key_value: Option<(usize, usize)> = None;
    let mut at = find(head, delimiter.as_bytes())?;
    let filename = loop {
        let part_start = at + delimiter.len();
        let headers_end = part_start + find(&head[part_start..], b"\r\n\r\n")?;
        let headers = &head[part_start..headers_end];
        let name = disposition_param(headers, b"name")?;
        if name == b"file" {
            break disposition_param(headers, b"filename");
        }
        let value_start = headers_end + 4;
        let next = format!("\r\n{delimiter}");
        let value_end = value_start + find(&head[value_start..], next.as_bytes())?;
        if name == b"key" {
            key_value = Some((value_start, value_end));
        }
        at = value_end + 2;
    };
    let (start, end) = key_value?;
    let filename = base_name(filename?);
    let key = &head[start..end];
    let placeholder_at = find(key, PLACEHOLDER)?;
    let mut out = Vec::with_capacity(head.len() + filename.len());
    out.extend_from_slice(&head[..start + placeholder_at]);
    out.extend_from_slice(filename);
    out.extend_from_slice(&head[start + placeholder_at + PLACEHOLDER.len()..]);
    Some(out)
}

/// A `name="…"` parameter of the part's Content-Disposition header. The leading space
/// keeps `name=` from matching the tail of `filename=`.
fn disposition_param<'a>(headers: &'a [u8], param: &[u8]) -> Option<&'a [u8]> {
    let needle = [&b" "[..], param, &b"=\""[..]].concat();
    let value_start = find(headers, &needle)? + needle.len();
    let value_len = headers[value_start..].iter().position(|&b| b == b'"')?;
    Some(&headers[value_start..value_start + value_len])
}

/// Browsers send a base name, but some old ones sent a whole client path.
fn base_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'/' || b == b'\\') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(key: &str, filename: &str) -> Vec<u8> {
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"acl\"\r\n\r\nprivate\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn puts_the_file_name_in_place_of_the_placeholder() {
        let out = rewrite_head(&form("u/2026/x/${filename}", "report.pdf"), "XyZ").unwrap();
        assert_eq!(out, form("u/2026/x/report.pdf", "report.pdf"));
    }

    #[test]
    fn keeps_only_the_base_name_of_a_client_path() {
        let out = rewrite_head(&form("u/${filename}", "C:\\docs\\a.txt"), "XyZ").unwrap();
        assert_eq!(out, form("u/a.txt", "C:\\docs\\a.txt"));
    }

    #[test]
    fn leaves_forms_without_the_placeholder_alone() {
        assert_eq!(rewrite_head(&form("u/fixed.txt", "a.txt"), "XyZ"), None);
    }

    #[test]
    fn does_not_mistake_filename_for_name() {
        let headers = b"Content-Disposition: form-data; filename=\"k\"; name=\"file\"";
        assert_eq!(disposition_param(headers, b"name"), Some(&b"file"[..]));
    }

    #[tokio::test]
    async fn streams_the_rest_of_the_body_after_the_rewritten_head() {
        let body = http_body_util::Full::new(Bytes::from(form("u/${filename}", "a.txt")));
        let (body, delta) = substitute(body, "XyZ").await.unwrap();
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.as_ref(), form("u/a.txt", "a.txt").as_slice());
        assert_eq!(delta, "a.txt".len() as i64 - "${filename}".len() as i64);
    }
}
