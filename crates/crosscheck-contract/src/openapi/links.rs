//! Links by `operationRef`: each must name an operation of this contract, else a warning
//! at the link (the generator then leaves the link out).

use std::collections::HashSet;

use crate::model::Operation;
use crate::operation_ref::operation_ref_target;
use crate::resolve::push;

use super::reader::Reader;

impl Reader<'_> {
    /// Warns about every `operationRef` that names no operation of `ops`.
    pub(super) fn check_operation_refs(&mut self, ops: &[Operation]) {
        let known: HashSet<(&str, &str)> = ops
            .iter()
            .map(|o| (o.method.as_str(), o.path.as_str()))
            .collect();
        let mut warned: HashSet<String> = HashSet::new();
        let mut warnings = Vec::new();
        for link in ops.iter().flat_map(|o| &o.responses).flat_map(|r| &r.links) {
            let Some(r) = &link.operation_ref else {
                continue;
            };
            if link.operation_id.is_some() || !warned.insert(link.pointer.clone()) {
                continue;
            }
            let problem = match operation_ref_target(r, self.file()) {
                Ok((m, p)) if known.contains(&(m.as_str(), p.as_str())) => continue,
                Ok((m, p)) => format!(
                    "`{r}` names no operation of this contract (no {m} {p}); the link is not followed"
                ),
                Err(e) => format!("{e}; the link is not followed"),
            };
            warnings.push((push(&link.pointer, "operationRef"), problem));
        }
        for (at, w) in warnings {
            self.warn(&at, w);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn operation_refs_that_name_nothing_are_warnings_at_the_link() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {
                "/users": {"post": {"responses": {"201": {
                    "description": "made",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "links": {
                        "ReadIt": {"operationRef": "#/paths/~1users~1%7Bid%7D/get",
                                   "parameters": {"id": "$response.body#/id"}},
                        "Gone": {"operationRef": "#/paths/~1people~1{id}/get"},
                        "Far": {"operationRef": "https://example.com/api.yaml#/paths/~1a/get"}
                    }
                }}}},
                "/users/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}
            }
        });
        let c = crate::openapi::read("api.yaml", "", &doc).unwrap();
        let r = &c.operations[0].responses[0];
        assert_eq!(r.headers, ["Location"]);
        assert_eq!(r.links.len(), 3);
        assert_eq!(
            r.links[0].pointer,
            "/paths/~1users/post/responses/201/links/ReadIt"
        );
        assert_eq!(
            c.warnings,
            [
                "#/paths/~1users/post/responses/201/links/Gone/operationRef: `#/paths/~1people~1{id}/get` names no operation of this contract (no GET /people/{id}); the link is not followed",
                "#/paths/~1users/post/responses/201/links/Far/operationRef: `https://example.com/api.yaml#/paths/~1a/get` points into another document (`https://example.com/api.yaml`); only operations of this contract are followed; the link is not followed",
            ]
        );
    }
}
