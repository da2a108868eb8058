//! Why a contract could not be read.

use std::path::PathBuf;

use crosscheck_model::Diagnostic;

/// Why a contract could not be loaded. Messages are lowercase fragments that read after
/// "failed to load the contract: …" and name the file, the place in it (a JSON pointer
/// written as a `$ref` would be, `#/paths/…`) and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// The file could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The text is not well-formed JSON or YAML.
    #[error("`{file}` is not valid {format} at line {line}, column {column}: {message}")]
    Syntax {
        /// The file, as the user named it.
        file: String,
        /// `JSON` or `YAML`.
        format: &'static str,
        /// 1-based line, 0 when unknown.
        line: u32,
        /// 1-based column, 0 when unknown.
        column: u32,
        /// What the parser said.
        message: String,
    },

    /// The document is not an OpenAPI description at all.
    #[error("`{file}` is not an OpenAPI document: {reason}")]
    NotOpenApi {
        /// The file.
        file: String,
        /// Why not, and what to do.
        reason: String,
    },

    /// The document uses something this version does not read yet.
    #[error("`{file}`{}: {what} is not supported yet; {help}", at(pointer))]
    Unsupported {
        /// The file.
        file: String,
        /// Where, as a JSON pointer (`/paths/…`); empty for the whole document.
        pointer: String,
        /// What is not supported (`swagger 2.0`, `openapi 3.2.0`, `a $ref to another file`).
        what: String,
        /// What to do instead.
        help: String,
    },

    /// The document is OpenAPI but a part of it has the wrong shape.
    #[error("`{file}`{}: {message}", at(pointer))]
    Invalid {
        /// The file.
        file: String,
        /// Where, as a JSON pointer.
        pointer: String,
        /// What is wrong and what to do.
        message: String,
    },

    /// A `$ref` that does not lead anywhere.
    #[error("`{file}`{}: `$ref` `{target}` {reason}", at(pointer))]
    BadRef {
        /// The file.
        file: String,
        /// The JSON pointer of the `$ref` itself (`/components/schemas/A/$ref`).
        pointer: String,
        /// The reference as written.
        target: String,
        /// Why it does not resolve, and what to do.
        reason: String,
    },

    /// `$ref`s that lead back to themselves without ever reaching a definition.
    #[error(
        "`{file}`{}: `$ref`s form a cycle ({}) that never reaches a definition; break the cycle",
        at(pointer),
        chain_text(chain)
    )]
    Cycle {
        /// The file.
        file: String,
        /// Where the cycle was entered.
        pointer: String,
        /// The pointers visited, in order, ending with the repeated one.
        chain: Vec<String>,
    },
}

fn at(pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!(" at `#{pointer}`")
    }
}

fn chain_text(chain: &[String]) -> String {
    chain
        .iter()
        .map(|p| {
            if p.starts_with('/') || p.is_empty() {
                format!("#{p}")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

impl ContractError {
    /// The file the error is about.
    pub fn file(&self) -> String {
        match self {
            ContractError::Io { path, .. } => path.display().to_string(),
            ContractError::Syntax { file, .. }
            | ContractError::NotOpenApi { file, .. }
            | ContractError::Unsupported { file, .. }
            | ContractError::Invalid { file, .. }
            | ContractError::BadRef { file, .. }
            | ContractError::Cycle { file, .. } => file.clone(),
        }
    }

    /// The same error with its JSON pointer (if it has one) rewritten by `f`.
    pub(crate) fn map_pointers(mut self, f: impl Fn(&str) -> String) -> ContractError {
        match &mut self {
            ContractError::Invalid { pointer, .. }
            | ContractError::Unsupported { pointer, .. }
            | ContractError::BadRef { pointer, .. } => *pointer = f(pointer),
            ContractError::Cycle { pointer, chain, .. } => {
                *pointer = f(pointer);
                for p in chain {
                    *p = f(p);
                }
            }
            ContractError::Io { .. }
            | ContractError::Syntax { .. }
            | ContractError::NotOpenApi { .. } => {}
        }
        self
    }

    /// The same error with the references and reasons in its text rewritten by `f`.
    pub(crate) fn map_text(mut self, f: impl Fn(&str) -> String) -> ContractError {
        match &mut self {
            ContractError::BadRef { target, reason, .. } => {
                *target = f(target);
                *reason = f(reason);
            }
            ContractError::Invalid { message, .. } => *message = f(message),
            _ => {}
        }
        self
    }

    /// The error as a located diagnostic. With the file's text, a syntax error shows the
    /// line with a caret.
    pub fn to_diagnostic(&self, source: Option<&str>) -> Diagnostic {
        match (self, source) {
            (
                ContractError::Syntax {
                    file,
                    format,
                    line,
                    column,
                    message,
                },
                Some(text),
            ) if *line > 0 => Diagnostic::at(
                file,
                text,
                *line,
                *column,
                format!("not valid {format}: {message}"),
            ),
            _ => Diagnostic::file(&self.file(), self.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_and_pointer() {
        let e = ContractError::BadRef {
            file: "api.yaml".into(),
            pointer: "/paths/~1a/get/responses/200/$ref".into(),
            target: "#/components/responses/Nope".into(),
            reason: "points at nothing; add `Nope` under `components/responses`".into(),
        };
        assert_eq!(
            e.to_string(),
            "`api.yaml` at `#/paths/~1a/get/responses/200/$ref`: `$ref` `#/components/responses/Nope` points at nothing; add `Nope` under `components/responses`"
        );
        let c = ContractError::Cycle {
            file: "api.yaml".into(),
            pointer: "/components/schemas/A".into(),
            chain: vec![
                "/components/schemas/A".into(),
                "/components/schemas/B".into(),
                "/components/schemas/A".into(),
            ],
        };
        assert!(c.to_string().contains(
            "(#/components/schemas/A → #/components/schemas/B → #/components/schemas/A)"
        ));
    }

    #[test]
    fn syntax_error_diagnostic_points_at_line() {
        let e = ContractError::Syntax {
            file: "a.json".into(),
            format: "JSON",
            line: 2,
            column: 3,
            message: "trailing comma".into(),
        };
        let d = e.to_diagnostic(Some("{\n  \"a\": 1,\n}\n"));
        assert_eq!(d.location(), "a.json:2:3");
        assert_eq!(e.to_diagnostic(None).location(), "a.json");
    }
}
