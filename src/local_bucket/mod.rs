//! The embedded local bucket: an S3 implementation (s3s with its file-system backend)
//! started in-process when no bucket is configured, so postbox works with no AWS
//! account. It checks POST signatures, expiry, conditions and extra fields as S3 does,
//! and refuses keys that would not stay literal on a filesystem (`literal_keys.rs`).

mod filename;
mod literal_keys;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::{S3Service, S3ServiceBuilder};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::domain::{ALPHANUMERIC, UPPERCASE_ALPHANUMERIC, random_text};
use crate::policy::Credentials;

/// The region the local bucket answers for.
pub const REGION: &str = "us-east-1";

/// A running local bucket; dropping it stops the server.
pub struct LocalBucket {
    endpoint: String,
    bucket: String,
    credentials: Credentials,
    _stop: watch::Sender<()>,
}

impl LocalBucket {
    /// Serves `bucket` from files under `root` on `listen`, with credentials made for
    /// this run. `public_endpoint` is the URL browsers reach it at (default: the bound
    /// address).
    pub async fn start(
        root: &Path,
        listen: SocketAddr,
        bucket: &str,
        public_endpoint: Option<&str>,
    ) -> anyhow::Result<Self> {
        let bucket_dir = root.join(bucket);
        tokio::fs::create_dir_all(&bucket_dir)
            .await
            .with_context(|| {
                format!(
                    "cannot create the local bucket folder {}",
                    bucket_dir.display()
                )
            })?;
        let credentials = Credentials {
            access_key_id: format!("LOCAL{}", random_text(UPPERCASE_ALPHANUMERIC, 15)),
            secret_access_key: SecretString::from(random_text(ALPHANUMERIC, 40)),
            session_token: None,
        };
        let service = {
            let fs = s3s_fs::FileSystem::new(root).map_err(|e| {
                anyhow::anyhow!(
                    "cannot open the local bucket folder {}: {e:?}",
                    root.display()
                )
            })?;
            let mut builder = S3ServiceBuilder::new(literal_keys::LiteralKeys::new(fs, bucket));
            builder.set_auth(SimpleAuth::from_single(
                credentials.access_key_id.clone(),
                credentials.secret_access_key.expose_secret(),
            ));
            builder.build()
        };
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen} for the local bucket"))?;
        let address = listener.local_addr()?;
        let endpoint = public_endpoint
            .map(|e| e.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{address}"));
        let (stop, stopped) = watch::channel(());
        tokio::spawn(serve(listener, service, stopped));
        tracing::info!(%endpoint, bucket, folder = %root.display(), "local bucket started");
        Ok(Self {
            endpoint,
            bucket: bucket.to_owned(),
            credentials,
            _stop: stop,
        })
    }

    /// The URL browsers and clients use.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The credentials made for this run.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

async fn serve(listener: TcpListener, service: S3Service, mut stopped: watch::Receiver<()>) {
    let connections = ConnBuilder::new(TokioExecutor::new());
    loop {
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => socket,
                Err(error) => {
                    tracing::warn!(%error, "local bucket: cannot accept a connection");
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        let service = service.clone();
        let handler = hyper::service::service_fn(move |request| handle(service.clone(), request));
        let connection = connections
            .serve_connection(TokioIo::new(socket), handler)
            .into_owned();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "local bucket: connection ended with an error");
            }
        });
    }
}

async fn handle(
    service: S3Service,
    request: Request<Incoming>,
) -> Result<Response<s3s::Body>, Infallible> {
    if request.method() == Method::OPTIONS {
        return Ok(with_cors(preflight(&request)));
    }
    let request = match substitute_filename(request).await {
        Ok(request) => request,
        Err(response) => return Ok(with_cors(response)),
    };
    let response = match service.call(request).await {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(?error, "local bucket: request failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    };
    Ok(with_cors(response))
}

/// Passes a request on to s3s, rewriting `${filename}` in a multipart POST's key.
async fn substitute_filename(
    request: Request<Incoming>,
) -> Result<Request<s3s::Body>, Response<s3s::Body>> {
    let boundary = (request.method() == Method::POST)
        .then(|| multipart_boundary(request.headers()))
        .flatten();
    let Some(boundary) = boundary else {
        return Ok(request.map(s3s::Body::from));
    };
    let (mut parts, body) = request.into_parts();
    let (body, delta) = filename::substitute(body, &boundary).await.map_err(|_| {
        plain(
            StatusCode::BAD_REQUEST,
            "the request body could not be read",
        )
    })?;
    if delta != 0 {
        let length = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
        if let Some(length) = length {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(length + delta));
        }
    }
    Ok(Request::from_parts(parts, s3s::Body::http_body(body)))
}

fn multipart_boundary(headers: &http::HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Answers a CORS preflight. Real buckets take CORS rules; s3s has none, so the local
/// bucket admits every origin. That is safe here: no request carries ambient
/// credentials, each write needs its own signature.
fn preflight(request: &Request<Incoming>) -> Response<s3s::Body> {
    let mut response = plain(StatusCode::OK, "");
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, PUT, POST, DELETE"),
    );
    if let Some(asked) = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

fn with_cors(mut response: Response<s3s::Body>) -> Response<s3s::Body> {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag, Location"),
    );
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<s3s::Body> {
    let mut response = Response::new(s3s::Body::from(text.to_owned()));
    *response.status_mut() = status;
    response
}
