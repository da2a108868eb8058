//! What can go wrong while reading results or writing reports.

use std::path::PathBuf;

/// A report could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// `read`, `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A results file is not valid JSON or not in the results format.
    #[error("{}:{line}:{column}: not a crosscheck results file: {reason}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A results file of a format version this crosscheck does not read.
    #[error("{}: results format `{found}` is not supported (this crosscheck reads `{expected}`)", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The format it declares.
        found: String,
        /// The format this version reads.
        expected: &'static str,
    },
    /// Results files that cannot be merged.
    #[error("cannot merge the results: {0}")]
    Merge(String),
    /// A report could not be rendered.
    #[error("cannot render the {what} report: {reason}")]
    Render {
        /// `JUnit`, `HTML`, …
        what: &'static str,
        /// Why.
        reason: String,
    },
}

impl ReportError {
    /// A hint for the person who sees the error.
    pub fn help(&self) -> Option<String> {
        match self {
            ReportError::Parse { .. } | ReportError::Format { .. } => Some(
                "pass a results.json written by `crosscheck run` (see schemas/results.schema.json)"
                    .to_owned(),
            ),
            ReportError::Merge(_) => Some(
                "merge the results of one suite's shards, each once: `crosscheck report --merge shard-1.json shard-2.json …`"
                    .to_owned(),
            ),
            _ => None,
        }
    }
}
