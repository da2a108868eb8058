//! Linking requirements to the contract: explicitly (the requirement's `operations:`
//! and `dependencies:`, or `x-requirements` on an operation) or by what the text names.

use crosscheck_contract::Contract;
use crosscheck_model::Requirement;

use crate::text::{Facts, contains_word, facts, names_field};

/// A dependency as the linker sees it.
#[derive(Debug, Clone, Copy)]
pub struct DepRef<'a> {
    /// Its name in the system map.
    pub name: &'a str,
    /// Its contract, when the map names one.
    pub contract: Option<&'a Contract>,
}

/// What one requirement is linked to, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The requirement's ID.
    pub id: String,
    /// Indices into the SUT contract's operations.
    pub operations: Vec<usize>,
    /// Dependency names.
    pub dependencies: Vec<String>,
    /// `METHOD /path` of dependency operations the text names.
    pub dependency_operations: Vec<String>,
    /// Field names of the contracts that the text names (`user_id`).
    pub fields: Vec<String>,
    /// How each link was made, for the report: `operation getResource (named)`.
    pub reasons: Vec<String>,
    /// The facts read from the text.
    pub facts: Facts,
}

impl Link {
    /// Whether the requirement links to nothing in the contract or the system map.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.dependencies.is_empty()
    }
}

/// A problem with an explicit link: it names something that does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkProblem {
    /// The requirement's ID.
    pub id: String,
    /// Its line in the requirements file (0 when unknown).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Which dependencies each SUT operation uses: `uses[op]` holds dependency names.
pub type Uses = Vec<Vec<String>>;

/// Links every requirement. `x_requirements` lists, per SUT operation index, the IDs
/// its `x-requirements` names.
pub fn link_all(
    requirements: &[Requirement],
    sut: &Contract,
    sut_name: &str,
    deps: &[DepRef<'_>],
    uses: &Uses,
    x_requirements: &[Vec<String>],
) -> (Vec<Link>, Vec<LinkProblem>) {
    let fields = field_names(sut, deps);
    let mut index = Index::default();
    for (i, f) in fields.iter().enumerate() {
        let mut keys = Vec::new();
        if f.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            keys.push(f.clone());
            if let Some(first) = f.split(['_', '-']).find(|w| !w.is_empty()) {
                keys.push(first.to_owned());
            }
        }
        index.fields.add(i, &keys);
    }
    // A path is named only when all its words but the last are in the text, so any one
    // of them can key it: the rarest, so that a text naming `/api/v1/…` does not make
    // every operation under `/api` a candidate.
    let inner: Vec<Vec<&str>> = sut
        .operations
        .iter()
        .map(|op| {
            let mut segs: Vec<&str> = op
                .path
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            segs.pop();
            segs
        })
        .collect();
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for segs in &inner {
        for s in segs {
            *seen.entry(s).or_default() += 1;
        }
    }
    for (i, op) in sut.operations.iter().enumerate() {
        let id_key = match &op.id {
            Some(id) => crate::text::first_word(id),
            None => Some(String::new()),
        };
        let path_key = inner[i]
            .iter()
            .min_by_key(|s| seen[*s])
            .map(|s| (*s).to_owned());
        match (id_key, path_key) {
            (Some(a), Some(b)) => index.ops.add(i, &[a, b]),
            _ => index.ops.add(i, &[]),
        }
    }
    let mut problems = Vec::new();
    let links = requirements
        .iter()
        .map(|r| {
            link_one(
                r,
                sut,
                sut_name,
                deps,
                uses,
                x_requirements,
                &fields,
                &index,
                &mut problems,
            )
        })
        .collect();
    (links, problems)
}

/// Which fields and operations a requirement's words can name (see [`crate::text::Needed`]).
#[derive(Debug, Default)]
struct Index {
    fields: crate::text::Needed,
    ops: crate::text::Needed,
}

#[allow(clippy::too_many_arguments)]
fn link_one(
    r: &Requirement,
    sut: &Contract,
    sut_name: &str,
    deps: &[DepRef<'_>],
    uses: &Uses,
    x_requirements: &[Vec<String>],
    fields: &[String],
    index: &Index,
    problems: &mut Vec<LinkProblem>,
) -> Link {
    let f = facts(&r.text);
    let lower = r.text.to_lowercase();
    let words = crate::text::Words::of(&r.text);
    let lower_words = crate::text::Words::of(&lower);
    let mut link = Link {
        id: r.id.clone(),
        operations: Vec::new(),
        dependencies: Vec::new(),
        dependency_operations: Vec::new(),
        fields: Vec::new(),
        reasons: Vec::new(),
        facts: f,
    };
    let add_op = |link: &mut Link, i: usize, why: String| {
        if !link.operations.contains(&i) {
            link.operations.push(i);
            link.reasons.push(why);
        }
    };

    // Explicit links first.
    for name in &r.operations {
        match find_op(sut, name) {
            Some(i) => add_op(
                &mut link,
                i,
                format!("{} (listed)", sut.operations[i].label()),
            ),
            None => problems.push(LinkProblem {
                id: r.id.clone(),
                line: r.line,
                message: format!(
                    "requirement {} names operation `{name}`, which {} does not define",
                    r.id, sut.file
                ),
            }),
        }
    }
    for name in &r.dependencies {
        if deps.iter().any(|d| d.name == name) {
            link.dependencies.push(name.clone());
            link.reasons.push(format!("dependency {name} (listed)"));
        } else {
            problems.push(LinkProblem {
                id: r.id.clone(),
                line: r.line,
                message: format!(
                    "requirement {} names dependency `{name}`, which crosscheck.yaml does not declare",
                    r.id
                ),
            });
        }
    }
    for (i, ids) in x_requirements.iter().enumerate() {
        if ids.iter().any(|x| x == &r.id) {
            add_op(
                &mut link,
                i,
                format!("{} (x-requirements)", sut.operations[i].label()),
            );
        }
    }

    // What the text names.
    for i in index.ops.candidates(&words) {
        let op = &sut.operations[i];
        if let Some(id) = &op.id
            && words.may_contain(id)
            && contains_word(&r.text, id)
        {
            add_op(&mut link, i, format!("{} (names `{id}`)", op.label()));
        } else if words.may_name_path(&op.path) && names_path(&r.text, &op.method, &op.path) {
            add_op(&mut link, i, format!("{} (names its path)", op.label()));
        }
    }
    for d in deps {
        let title = d
            .contract
            .map(|c| c.title.to_lowercase())
            .unwrap_or_default();
        let by_name = contains_word(&lower, &d.name.to_lowercase());
        let by_title = !title.is_empty() && lower.contains(&title);
        let mut by_op = false;
        for op in d.contract.map(|c| c.operations.as_slice()).unwrap_or(&[]) {
            if names_path(&r.text, &op.method, &op.path)
                || op
                    .id
                    .as_deref()
                    .is_some_and(|id| contains_word(&r.text, id))
            {
                link.dependency_operations.push(op.label());
                by_op = true;
            }
        }
        if (by_name || by_title || by_op) && !link.dependencies.iter().any(|x| x == d.name) {
            link.dependencies.push(d.name.to_owned());
            let how = if by_op {
                "names its operation"
            } else if by_title {
                "names its title"
            } else {
                "names it"
            };
            link.reasons.push(format!("dependency {} ({how})", d.name));
        }
    }
    // A named dependency links the operations that use it.
    for dep in link.dependencies.clone() {
        for (i, used) in uses.iter().enumerate() {
            if used.contains(&dep) {
                add_op(
                    &mut link,
                    i,
                    format!("{} (uses {dep})", sut.operations[i].label()),
                );
            }
        }
    }
    // Naming only the service itself links all of its operations.
    let names_sut = lower.contains(&sut.title.to_lowercase()) && !sut.title.is_empty()
        || contains_word(&lower, &sut_name.to_lowercase());
    if link.operations.is_empty() && names_sut {
        for i in 0..sut.operations.len() {
            add_op(
                &mut link,
                i,
                format!("{} (names the service)", sut.operations[i].label()),
            );
        }
    }
    for field in index
        .fields
        .candidates(&lower_words)
        .into_iter()
        .map(|i| &fields[i])
    {
        if lower_words.may_name_field(field)
            && names_field(&lower, field)
            && !link.fields.contains(field)
        {
            link.fields.push(field.clone());
        }
    }
    link
}

/// `getResource`, `GET /resources/{id}` or `/resources/{id}` → the operation's index.
pub fn find_op(contract: &Contract, name: &str) -> Option<usize> {
    let name = name.trim();
    contract.operations.iter().position(|o| {
        o.id.as_deref() == Some(name) || name.eq_ignore_ascii_case(&o.label()) || name == o.path
    })
}

/// Whether `text` names `path` (as written, in backticks or not), with `method` when
/// the text puts a method before it.
fn names_path(text: &str, method: &str, path: &str) -> bool {
    let mut from = 0;
    while let Some(i) = text[from..].find(path) {
        let start = from + i;
        let end = start + path.len();
        let after = text[end..].chars().next();
        if !after.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '{') {
            let before = text[..start].trim_end_matches('`').trim_end();
            let named_method = before
                .rsplit(|c: char| !c.is_ascii_alphabetic())
                .next()
                .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()));
            return named_method.is_none_or(|m| m.eq_ignore_ascii_case(method));
        }
        from = end;
    }
    false
}

/// Property names in every schema of the contracts, and parameter names.
fn field_names(sut: &Contract, deps: &[DepRef<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        let snake = name.to_lowercase().replace('-', "_");
        let snake = snake.strip_prefix("x_").unwrap_or(&snake).to_owned();
        if !out.contains(&snake) {
            out.push(snake);
        }
    };
    let contracts = std::iter::once(sut).chain(deps.iter().filter_map(|d| d.contract));
    for c in contracts {
        for def in c.schema_definitions.values() {
            collect_properties(def, &mut add);
        }
        for op in &c.operations {
            for p in &op.parameters {
                add(&p.name);
            }
            for r in &op.responses {
                for (_, s) in &r.media {
                    if let Some(s) = s {
                        collect_properties(s, &mut add);
                    }
                }
            }
        }
    }
    out
}

fn collect_properties(v: &serde_json::Value, add: &mut impl FnMut(&str)) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Object(props)) = m.get("properties") {
                    for k in props.keys() {
                        add(k);
                    }
                }
                stack.extend(m.values());
            }
            serde_json::Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_and_without_methods() {
        assert!(names_path("call `GET /validate` once", "GET", "/validate"));
        assert!(!names_path(
            "call `POST /validate` once",
            "GET",
            "/validate"
        ));
        assert!(names_path(
            "decisions on `/resources/{id}` are",
            "GET",
            "/resources/{id}"
        ));
        assert!(!names_path("see /validatex", "GET", "/validate"));
    }
}
