//! The web origin of a URL, as browsers compare them (CORS, the Content-Security-Policy).

/// The web origin (`scheme://host[:port]`) of an http(s) `url`, as a browser writes
/// it: lower case, no user, no path, no default port.
pub fn origin(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = uri.authority()?;
    let host = authority.host().to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some(match authority.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_of_a_path_style_endpoint_keeps_its_port() {
        assert_eq!(
            origin("http://127.0.0.1:7480/postbox/").as_deref(),
            Some("http://127.0.0.1:7480")
        );
        assert_eq!(
            origin("http://[::1]:9000/b/").as_deref(),
            Some("http://[::1]:9000")
        );
    }

    #[test]
    fn the_origin_of_a_virtual_hosted_aws_url_is_its_host() {
        assert_eq!(
            origin("https://photos.s3.eu-west-1.amazonaws.com/").as_deref(),
            Some("https://photos.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            origin("https://s3.eu-west-1.amazonaws.com/my.photos/").as_deref(),
            Some("https://s3.eu-west-1.amazonaws.com")
        );
    }

    #[test]
    fn the_origin_drops_paths_users_default_ports_and_case() {
        assert_eq!(
            origin("HTTPS://User:pw@S3.Example.COM:443/a/b/c?x=1#y").as_deref(),
            Some("https://s3.example.com")
        );
        assert_eq!(
            origin("http://minio.local:80").as_deref(),
            Some("http://minio.local")
        );
        assert_eq!(
            origin("https://minio.local:80/b/").as_deref(),
            Some("https://minio.local:80")
        );
    }

    #[test]
    fn a_url_without_an_http_origin_has_none() {
        for url in [
            "",
            "/bucket/",
            "127.0.0.1:7480/b/",
            "ftp://host/b/",
            "not a url",
        ] {
            assert_eq!(origin(url), None, "{url}");
        }
    }
}
