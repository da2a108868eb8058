//! The translator: OpenAPI schema objects → JSON Schema 2020-12, definitions once.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::keywords::{exclusive_bounds, nullable, unique_required};
use crate::error::ContractError;
use crate::resolve::{Resolver, push, tokens};

/// The schema dialect of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// OpenAPI 3.0: an extended subset of JSON Schema draft 4 (wright-00).
    Oas30,
    /// OpenAPI 3.1: JSON Schema 2020-12.
    Oas31,
}

/// Deeper than any input the parsers accept (both stop at 128 levels), so it only
/// guards against documents built in code.
const MAX_DEPTH: usize = 256;

/// Annotations kept beside a 3.0 `$ref`, whose other siblings 3.0 ignores.
const REF_ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "externalDocs",
];

/// One translated definition: a schema some `$ref` points at.
#[derive(Debug)]
struct Def {
    name: String,
    /// When it was first met, for a stable order of [`Translator::definitions`].
    order: usize,
    schema: Value,
    /// Every definition this one refers to.
    refs: Vec<String>,
    /// Those referred to without descending into the instance (`$ref`, `allOf`, …).
    in_place: Vec<String>,
}

/// References found while walking one schema.
#[derive(Debug, Default)]
struct Found {
    refs: Vec<String>,
    in_place: Vec<String>,
}

/// Translates the schemas of one document, remembering definitions across calls so a
/// component used by a hundred operations is translated once.
#[derive(Debug)]
pub(crate) struct Translator<'d> {
    resolver: &'d Resolver<'d>,
    dialect: Dialect,
    /// Definition name per target pointer; names are unique across the document.
    names: HashMap<String, String>,
    taken: HashSet<String>,
    defs: HashMap<String, Def>,
    /// Definitions known not to lie on, or lead to, an in-place cycle.
    acyclic: HashSet<String>,
    /// Definitions whose references, transitively, are translated too.
    closed: HashSet<String>,
    /// Finished schemas by pointer (a shared response is translated once).
    roots: HashMap<String, Value>,
    /// Schemas no value satisfies, as `#/pointer: message`.
    pub(crate) warnings: Vec<String>,
}

impl<'d> Translator<'d> {
    pub(crate) fn new(resolver: &'d Resolver<'d>, dialect: Dialect) -> Self {
        Translator {
            resolver,
            dialect,
            names: HashMap::new(),
            taken: HashSet::new(),
            defs: HashMap::new(),
            acyclic: HashSet::new(),
            closed: HashSet::new(),
            roots: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    /// The schema at pointer `at` as JSON Schema 2020-12, its `$ref`s pointing at
    /// `#/$defs/<name>` entries of [`Translator::definitions`]. [`super::standalone`]
    /// makes it self-contained.
    pub(crate) fn schema(&mut self, at: &str, schema: &'d Value) -> Result<Value, ContractError> {
        if let Some(done) = self.roots.get(at) {
            return Ok(done.clone());
        }
        let mut found = Found::default();
        let mut path = at.to_owned();
        let root = self.walk(schema, &mut path, 0, true, &mut found)?;
        for target in &found.in_place {
            self.check_acyclic(target)?;
        }
        let mut queue = found.refs;
        while let Some(p) = queue.pop() {
            if self.closed.contains(&p) {
                continue;
            }
            self.ensure_def(&p)?;
            self.check_acyclic(&p)?;
            if let Some(def) = self.defs.get(&p) {
                queue.extend(def.refs.iter().cloned());
            }
            self.closed.insert(p);
        }
        self.roots.insert(at.to_owned(), root.clone());
        Ok(root)
    }

    /// Every definition the translated schemas refer to, by name, in the order they
    /// were first met.
    pub(crate) fn definitions(&self) -> Map<String, Value> {
        let mut defs: Vec<(&String, &Def)> = self.defs.iter().collect();
        defs.sort_by_key(|(_, d)| d.order);
        defs.into_iter()
            .map(|(_, d)| (d.name.clone(), d.schema.clone()))
            .collect()
    }

    fn invalid(&self, pointer: &str, message: impl Into<String>) -> ContractError {
        ContractError::Invalid {
            file: self.resolver.file().to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }

    /// The `$defs` name for the schema at `target`: the component's name when it is a
    /// component, else the pointer's tokens joined by dots; only URI-safe characters.
    fn name_for(&mut self, target: &str) -> String {
        if let Some(n) = self.names.get(target) {
            return n.clone();
        }
        let mut toks = tokens(target);
        if toks.len() >= 2 && toks[0] == crate::external::FILES_KEY {
            // A gathered file: named after the file, or the definition inside it.
            let stem = toks[1].rsplit('/').next().unwrap_or("").to_owned();
            let stem = stem.split('.').next().unwrap_or("").to_owned();
            toks.drain(..2);
            if toks.is_empty() {
                toks.push(stem);
            }
        }
        if toks.len() >= 3 && toks[0] == "components" && toks[1] == "schemas" {
            toks.drain(..2);
        } else if toks.len() >= 2 && toks[0] == "definitions" {
            toks.drain(..1);
        }
        let mut base: String = toks
            .join(".")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base = "schema".to_owned();
        }
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        self.names.insert(target.to_owned(), name.clone());
        name
    }

    fn ensure_def(&mut self, target: &str) -> Result<(), ContractError> {
        if self.defs.contains_key(target) {
            return Ok(());
        }
        let Some(value) = self.resolver.get(target) else {
            return Err(self.invalid(target, "a `$ref` points here but nothing is here"));
        };
        let name = self.name_for(target);
        let mut found = Found::default();
        let mut path = target.to_owned();
        let schema = self.walk(value, &mut path, 0, true, &mut found)?;
        self.defs.insert(
            target.to_owned(),
            Def {
                name,
                order: self.defs.len(),
                schema,
                refs: found.refs,
                in_place: found.in_place,
            },
        );
        Ok(())
    }

    /// Fails when an in-place cycle is reachable from `start` (iterative depth-first
    /// search over in-place references).
    fn check_acyclic(&mut self, start: &str) -> Result<(), ContractError> {
        if self.acyclic.contains(start) {
            return Ok(());
        }
        let mut stack: Vec<(String, usize)> = vec![(start.to_owned(), 0)];
        let mut on_path: HashSet<String> = HashSet::from([start.to_owned()]);
        while let Some((node, next)) = stack.last().cloned() {
            self.ensure_def(&node)?;
            let child = self
                .defs
                .get(&node)
                .and_then(|d| d.in_place.get(next))
                .cloned();
            match child {
                None => {
                    stack.pop();
                    on_path.remove(&node);
                    self.acyclic.insert(node);
                }
                Some(child) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    if self.acyclic.contains(&child) {
                        continue;
                    }
                    if on_path.contains(&child) {
                        let from = stack.iter().position(|(n, _)| *n == child).unwrap_or(0);
                        let mut chain: Vec<String> =
                            stack[from..].iter().map(|(n, _)| n.clone()).collect();
                        chain.push(child);
                        return Err(ContractError::Cycle {
                            file: self.resolver.file().to_owned(),
                            pointer: chain[0].clone(),
                            chain,
                        });
                    }
                    on_path.insert(child.clone());
                    stack.push((child, 0));
                }
            }
        }
        Ok(())
    }

    /// Translates one schema found at `path` (restored on return).
    fn walk(
        &mut self,
        value: &'d Value,
        path: &mut String,
        depth: usize,
        in_place: bool,
        found: &mut Found,
    ) -> Result<Value, ContractError> {
        if depth > MAX_DEPTH {
            return Err(self.invalid(
                path,
                format!("the schema is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        match value {
            Value::Bool(_) => Ok(value.clone()),
            // `schema:` with nothing after it, in YAML: no constraint.
            Value::Null => Ok(Value::Bool(true)),
            Value::Object(m) => self.object(m, path, depth, in_place, found),
            other => Err(self.invalid(
                path,
                format!(
                    "a schema must be a mapping, not {}; write for example `{{type: string}}`",
                    kind(other)
                ),
            )),
        }
    }

    fn child(
        &mut self,
        value: &'d Value,
        path: &mut String,
        token: &str,
        depth: usize,
        in_place: bool,
        found: &mut Found,
    ) -> Result<Value, ContractError> {
        let len = path.len();
        *path = push(path, token);
        let out = self.walk(value, path, depth + 1, in_place, found);
        path.truncate(len);
        out
    }

    fn object(
        &mut self,
        m: &'d Map<String, Value>,
        path: &mut String,
        depth: usize,
        in_place: bool,
        found: &mut Found,
    ) -> Result<Value, ContractError> {
        let mut out = Map::new();
        if let Some(reference) = m.get("$ref") {
            let ref_at = push(path, "$ref");
            let Some(reference) = reference.as_str() else {
                return Err(self.resolver.not_a_string(ref_at, reference));
            };
            let target = self.resolver.target(&ref_at, reference)?;
            let name = self.name_for(&target);
            if in_place {
                found.in_place.push(target.clone());
            }
            found.refs.push(target);
            out.insert("$ref".to_owned(), Value::String(format!("#/$defs/{name}")));
            if self.dialect == Dialect::Oas30 {
                for (k, v) in m {
                    if REF_ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-") {
                        out.insert(k.clone(), v.clone());
                    }
                }
                // 3.0 ignores `nullable` beside `$ref`, but writers mean it; honouring
                // it only widens what is accepted.
                return Ok(if m.get("nullable") == Some(&Value::Bool(true)) {
                    nullable(out)
                } else {
                    Value::Object(out)
                });
            }
        }
        for problem in super::satisfiable::contradictions(m) {
            self.warnings.push(format!("#{path}: {problem}"));
        }
        let tuple_items = matches!(m.get("items"), Some(Value::Array(_)));
        for (k, v) in m {
            let key = k.as_str();
            match key {
                "$ref" | "$id" | "$schema" => {}
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    let in_place = in_place && key == "dependentSchemas";
                    out.insert(
                        k.clone(),
                        self.map_of(v, key, path, depth, in_place, found)?,
                    );
                }
                "allOf" | "anyOf" | "oneOf" => {
                    out.insert(
                        k.clone(),
                        self.list_of(v, key, path, depth, in_place, found)?,
                    );
                }
                "prefixItems" => {
                    out.insert(k.clone(), self.list_of(v, key, path, depth, false, found)?);
                }
                "items" if tuple_items => {
                    let list = self.list_of(v, key, path, depth, false, found)?;
                    out.insert("prefixItems".to_owned(), list);
                }
                "additionalItems" => {
                    if tuple_items {
                        let s = self.child(v, path, key, depth, false, found)?;
                        out.insert("items".to_owned(), s);
                    }
                }
                "not" | "if" | "then" | "else" => {
                    let s = self.child(v, path, key, depth, in_place, found)?;
                    out.insert(k.clone(), s);
                }
                "items"
                | "additionalProperties"
                | "unevaluatedProperties"
                | "unevaluatedItems"
                | "contains"
                | "propertyNames"
                | "contentSchema" => {
                    let s = self.child(v, path, key, depth, false, found)?;
                    out.insert(k.clone(), s);
                }
                "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => {
                    // draft 4 form: a flag on `minimum`/`maximum`; rewritten below
                }
                "nullable" if self.dialect == Dialect::Oas30 => {}
                "required" => {
                    out.insert(k.clone(), unique_required(v));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        exclusive_bounds(m, &mut out);
        if self.dialect == Dialect::Oas30 && m.get("nullable") == Some(&Value::Bool(true)) {
            return Ok(nullable(out));
        }
        Ok(Value::Object(out))
    }

    fn map_of(
        &mut self,
        v: &'d Value,
        key: &str,
        path: &mut String,
        depth: usize,
        in_place: bool,
        found: &mut Found,
    ) -> Result<Value, ContractError> {
        let Value::Object(entries) = v else {
            return Err(self.invalid(
                &push(path, key),
                format!("`{key}` must be a mapping of names to schemas"),
            ));
        };
        let len = path.len();
        *path = push(path, key);
        // Split specs (DigitalOcean's) write `properties: {$ref: 'attrs.yml#/x'}`,
        // meaning the whole mapping is elsewhere; bundlers inline it, and so do we.
        let entries = match entries.get("$ref") {
            Some(Value::String(_)) if entries.len() == 1 => {
                let (target_at, target) = match self.resolver.deref(path, v) {
                    Ok(t) => t,
                    Err(e) => {
                        path.truncate(len);
                        return Err(e);
                    }
                };
                let Value::Object(target) = target else {
                    path.truncate(len);
                    return Err(self.invalid(
                        &target_at,
                        format!(
                            "`{key}` refers here, so this must be a mapping of names to schemas"
                        ),
                    ));
                };
                *path = target_at;
                target
            }
            _ => entries,
        };
        let mut out = Map::new();
        let mut result = Ok(());
        for (name, s) in entries {
            match self.child(s, path, name, depth + 1, in_place, found) {
                Ok(t) => {
                    out.insert(name.clone(), t);
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        path.truncate(len);
        result.map(|()| Value::Object(out))
    }

    fn list_of(
        &mut self,
        v: &'d Value,
        key: &str,
        path: &mut String,
        depth: usize,
        in_place: bool,
        found: &mut Found,
    ) -> Result<Value, ContractError> {
        let Value::Array(items) = v else {
            return Err(self.invalid(
                &push(path, key),
                format!("`{key}` must be a list of schemas"),
            ));
        };
        let len = path.len();
        *path = push(path, key);
        let mut out = Vec::with_capacity(items.len());
        let mut result = Ok(());
        for (i, s) in items.iter().enumerate() {
            match self.child(s, path, &i.to_string(), depth + 1, in_place, found) {
                Ok(t) => out.push(t),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        path.truncate(len);
        result.map(|()| Value::Array(out))
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::standalone;

    fn translate(dialect: Dialect, doc: &Value, at: &str) -> Result<Value, ContractError> {
        let r = Resolver::new("api.yaml", doc);
        let mut t = Translator::new(&r, dialect);
        let s = doc.pointer(at).unwrap();
        let root = t.schema(at, s)?;
        Ok(standalone(&root, &t.definitions()))
    }

    #[test]
    fn nullable_with_composition_wraps_in_any_of() {
        let doc = json!({
            "s": {"allOf": [{"$ref": "#/c/A"}], "nullable": true},
            "c": {"A": {"type": "object"}}
        });
        assert_eq!(
            translate(Dialect::Oas30, &doc, "/s").unwrap(),
            json!({
                "anyOf": [{"allOf": [{"$ref": "#/$defs/c.A"}]}, {"type": "null"}],
                "$defs": {"c.A": {"type": "object"}}
            })
        );
    }

    #[test]
    fn nullable_is_ignored_in_3_1() {
        let doc = json!({"s": {"type": "string", "nullable": true}});
        assert_eq!(
            translate(Dialect::Oas31, &doc, "/s").unwrap(),
            json!({"type": "string", "nullable": true})
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        let doc = json!({"s": {"type": "integer", "minimum": 1, "exclusiveMinimum": true,
                               "maximum": 9, "exclusiveMaximum": false}});
        assert_eq!(
            translate(Dialect::Oas30, &doc, "/s").unwrap(),
            json!({"type": "integer", "exclusiveMinimum": 1, "maximum": 9})
        );
    }

    #[test]
    fn repeated_required_names_are_merged() {
        let doc = json!({"s": {"required": ["a", "b", "a"]}});
        assert_eq!(
            translate(Dialect::Oas31, &doc, "/s").unwrap(),
            json!({"required": ["a", "b"]})
        );
    }

    #[test]
    fn refs_become_defs_and_3_0_siblings_are_dropped() {
        let doc = json!({
            "components": {"schemas": {
                "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/User"}}},
                "User": {"type": "string"}
            }},
            "s": {"$ref": "#/components/schemas/Pet", "type": "array", "description": "d"}
        });
        let out = translate(Dialect::Oas30, &doc, "/s").unwrap();
        assert_eq!(
            out,
            json!({
                "$ref": "#/$defs/Pet", "description": "d",
                "$defs": {
                    "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/$defs/User"}}},
                    "User": {"type": "string"}
                }
            })
        );
        let out = translate(Dialect::Oas31, &doc, "/s").unwrap();
        assert_eq!(out["type"], "array");
    }

    #[test]
    fn property_named_ref_is_a_property() {
        let doc = json!({"s": {"properties": {"$ref": {"type": "string"}}}});
        assert_eq!(
            translate(Dialect::Oas31, &doc, "/s").unwrap(),
            json!({"properties": {"$ref": {"type": "string"}}})
        );
    }

    #[test]
    fn recursive_schema_stays_recursive() {
        let doc = json!({
            "components": {"schemas": {"Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}
            }}},
            "s": {"$ref": "#/components/schemas/Node"}
        });
        let out = translate(Dialect::Oas30, &doc, "/s").unwrap();
        assert_eq!(
            out["$defs"]["Node"]["properties"]["children"]["items"]["$ref"],
            "#/$defs/Node"
        );
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&out)
            .unwrap();
        assert!(v.is_valid(&json!({"children": [{"children": []}]})));
        assert!(!v.is_valid(&json!({"children": [{"children": [1]}]})));
    }

    #[test]
    fn in_place_cycle_is_an_error() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
                "B": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/A"}]}
            }},
            "s": {"$ref": "#/components/schemas/A"}
        });
        let err = translate(Dialect::Oas31, &doc, "/s").unwrap_err();
        assert!(matches!(err, ContractError::Cycle { .. }), "{err}");
        assert!(
            err.to_string().contains(
                "#/components/schemas/A → #/components/schemas/B → #/components/schemas/A"
            ),
            "{err}"
        );
    }

    #[test]
    fn escaped_names_stay_uri_safe() {
        let doc = json!({
            "components": {"schemas": {"a/b c": {"type": "string"}, "a_b_c": {"type": "integer"}}},
            "s": {"anyOf": [{"$ref": "#/components/schemas/a~1b%20c"}, {"$ref": "#/components/schemas/a_b_c"}]}
        });
        let out = translate(Dialect::Oas31, &doc, "/s").unwrap();
        assert_eq!(out["anyOf"][0]["$ref"], "#/$defs/a_b_c");
        assert_eq!(out["anyOf"][1]["$ref"], "#/$defs/a_b_c-2");
    }

    #[test]
    fn non_schema_is_an_error_with_pointer() {
        let doc = json!({"s": {"properties": {"a": 5}}});
        let err = translate(Dialect::Oas31, &doc, "/s")
            .unwrap_err()
            .to_string();
        assert!(err.contains("at `#/s/properties/a`"), "{err}");
        assert!(err.contains("not a number"), "{err}");
    }

    #[test]
    fn bad_ref_points_at_the_ref() {
        let doc = json!({"s": {"items": {"$ref": "#/components/schemas/Nope"}}});
        let err = translate(Dialect::Oas30, &doc, "/s").unwrap_err();
        match err {
            ContractError::BadRef { pointer, .. } => assert_eq!(pointer, "/s/items/$ref"),
            other => panic!("{other}"),
        }
    }
}
