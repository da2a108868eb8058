//! Path templates such as `/resources/{id}`, as OpenAPI and stubs write them.

/// Whether `path` (no query string) fits `template`. A `{name}` segment matches one
/// non-empty segment; anything else matches literally. A template without braces is
/// an exact path. A trailing slash is not ignored: `/a/` and `/a` differ.
pub fn matches(template: &str, path: &str) -> bool {
    captures(template, path).is_some()
}

/// The values of the template's `{name}` segments in `path`, in order, or `None` when
/// the path does not fit.
pub fn captures<'p>(template: &str, path: &'p str) -> Option<Vec<(String, &'p str)>> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut out = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(out),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    out.push((name.to_owned(), ps));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// How specific a template is, for choosing between several that fit: more literal
/// segments win (`/users/me` beats `/users/{id}`).
pub fn specificity(template: &str) -> usize {
    template
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert!(matches("/resources/{id}", "/resources/42"));
        assert!(matches("/resources/{id}", "/resources/42?x=1"));
        assert!(!matches("/resources/{id}", "/resources/"));
        assert!(!matches("/resources/{id}", "/resources/42/x"));
        assert!(matches("/validate", "/validate"));
        assert!(!matches("/validate", "/validate/"));
        assert_eq!(
            captures("/a/{x}/b/{y}", "/a/1/b/2").unwrap(),
            vec![("x".to_owned(), "1"), ("y".to_owned(), "2")]
        );
        assert!(specificity("/users/me") > specificity("/users/{id}"));
    }
}
