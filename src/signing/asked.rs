//! A file someone asks to upload (its name, size and type, as a page or a program
//! describes it), checked against what they may upload, and the form or presigned PUT
//! signed for it.

use crate::accounts::User;
use crate::domain::{ByteSize, FileName};
use crate::policy::PostForm;

use super::{DEFAULT_CONTENT_TYPE, FormFile, FormSigner, PutRequest, SigningError, Uploader};

/// A file someone asks a form for.
#[derive(Debug, Clone, Copy)]
pub struct FileAsked<'a> {
    /// Its name (the key ends with it).
    pub name: &'a str,
    /// Its exact size in bytes.
    pub size: u64,
    /// Its content type, if given.
    pub content_type: Option<&'a str>,
}

impl Uploader {
    /// The name and content type of the file `asked` describes, if this uploader may
    /// send it: a usable name, a size that is not empty and within the limit, a valid
    /// content type (`application/octet-stream` when none is given).
    pub fn check<'a>(&self, asked: &FileAsked<'a>) -> Result<(FileName, &'a str), SigningError> {
        let name = FileName::parse(asked.name)?;
        let size = ByteSize::from_bytes(asked.size);
        if size > self.max_size {
            return Err(SigningError::TooLarge {
                name,
                size,
                limit: self.max_size,
            });
        }
        if asked.size == 0 {
            return Err(SigningError::Empty(name));
        }
        let content_type = match asked.content_type.map(str::trim) {
            None | Some("") => DEFAULT_CONTENT_TYPE,
            Some(given) if is_content_type(given) => given,
            Some(given) => {
                return Err(SigningError::BadContentType(
                    given.chars().take(80).collect(),
                ));
            }
        };
        Ok((name, content_type))
    }
}

impl FormSigner {
    /// A form for the file `asked` describes, signed for `user`, and the largest file
    /// they may upload now. Read-free first: the account is in memory and, with a
    /// quota, the reservation says what is left. A refusal that may be out of date is
    /// asked again the page's way (expired forms settled, an old account counted).
    pub async fn sign_asked(
        &self,
        user: &User,
        asked: &FileAsked<'_>,
    ) -> Result<(PostForm, u64), SigningError> {
        let unread = Uploader::unread(user);
        match self.sign_one(&unread, asked).await {
            Err(error) if unread.unsure() && error.may_be_out_of_date() => {}
            signed => return signed,
        }
        self.sign_one(&self.uploader(user).await?, asked).await
    }

    /// A form for `asked` signed for `uploader`, and the largest file they may upload
    /// now.
    async fn sign_one(
        &self,
        uploader: &Uploader,
        asked: &FileAsked<'_>,
    ) -> Result<(PostForm, u64), SigningError> {
        let (name, content_type) = uploader.check(asked)?;
        let file = FormFile::Named {
            name: &name,
            content_type,
            size: Some(asked.size),
        };
        let (form, left) = self.sign_counted(uploader, file).await?;
        let max = uploader.max_size.bytes();
        Ok((form, left.map_or(max, |left| left.min(max))))
    }

    /// A form for the one file `name` whose size the page cannot know (the plain form
    /// without JavaScript), signed for `user`, and the uploader it was signed for. Its
    /// type is what the account's allowed types start with, or any.
    pub async fn sign_named(
        &self,
        user: &User,
        name: &FileName,
    ) -> Result<(Uploader, PostForm), SigningError> {
        let uploader = self.uploader(user).await?;
        let content_type = match uploader.content_type_prefix.as_str() {
            "" => DEFAULT_CONTENT_TYPE,
            prefix => prefix,
        };
        let file = FormFile::Named {
            name,
            content_type,
            size: None,
        };
        let form = self.sign(&uploader, file).await?;
        Ok((uploader, form))
    }

    /// A presigned PUT for the file `asked` describes, for `user`.
    pub async fn sign_put_asked(
        &self,
        user: &User,
        asked: &FileAsked<'_>,
    ) -> Result<PutRequest, SigningError> {
        let uploader = self.uploader(user).await?;
        let (name, content_type) = uploader.check(asked)?;
        self.sign_put(&uploader, &name, content_type, asked.size)
            .await
    }
}

/// `report.pdf is 14.2 MB; the limit is 10 MB.`; in bytes when both sizes read alike
/// ("1 MB; the limit is 1 MB" would say nothing).
pub(super) fn too_large(name: &FileName, size: ByteSize, limit: ByteSize) -> String {
    let (shown, limit_shown) = (size.to_string(), limit.to_string());
    if shown != limit_shown {
        return format!("{name} is {shown}; the limit is {limit_shown}.");
    }
    let exact = |n: u64| {
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{grouped} bytes")
    };
    format!(
        "{name} is {}; the limit is {}.",
        exact(size.bytes()),
        exact(limit.bytes())
    )
}

/// `type/subtype` with optional parameters, printable ASCII only, of a sane length.
fn is_content_type(text: &str) -> bool {
    text.len() <= 255
        && text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && text
            .split(';')
            .next()
            .and_then(|essence| essence.split_once('/'))
            .is_some_and(|(kind, sub)| !kind.trim().is_empty() && !sub.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_how_much_too_large_even_when_sizes_round_alike() {
        let name = FileName::parse("edge.bin").unwrap();
        let mb = ByteSize::from_bytes(1_000_000);
        assert_eq!(
            too_large(&name, ByteSize::from_bytes(14_200_000), mb),
            "edge.bin is 14.2 MB; the limit is 1 MB."
        );
        assert_eq!(
            too_large(&name, ByteSize::from_bytes(1_000_001), mb),
            "edge.bin is 1,000,001 bytes; the limit is 1,000,000 bytes."
        );
    }

    #[test]
    fn recognises_content_types() {
        assert!(is_content_type("image/png"));
        assert!(is_content_type("text/plain; charset=utf-8"));
        for bad in ["png", "/x", "image/", "a/b\r\nX-Evil: 1", &"a/".repeat(200)] {
            assert!(!is_content_type(bad), "{bad:?}");
        }
    }
}
