use std::path::PathBuf;

/// What went wrong while reading a side effect.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A log file exists but could not be read.
    #[error("failed to read log file {path}: {source}")]
    ReadLog {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
