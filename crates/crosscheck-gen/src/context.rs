//! Everything generation reads, prepared once: dependencies and which operations use
//! them, credentials, requirement links, and the log vocabulary of the requirements.

use std::time::Duration;

use crosscheck_contract::{Contract, Operation, SecurityKind};
use crosscheck_model::{Requirement, SystemMap};
use indexmap::IndexMap;
use serde_json::Value;

use crate::data::SchemaData;
use crate::link::{self, DepRef, Link, LinkProblem, Uses};

/// What generation reads. The binary loads the files; this crate does no I/O.
#[derive(Debug)]
pub struct Input<'a> {
    /// The system map.
    pub map: &'a SystemMap,
    /// The requirements, in file order.
    pub requirements: &'a [Requirement],
    /// The service's contract.
    pub sut: &'a Contract,
    /// The dependencies' contracts, by system-map name.
    pub deps: &'a IndexMap<String, Contract>,
    /// Per SUT operation (same order as `sut.operations`), the requirement IDs its
    /// `x-requirements` names (see [`crate::x_requirements`]).
    pub x_requirements: Vec<Vec<String>>,
    /// The seed for generated data.
    pub seed: u64,
}

/// A dependency, as generation uses it.
#[derive(Debug)]
pub(crate) struct Dep<'a> {
    pub name: &'a str,
    pub contract: Option<&'a Contract>,
    /// The operation that checks the SUT's credentials, when this dependency has one:
    /// it takes the same header the SUT's security scheme uses.
    pub validator: Option<&'a Operation>,
}

/// A credential to send: header and value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Credential {
    pub header: String,
    pub value: String,
    /// `bearer`, `basic`, or `apiKey`.
    pub scheme: String,
    /// Taken from the system map (else made up, and reported).
    pub from_map: bool,
}

/// A contract gap or a limit of generation, reported to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// What it concerns: an operation, a scenario id or a requirement.
    pub scope: String,
    /// What is missing and what was assumed.
    pub message: String,
}

/// One bad-input variant: slug, words, the parameter it breaks (`None`: the body), and
/// the broken value.
pub(crate) type BadInput = (
    String,
    String,
    Option<(crosscheck_contract::ParameterLocation, String)>,
    Value,
);

pub(crate) struct Ctx<'a> {
    pub input: &'a Input<'a>,
    pub deps: Vec<Dep<'a>>,
    pub uses: Uses,
    pub links: Vec<Link>,
    pub problems: Vec<LinkProblem>,
    /// Field → listed values, from every requirement ("the decision (`grant`, …)").
    pub vocab: Vec<(String, Vec<String>)>,
    pub gaps: Vec<Gap>,
    /// Valid values already made, by contract file and schema text (compiling a
    /// validator is the expensive part of generation).
    pub valid_cache: std::collections::HashMap<(String, String), Option<Value>>,
    /// Each operation's bad-input variants, by `METHOD path` (slug, words, where the
    /// broken value goes — a parameter's location and name, or the body — and the value).
    /// Every bad-input scenario of an operation needs the list; building it compiles a
    /// validator per schema.
    pub bad_inputs: std::collections::HashMap<String, Vec<BadInput>>,
}

impl<'a> Ctx<'a> {
    pub fn new(input: &'a Input<'a>) -> Ctx<'a> {
        let sut_headers: Vec<String> = credential_headers(input);
        let deps: Vec<Dep<'a>> = input
            .map
            .dependencies
            .keys()
            .map(|k| {
                let contract = input.deps.get(&k.value);
                let validator = contract.and_then(|c| {
                    c.operations.iter().find(|o| {
                        o.parameters
                            .iter()
                            .any(|p| sut_headers.iter().any(|h| h.eq_ignore_ascii_case(&p.name)))
                    })
                });
                Dep {
                    name: k.value.as_str(),
                    contract,
                    validator,
                }
            })
            .collect();
        let mut gaps = Vec::new();
        let uses = uses(input, &deps, &mut gaps);
        let refs: Vec<DepRef<'_>> = deps
            .iter()
            .map(|d| DepRef {
                name: d.name,
                contract: d.contract,
            })
            .collect();
        let (links, problems) = link::link_all(
            input.requirements,
            input.sut,
            &input.map.sut.name,
            &refs,
            &uses,
            &input.x_requirements,
        );
        let vocab = links
            .iter()
            .flat_map(|l| l.facts.field_values.clone())
            .collect();
        Ctx {
            input,
            deps,
            uses,
            links,
            problems,
            vocab,
            gaps,
            valid_cache: std::collections::HashMap::new(),
            bad_inputs: std::collections::HashMap::new(),
        }
    }

    pub fn dep(&self, name: &str) -> Option<&Dep<'a>> {
        self.deps.iter().find(|d| d.name == name)
    }

    /// Whether the system map doubles `name` with a mock (not a proxy in front of a
    /// real instance).
    pub fn is_mock(&self, name: &str) -> bool {
        self.input.map.dependencies.iter().any(|(k, d)| {
            k.value == name && d.double == crosscheck_model::system_map::DoubleKind::Mock
        })
    }

    pub fn gap(&mut self, scope: impl Into<String>, message: impl Into<String>) {
        let gap = Gap {
            scope: scope.into(),
            message: message.into(),
        };
        if !self.gaps.contains(&gap) {
            self.gaps.push(gap);
        }
    }

    /// The credential to send to `op`, when it is secured.
    pub fn credential(&mut self, op: &Operation) -> Option<Credential> {
        if !op.security {
            return None;
        }
        let alt = op.security_requirements.first()?;
        let (scheme_name, _) = alt.schemes.first()?;
        if let Some((_, c)) = self
            .input
            .map
            .credentials
            .iter()
            .find(|(k, _)| &k.value == scheme_name)
        {
            let scheme = match self.input.sut.security_scheme(scheme_name).map(|s| &s.kind) {
                Some(SecurityKind::Http { scheme, .. }) => scheme.clone(),
                _ => "apiKey".to_owned(),
            };
            return Some(Credential {
                header: c.header.clone(),
                value: c.value.clone(),
                scheme,
                from_map: true,
            });
        }
        let made = match self.input.sut.security_scheme(scheme_name).map(|s| &s.kind) {
            Some(SecurityKind::Http { scheme, .. }) if scheme == "bearer" => Credential {
                header: "Authorization".into(),
                value: "Bearer crosscheck-test-token".into(),
                scheme: "bearer".into(),
                from_map: false,
            },
            Some(SecurityKind::Http { scheme, .. }) if scheme == "basic" => Credential {
                header: "Authorization".into(),
                value: "Basic Y3Jvc3NjaGVjazp0ZXN0".into(),
                scheme: "basic".into(),
                from_map: false,
            },
            Some(SecurityKind::ApiKey { location, name }) if location == "header" => Credential {
                header: name.clone(),
                value: "crosscheck-test-key".into(),
                scheme: "apiKey".into(),
                from_map: false,
            },
            _ => {
                self.gap(
                    op.label(),
                    format!("security scheme `{scheme_name}` cannot be sent as a header; add `credentials: {{ {scheme_name}: {{ header, value }} }}` to crosscheck.yaml or test it by hand"),
                );
                return None;
            }
        };
        self.gap(
            op.label(),
            format!(
                "crosscheck.yaml names no credential for `{scheme_name}`; generated scenarios send `{}` (a made-up test credential): add `credentials: {{ {scheme_name}: {{ header: {}, value: … }} }}`",
                made.header, made.header
            ),
        );
        Some(made)
    }

    /// The dependency's deadline the requirements state ("does not answer within 1
    /// second"), and the bound on the SUT's answer when it passes ("within 2 seconds").
    pub fn deadline(&self, dep: &str) -> (Option<Duration>, Option<Duration>) {
        let mut deadline = None;
        let mut bound = None;
        for l in &self.links {
            if l.dependencies.iter().any(|d| d == dep)
                && let Some(d) = l.facts.deadline
            {
                deadline = Some(deadline.map_or(d, |x: Duration| x.min(d)));
                if let Some(w) = l.facts.within {
                    bound = Some(bound.map_or(w, |x: Duration| x.min(w)));
                }
            }
        }
        (deadline, bound)
    }

    /// A valid value for a schema of `contract`, or a gap.
    pub fn valid_for(&mut self, contract: &Contract, schema: &Value, scope: &str) -> Option<Value> {
        let key = (contract.file.clone(), schema.to_string());
        if let Some(v) = self.valid_cache.get(&key) {
            return v.clone();
        }
        let standalone = contract.standalone_schema(schema);
        let v = match SchemaData::new(&standalone).and_then(|d| d.valid(self.input.seed)) {
            Ok(v) => Some(v),
            Err(e) => {
                self.gap(scope, format!("no value for its schema: {e}"));
                None
            }
        };
        self.valid_cache.insert(key, v.clone());
        v
    }
}

/// The headers the SUT's security schemes use.
fn credential_headers(input: &Input<'_>) -> Vec<String> {
    let mut out: Vec<String> = input
        .map
        .credentials
        .values()
        .map(|c| c.header.clone())
        .collect();
    for s in &input.sut.security_schemes {
        match &s.kind {
            SecurityKind::Http { .. }
            | SecurityKind::OAuth2
            | SecurityKind::OpenIdConnect { .. } => {
                out.push("Authorization".into());
            }
            SecurityKind::ApiKey { location, name } if location == "header" => {
                out.push(name.clone())
            }
            _ => {}
        }
    }
    out
}

/// Which dependencies each SUT operation uses: a credential checker is used by every
/// secured operation; another dependency by the operations a requirement links to it,
/// else by every operation (reported).
fn uses(input: &Input<'_>, deps: &[Dep<'_>], gaps: &mut Vec<Gap>) -> Uses {
    let ops = &input.sut.operations;
    let mut out: Uses = vec![Vec::new(); ops.len()];
    for d in deps {
        // The receiver of callbacks is called by the service after it answers, not
        // used while it answers: no stubs or faults for it on every operation.
        if input
            .map
            .dependencies
            .iter()
            .any(|(k, m)| k.value == d.name && m.receives_callbacks())
        {
            continue;
        }
        if d.validator.is_some() {
            for (i, op) in ops.iter().enumerate() {
                if op.security {
                    out[i].push(d.name.to_owned());
                }
            }
            continue;
        }
        // Operations that requirements name together with this dependency.
        let mut named = vec![false; ops.len()];
        for r in input.requirements {
            let text = r.text.to_lowercase();
            let names_dep = crate::text::contains_word(&text, &d.name.to_lowercase())
                || r.dependencies.iter().any(|x| x == d.name)
                || d.contract
                    .is_some_and(|c| !c.title.is_empty() && text.contains(&c.title.to_lowercase()));
            if !names_dep {
                continue;
            }
            for (i, op) in ops.iter().enumerate() {
                if op.id.as_deref().is_some_and(|id| r.text.contains(id))
                    || r.text.contains(&op.path)
                    || r.operations
                        .iter()
                        .any(|o| link::find_op(input.sut, o) == Some(i))
                {
                    named[i] = true;
                }
            }
        }
        if named.iter().any(|n| *n) {
            for (i, n) in named.iter().enumerate() {
                if *n {
                    out[i].push(d.name.to_owned());
                }
            }
        } else {
            gaps.push(Gap {
                scope: format!("dependency {}", d.name),
                message: "no requirement says which operations use it; every operation is assumed to (name the operation in a requirement, or list it under `operations:`)".into(),
            });
            for o in &mut out {
                o.push(d.name.to_owned());
            }
        }
    }
    out
}

pub(crate) type Examples = Vec<(String, Value)>;

/// The documented 2xx examples of `op`, by name.
pub(crate) fn success_examples(op: &Operation) -> Examples {
    op.responses
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                crosscheck_contract::StatusKey::Code(200..=299)
                    | crosscheck_contract::StatusKey::Range(2)
            )
        })
        .flat_map(|r| r.examples.clone())
        .collect()
}

/// The example whose name contains one of `words`.
pub(crate) fn named<'e>(examples: &'e Examples, words: &[&str]) -> Option<&'e Value> {
    examples
        .iter()
        .find(|(n, _)| words.iter().any(|w| n.to_lowercase().contains(w)))
        .map(|(_, v)| v)
}
