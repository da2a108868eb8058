//! Why a run could not happen. Failing scenarios are not errors: they are outcomes.

use std::time::Duration;

use crosscheck_model::Diagnostic;

/// A run that could not start or could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The suite's files have problems; each diagnostic points at one.
    #[error("the suite has {} problem(s)", .0.len())]
    Suite(Vec<Diagnostic>),
    /// A setting makes no sense.
    #[error("{0}")]
    Config(String),
    /// The build command failed.
    #[error("the build command `{command}` failed with {status}")]
    Build {
        /// The command.
        command: String,
        /// How it ended.
        status: String,
        /// Its last lines of output.
        output: Vec<String>,
    },
    /// The service's command could not be started at all.
    #[error("could not start {name}: `{command}` failed: {reason}")]
    SutSpawn {
        /// The service.
        name: String,
        /// The command.
        command: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The service exited before it became ready.
    #[error("{name} exited with {status} before it became ready")]
    SutExited {
        /// The service.
        name: String,
        /// How it ended.
        status: String,
        /// Its last lines of output.
        output: Vec<String>,
    },
    /// The service did not become ready in time.
    #[error("{name} did not become ready: GET {url} gave no 2xx within {} ({last})", humantime::format_duration(*.waited))]
    SutNotReady {
        /// The service.
        name: String,
        /// The readiness URL.
        url: String,
        /// The deadline.
        waited: Duration,
        /// The last thing the readiness check saw.
        last: String,
        /// Its last lines of output.
        output: Vec<String>,
    },
    /// A fixed port the suite needs is taken.
    #[error("port {port} on 127.0.0.1 is already in use, so {what} cannot listen on it")]
    PortInUse {
        /// The port.
        port: u16,
        /// Who needed it.
        what: String,
    },
    /// A dependency double could not start.
    #[error("the double for `{name}` could not start: {reason}")]
    Double {
        /// The dependency.
        name: String,
        /// Why.
        reason: String,
    },
    /// A file or folder could not be written.
    #[error("failed to prepare {path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
}

impl RunError {
    /// True for problems in the user's files or flags (exit code 2); false for problems
    /// running things (exit code 3).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, RunError::Suite(_) | RunError::Config(_))
    }

    /// What the process printed last, when that explains the error.
    pub fn output(&self) -> &[String] {
        match self {
            RunError::Build { output, .. }
            | RunError::SutExited { output, .. }
            | RunError::SutNotReady { output, .. } => output,
            _ => &[],
        }
    }

    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            RunError::SutExited { .. } => Some("read the service's output above; run `sut.start` by hand with the same environment to reproduce".to_owned()),
            RunError::SutNotReady { .. } => Some("check that the service listens on the URL in `sut.url` and that `sut.ready.get` answers 2xx; raise `sut.ready.timeout` if it is only slow".to_owned()),
            RunError::SutSpawn { .. } => Some("check `sut.start` in crosscheck.yaml: the program must exist (a path relative to `sut.cwd`, or on PATH)".to_owned()),
            RunError::PortInUse { .. } => Some("stop the process that holds the port, or let crosscheck choose one with `${port}`".to_owned()),
            RunError::Build { .. } => Some("fix the build, or run `sut.build` by hand to see the whole output".to_owned()),
            _ => None,
        }
    }
}
