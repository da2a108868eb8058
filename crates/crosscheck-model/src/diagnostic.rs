//! Diagnostics that point at the input: file, line, column, the line itself and a fix.

use miette::{NamedSource, SourceSpan};

/// A problem in an input file, renderable with `miette`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct Diagnostic {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line; 0 when the problem is about the file as a whole.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
    #[source_code]
    source_code: Option<NamedSource<String>>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl Diagnostic {
    /// A problem at `line`:`column` of `file`, whose text is `source`.
    pub fn at(
        file: &str,
        source: &str,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        let span = offset_of(source, line, column).map(|off| {
            let len = source[off..]
                .find(['\n', ':', ','])
                .filter(|n| *n > 0)
                .unwrap_or(1);
            SourceSpan::new(off.into(), len)
        });
        Diagnostic {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
            help: None,
            source_code: span.map(|_| NamedSource::new(file, source.to_owned())),
            span,
        }
    }

    /// A problem with `file` as a whole (it is missing, unreadable, empty).
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            source_code: None,
            span: None,
        }
    }

    /// Adds what to do about it.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column` (or less, when unknown).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }
}

/// The byte offset of a 1-based line and column in `source`.
fn offset_of(source: &str, line: u32, column: u32) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut offset = 0usize;
    for (n, l) in source.split_inclusive('\n').enumerate() {
        if n + 1 == line as usize {
            let col = (column.max(1) - 1) as usize;
            let within: usize = l.chars().take(col).map(char::len_utf8).sum();
            return Some(offset + within.min(l.trim_end_matches('\n').len()));
        }
        offset += l.len();
    }
    None
}
