//! Reading the caller's bearer token from the `Authorization` header.

use hyper::HeaderMap;
use hyper::header::AUTHORIZATION;

/// The token of `Authorization: Bearer <token>`, or `None` when the request carries no usable
/// bearer credentials: no header, several headers, another scheme, an empty token, or a token
/// with whitespace or non-visible characters.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    let well_formed = scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_graphic());
    well_formed.then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn bearer_tokens_are_read() {
        for (value, token) in [
            ("Bearer abc", "abc"),
            ("bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
            ("BEARER  abc==", "abc=="),
            ("Bearer abc ", "abc"),
        ] {
            assert_eq!(bearer_token(&headers(&[value])), Some(token), "{value}");
        }
    }

    #[test]
    fn anything_else_is_no_credentials() {
        for value in [
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Token abc",
            "Bearerabc",
            "Bearer abc def",
            "Bearer\tabc",
        ] {
            assert_eq!(bearer_token(&headers(&[value])), None, "{value:?}");
        }
        assert_eq!(bearer_token(&HeaderMap::new()), None);
        assert_eq!(bearer_token(&headers(&["Bearer a", "Bearer b"])), None);
    }
}
