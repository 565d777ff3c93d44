//! `GET /upload`: the upload page. Without a quota it carries a signed form that works
//! without JavaScript. With a quota a page view reserves nothing: the script signs a
//! form per file (`/api/presign`), and without JavaScript the form leads to
//! `GET /upload/one?file=NAME`, a one-file form signed (and reserved) for that name.
//! With `POSTBOX_UPLOAD_METHOD=put` the page signs nothing and its script asks
//! `/api/presign-put` for each file (JavaScript needed).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::config::UploadMethod;
use crate::domain::FileName;
use crate::policy::PostForm;
use crate::signing::{FormFile, FormSigner, Uploader};
use crate::web::render::render;
use crate::web::{AppError, Layout, Page, PageContext, SignedIn};

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage<'a> {
    layout: Layout,
    /// Where the form goes: the bucket, or `/upload/one` (GET) for a quota account.
    action: &'a str,
    /// The signed form's fields; none when the form is not signed.
    fields: Vec<Field<'a>>,
    /// The form is a signed form posting to the bucket.
    signed: bool,
    /// The one file the form was signed for (`/upload/one`): the script leaves it alone.
    one_file: Option<String>,
    max_size: u64,
    max_size_display: String,
    prefix: &'a str,
    expires_at: String,
    /// When only some types are allowed, the plain form asks for the file's type,
    /// starting with this.
    type_prefix: Option<&'a str>,
    /// `1 KB left of your 5 KB quota`, when there is a quota.
    quota_left: Option<String>,
    /// Files go up with presigned PUT (`POSTBOX_UPLOAD_METHOD=put`): the script is
    /// needed, and there is no form for the page itself.
    put: bool,
}

/// One hidden field of the signed form.
struct Field<'a> {
    name: &'a str,
    value: &'a str,
    /// The value is base64 or hex made by the signer (the policy, the signature): the
    /// page writes it as it is, without scanning a kilobyte for characters to escape.
    plain: bool,
}

impl<'a> UploadPage<'a> {
    fn new(layout: Layout, uploader: &'a Uploader, form: Option<&'a PostForm>) -> Self {
        let type_prefix = Some(uploader.content_type_prefix.as_str()).filter(|p| !p.is_empty());
        let fields = form
            .into_iter()
            .flat_map(PostForm::fields)
            .filter(|(name, _)| type_prefix.is_none() || *name != "Content-Type")
            .map(|(name, value)| Field {
                name,
                value,
                plain: matches!(name, "policy" | "x-amz-signature"),
            })
            .collect();
        Self {
            layout,
            action: form.map_or("/upload/one", PostForm::url),
            fields,
            signed: form.is_some(),
            one_file: None,
            max_size: uploader.max_size.bytes(),
            max_size_display: uploader.max_size.to_string(),
            prefix: uploader.prefix.as_str(),
            expires_at: form
                .and_then(|f| f.expires_at().format(&Rfc3339).ok())
                .unwrap_or_default(),
            type_prefix,
            quota_left: uploader
                .left
                .zip(uploader.quota)
                .map(|(left, quota)| format!("{left} left of your {quota} quota")),
            put: false,
        }
    }
}

/// `GET /upload`.
pub async fn page(
    user: SignedIn,
    page: PageContext,
    forms: web::Data<FormSigner>,
    method: web::Data<UploadMethod>,
) -> Result<HttpResponse, AppError> {
    let uploader = forms.uploader(&user).await?;
    let layout = page.signed_in(&user, Page::Upload);
    if **method == UploadMethod::Put {
        // Each file gets its own PUT URL from the script; the page signs nothing.
        let mut view = UploadPage::new(layout, &uploader, None);
        view.put = true;
        view.action = "/upload";
        return render(&view);
    }
    if uploader.quota.is_some() {
        return render(&UploadPage::new(layout, &uploader, None));
    }
    let form = forms.sign(&uploader, FormFile::Any).await?;
    render(&UploadPage::new(layout, &uploader, Some(&form)))
}

/// The file the plain form chose: a GET form sends a file input's name only.
#[derive(Debug, Deserialize)]
pub struct OneFile {
    #[serde(default)]
    file: String,
}

/// `GET /upload/one?file=NAME`: a form signed for that one file.
pub async fn one(
    user: SignedIn,
    page: PageContext,
    forms: web::Data<FormSigner>,
    method: web::Data<UploadMethod>,
    query: web::Query<OneFile>,
) -> Result<HttpResponse, AppError> {
    if **method == UploadMethod::Put {
        return Err(AppError::BadRequest(
            "This postbox uploads with PUT requests, which need JavaScript: turn it on and \
             upload from the upload page."
                .to_owned(),
        ));
    }
    // Some browsers send a whole client path; the name is its last part.
    let given = query.file.rsplit(['/', '\\']).next().unwrap_or_default();
    let name = FileName::parse(given)
        .map_err(|e| AppError::BadRequest(format!("Choose a file first. {e}")))?;
    let (uploader, form) = forms.sign_named(&user, &name).await?;
    let mut view = UploadPage::new(page.signed_in(&user, Page::Upload), &uploader, Some(&form));
    view.one_file = Some(name.to_string());
    render(&view)
}
