//! OpenAPI `operationRef`: a URI reference to an operation object, such as
//! `#/paths/~1users~1{id}/get` (a JSON pointer, its `{` `}` often percent-encoded as
//! `%7B` `%7D`). Only operations of the same contract can be followed.

/// The method (upper case) and path template an `operationRef` names, or why it cannot
/// be followed. `file` is the contract's own file, which a reference may name before its
/// `#` (`api.yaml#/paths/…`).
pub fn operation_ref_target(reference: &str, file: &str) -> Result<(String, String), String> {
    let (doc, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if !doc.is_empty() {
        let own = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let named = doc.rsplit(['/', '\\']).next().unwrap_or(doc);
        if doc.contains("://") || named != own {
            return Err(format!(
                "`{reference}` points into another document (`{doc}`); only operations of this contract are followed"
            ));
        }
    }
    let pointer = percent_decode(fragment);
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    match segments.as_slice() {
        [paths, template, method] if paths == "paths" && template.starts_with('/') => {
            Ok((method.to_ascii_uppercase(), template.clone()))
        }
        _ => Err(format!(
            "`{reference}` is not a pointer to an operation such as `#/paths/~1users~1{{id}}/get`"
        )),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_pointers_encoded_or_not() {
        assert_eq!(
            operation_ref_target("#/paths/~1users~1{id}/get", "api.yaml"),
            Ok(("GET".into(), "/users/{id}".into()))
        );
        assert_eq!(
            operation_ref_target("#/paths/~12.0~1repositories~1%7Busername%7D/get", "a.json"),
            Ok(("GET".into(), "/2.0/repositories/{username}".into()))
        );
        assert_eq!(
            operation_ref_target("specs/api.yaml#/paths/~1a/post", "/x/specs/api.yaml"),
            Ok(("POST".into(), "/a".into()))
        );
    }

    #[test]
    fn refuses_other_documents_and_non_operations() {
        let e = operation_ref_target(
            "https://na2.gigantic-server.com/#/paths/~12.0~1repositories~1%7Busername%7D/get",
            "api.yaml",
        )
        .unwrap_err();
        assert!(
            e.contains("points into another document (`https://na2.gigantic-server.com/`)"),
            "{e}"
        );
        assert!(operation_ref_target("other.yaml#/paths/~1a/get", "api.yaml").is_err());
        let e = operation_ref_target("#/components/schemas/User", "api.yaml").unwrap_err();
        assert!(e.contains("is not a pointer to an operation"), "{e}");
    }
}
