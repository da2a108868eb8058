//! `callbacks: true` in the system map: the mock double that receives the service's
//! OpenAPI callbacks (webhooks). Only a mock can receive them, and only one may, so
//! that generated scenarios know where to point the callback URL.

use crosscheck_model::Diagnostic;
use crosscheck_model::system_map::DoubleKind;

use crate::suite::Suite;

/// The receiver rules of the system map.
pub(crate) fn check_map(suite: &Suite, map_file: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut first: Option<&str> = None;
    for (name, dep) in &suite.map.dependencies {
        let Some(flag) = dep.callbacks.as_ref().filter(|c| c.value) else {
            continue;
        };
        if dep.double != DoubleKind::Mock {
            out.push(
                Diagnostic::at(
                    map_file,
                    text,
                    flag.line,
                    flag.column,
                    format!(
                        "`callbacks: true` is for `double: mock`, but `{}` is a proxy",
                        name.value
                    ),
                )
                .with_help("callbacks are received by a mock double: add a dependency such as `hooks: { double: mock, callbacks: true }` and remove `callbacks` here"),
            );
            continue;
        }
        match first {
            None => first = Some(name.value.as_str()),
            Some(f) => out.push(
                Diagnostic::at(
                    map_file,
                    text,
                    flag.line,
                    flag.column,
                    format!(
                        "`{}` and `{f}` both say `callbacks: true`; one dependency receives the service's callbacks",
                        name.value
                    ),
                )
                .with_help(format!("remove `callbacks: true` from `{}` or from `{f}`", name.value)),
            ),
        }
    }
    out
}
