//! How a CRUD chain finds the resource it created: a field of the create response (by a
//! link, by the item path's parameter name, `id`, or one level down such as Kubernetes's
//! `metadata.name`), else the documented `Location` header of the create response.

use crosscheck_contract::{Operation, StatusKey};
use serde_json::Value;

use super::link_values::pointer_to_path;
use crate::context::Ctx;

/// Where the chain takes the new resource's key from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Key {
    /// A field of the create response's JSON body.
    Body {
        /// The JSONPath, e.g. `$.id` or `$.metadata.name`.
        path: String,
        /// The object the field sits in, for one level down (`metadata`): the create
        /// request names the resource there too.
        parent: Option<String>,
        /// Why this field, for the scenario's notes.
        why: String,
    },
    /// The `Location` header of the create response: the new resource's URL.
    Location,
}

/// The JSON schema of `op`'s first documented 2xx response.
pub(crate) fn success_schema(op: &Operation) -> Option<&Value> {
    op.responses
        .iter()
        .filter(|r| matches!(r.status, StatusKey::Code(200..=299)))
        .find_map(|r| {
            r.media
                .iter()
                .find(|(m, _)| m.contains("json"))
                .and_then(|(_, s)| s.as_ref())
        })
}

/// The top-level properties a schema names (following `$ref`s), with the properties of
/// each of them one level down.
fn properties(ctx: &Ctx<'_>, schema: &Value) -> Vec<(String, Vec<String>)> {
    let standalone = ctx.input.sut.standalone_schema(schema);
    let flat = crate::data::flat(&standalone, &standalone);
    let Some(props) = flat.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(k, sub)| {
            let inner = crate::data::flat(sub, &standalone)
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            (k.clone(), inner)
        })
        .collect()
}

/// Whether a 2xx response of `op` documents a `Location` header.
fn documents_location(op: &Operation) -> bool {
    op.responses.iter().any(|r| {
        matches!(r.status, StatusKey::Code(200..=299))
            && r.headers.iter().any(|h| h.eq_ignore_ascii_case("location"))
    })
}

/// Where the resource that `create` makes is found for `read`, whose item path takes
/// `param`; `Err` says why none was found.
pub(crate) fn key(
    ctx: &Ctx<'_>,
    create: &Operation,
    read: &Operation,
    param: &str,
) -> Result<Key, String> {
    let from_link = create
        .responses
        .iter()
        .flat_map(|r| &r.links)
        .filter(|l| l.operation_id.is_some() && l.operation_id == read.id)
        .find_map(|l| {
            l.parameters.iter().find_map(|(name, v)| {
                let name = name.strip_prefix("path.").unwrap_or(name);
                (name == param).then_some(v.as_str()?.strip_prefix("$response.body#")?.to_owned())
            })
        });
    if let Some(p) = from_link {
        return Ok(Key::Body {
            path: pointer_to_path(&p),
            parent: None,
            why: format!("as the contract's link to {} says", read.label()),
        });
    }
    let props = success_schema(create)
        .map(|s| properties(ctx, s))
        .unwrap_or_default();
    if let Some(p) = [param, "id"]
        .into_iter()
        .find(|p| props.iter().any(|(x, _)| x == p))
    {
        return Ok(Key::Body {
            path: format!("$.{p}"),
            parent: None,
            why: "the create response's field of that name".to_owned(),
        });
    }
    // One level down, `metadata` first (Kubernetes: `metadata.name`).
    let mut nested: Vec<&(String, Vec<String>)> = props
        .iter()
        .filter(|(_, inner)| inner.iter().any(|x| x == param))
        .collect();
    nested.sort_by_key(|(k, _)| k != "metadata");
    if let Some((outer, _)) = nested.first() {
        // Does the create request name the resource at the same place (Kubernetes's
        // `metadata.name`), or does the service choose it (`{"app": {"id": …}}`)?
        let request_names = create
            .request_body
            .as_ref()
            .and_then(super::request::body_media)
            .and_then(|(_, s)| s.as_ref())
            .is_some_and(|s| {
                properties(ctx, s)
                    .iter()
                    .any(|(k, inner)| k == outer && inner.iter().any(|x| x == param))
            });
        return Ok(Key::Body {
            path: format!("$.{outer}.{param}"),
            parent: request_names.then(|| outer.clone()),
            why: if request_names {
                format!(
                    "the create response's `{outer}.{param}`; the create request names it there too"
                )
            } else {
                format!("the create response's `{outer}.{param}`")
            },
        });
    }
    if documents_location(create) {
        return Ok(Key::Location);
    }
    Err(format!(
        "the success response of {} names no `{param}` (or `id`) field, no link says where the new resource's `{param}` is, and no `Location` header is documented",
        create.label()
    ))
}

/// `template` (an item path) with `{param}` as `${captured.param}` and every other path
/// parameter as the create request sent it (same place in the path), else as `own`
/// (the request built for this operation) sent it.
pub(crate) fn fill(
    template: &str,
    param: &str,
    create_template: &str,
    create_sent: &str,
    own: &str,
) -> String {
    let want = format!("{{{param}}}");
    let create_t: Vec<&str> = create_template.split('/').collect();
    let create_s: Vec<&str> = create_sent.split('/').collect();
    let own_s: Vec<&str> = own.split('/').collect();
    template
        .split('/')
        .enumerate()
        .map(|(i, seg)| {
            if seg == want {
                format!("${{captured.{param}}}")
            } else if seg.starts_with('{') {
                match (create_t.get(i), create_s.get(i)) {
                    (Some(t), Some(s)) if *t == seg => (*s).to_owned(),
                    _ => own_s.get(i).copied().unwrap_or(seg).to_owned(),
                }
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_paths_keep_the_parent_the_create_used() {
        assert_eq!(
            fill(
                "/api/v1/namespaces/{namespace}/configmaps/{name}",
                "name",
                "/api/v1/namespaces/{namespace}/configmaps",
                "/api/v1/namespaces/team-a/configmaps",
                "/api/v1/namespaces/other/configmaps/x",
            ),
            "/api/v1/namespaces/team-a/configmaps/${captured.name}"
        );
        assert_eq!(
            fill("/things/{id}", "id", "/things", "/things", "/things/1"),
            "/things/${captured.id}"
        );
    }
}
