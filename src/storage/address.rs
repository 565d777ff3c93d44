//! Where browsers post forms for a bucket.

/// The form action: path style for custom endpoints or when asked, else the regional
/// virtual-hosted name (the global endpoint answers with redirects browsers refuse).
pub fn form_url(bucket: &str, region: &str, endpoint: Option<&str>, path_style: bool) -> String {
    match endpoint {
        Some(endpoint) => format!("{}/{bucket}/", endpoint.trim_end_matches('/')),
        // Dotted names do not match the bucket's TLS certificate as a subdomain.
        None if path_style || bucket.contains('.') => {
            format!("https://s3.{region}.amazonaws.com/{bucket}/")
        }
        None => format!("https://{bucket}.s3.{region}.amazonaws.com/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_to_the_regional_virtual_host_on_aws() {
        assert_eq!(
            form_url("photos", "eu-west-1", None, false),
            "https://photos.s3.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            form_url("photos", "eu-west-1", None, true),
            "https://s3.eu-west-1.amazonaws.com/photos/"
        );
        assert_eq!(
            form_url("my.photos", "eu-west-1", None, false),
            "https://s3.eu-west-1.amazonaws.com/my.photos/"
        );
    }

    #[test]
    fn posts_path_style_to_custom_endpoints() {
        assert_eq!(
            form_url("b", "us-east-1", Some("http://127.0.0.1:7480/"), false),
            "http://127.0.0.1:7480/b/"
        );
    }
}
