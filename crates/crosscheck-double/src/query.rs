//! Query strings: split into percent-decoded pairs.

/// Splits `a=1&b=x%20y` into decoded pairs, in order. `+` means a space, as in forms.
/// A key without `=` gets an empty value; empty segments are skipped.
pub(crate) fn parse(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decodes `s`, turning `+` into a space. Malformed escapes are kept as written;
/// bytes that are not UTF-8 become U+FFFD.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    std::str::from_utf8(h)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                });
                if let Some(b) = hex {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs() {
        assert_eq!(
            parse("a=1&b=x%20y&c=p+q&flag&&d=%E2%9C%93"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y".to_owned()),
                ("c".to_owned(), "p q".to_owned()),
                ("flag".to_owned(), String::new()),
                ("d".to_owned(), "✓".to_owned()),
            ]
        );
    }

    #[test]
    fn keeps_malformed_escapes() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%ff"), "\u{fffd}");
        // A multi-byte character right after `%` must not panic on slicing.
        assert_eq!(decode("%é"), "%é");
    }
}
