//! Which server addresses the app will talk to: HTTPS anywhere, plain HTTP
//! only to this computer.

use url::{Host, Url};

use crate::ApiError;

/// Parses what a user typed (`crm.example.com`, `https://…`,
/// `http://127.0.0.1:8080`) into the server's base URL.
pub fn parse_server_address(input: &str) -> Result<Url, ApiError> {
    let input = input.trim().trim_end_matches('/');
    if input.is_empty() {
        return Err(ApiError::InvalidAddress);
    }
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else {
        format!("https://{input}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| ApiError::InvalidAddress)?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(ApiError::InsecureTransport),
        _ => return Err(ApiError::InvalidAddress),
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::InvalidAddress);
    }
    Ok(url)
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `scheme://host:port`, the key of the server's keyring entries.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert_eq!(
            parse_server_address("crm.example.com").unwrap().as_str(),
            "https://crm.example.com/"
        );
        assert!(parse_server_address("http://127.0.0.1:8080").is_ok());
        assert!(parse_server_address("http://localhost:8080/").is_ok());
        assert!(parse_server_address("http://[::1]:9").is_ok());
        assert_eq!(
            parse_server_address("http://crm.example.com"),
            Err(ApiError::InsecureTransport)
        );
        assert_eq!(
            parse_server_address("http://192.168.1.5"),
            Err(ApiError::InsecureTransport)
        );
        assert_eq!(parse_server_address(""), Err(ApiError::InvalidAddress));
        assert_eq!(
            parse_server_address("ftp://x"),
            Err(ApiError::InvalidAddress)
        );
        assert_eq!(
            parse_server_address("https://u:p@x.com"),
            Err(ApiError::InvalidAddress)
        );
        assert_eq!(
            origin(&parse_server_address("https://x.com/a/b").unwrap()),
            "https://x.com"
        );
    }
}
