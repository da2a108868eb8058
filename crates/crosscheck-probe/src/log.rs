//! Following a log: appended lines since a mark, surviving truncation and rotation.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::ProbeError;

/// Lines captured from a process's output, shared between the capturing task and probes.
pub type SharedLines = Arc<Mutex<Vec<String>>>;

/// Where a log comes from.
#[derive(Clone, Debug)]
pub enum LogSource {
    /// A file the service appends to. It may not exist yet.
    File(PathBuf),
    /// Lines captured from the service's stdout or stderr.
    Captured(SharedLines),
}

/// Reads the lines a log gained since the last [`LogProbe::mark`].
#[derive(Debug)]
pub struct LogProbe {
    source: LogSource,
    /// Bytes (file) or lines (captured) before the mark.
    offset: u64,
    /// Identity of the file at the mark, to notice rotation.
    inode: Option<u64>,
    /// A partial last line, kept until its newline arrives.
    partial: String,
    /// Complete lines read since the mark.
    lines: Vec<String>,
}

impl LogProbe {
    /// A probe on `source`, marked at the beginning.
    pub fn new(source: LogSource) -> Self {
        LogProbe {
            source,
            offset: 0,
            inode: None,
            partial: String::new(),
            lines: Vec::new(),
        }
    }

    /// Forgets what was read and marks the current end of the log: later reads return
    /// only lines written after this call.
    pub fn mark(&mut self) -> Result<(), ProbeError> {
        self.lines.clear();
        self.partial.clear();
        match &self.source {
            LogSource::File(path) => match std::fs::metadata(path) {
                Ok(meta) => {
                    self.offset = meta.len();
                    self.inode = Some(inode_of(&meta));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.offset = 0;
                    self.inode = None;
                }
                Err(source) => {
                    return Err(ProbeError::ReadLog {
                        path: path.clone(),
                        source,
                    });
                }
            },
            LogSource::Captured(lines) => {
                self.offset = lines.lock().map(|l| l.len() as u64).unwrap_or(0);
            }
        }
        Ok(())
    }

    /// Reads what was appended since the last read and returns every complete line
    /// since the mark.
    pub fn read(&mut self) -> Result<&[String], ProbeError> {
        match self.source.clone() {
            LogSource::File(path) => self.read_file(&path)?,
            LogSource::Captured(shared) => {
                let all = shared.lock().map(|l| l.clone()).unwrap_or_default();
                let start = usize::try_from(self.offset)
                    .unwrap_or(usize::MAX)
                    .min(all.len());
                self.lines.extend(all[start..].iter().cloned());
                self.offset = all.len() as u64;
            }
        }
        Ok(&self.lines)
    }

    fn read_file(&mut self, path: &PathBuf) -> Result<(), ProbeError> {
        let err = |source| ProbeError::ReadLog {
            path: path.clone(),
            source,
        };
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(err(e)),
        };
        let meta = file.metadata().map_err(err)?;
        let inode = inode_of(&meta);
        // Rotated (a new file under the same name) or truncated: start from its beginning.
        if self.inode.is_some_and(|i| i != inode) || meta.len() < self.offset {
            self.offset = 0;
            self.partial.clear();
        }
        self.inode = Some(inode);
        if meta.len() == self.offset {
            return Ok(());
        }
        file.seek(SeekFrom::Start(self.offset)).map_err(err)?;
        let mut buf = Vec::new();
        // Bounded: a scenario reads at most 64 MiB of new log per poll.
        file.take(64 << 20).read_to_end(&mut buf).map_err(err)?;
        self.offset += buf.len() as u64;
        self.partial.push_str(&String::from_utf8_lossy(&buf));
        if let Some(last_newline) = self.partial.rfind('\n') {
            let rest = self.partial.split_off(last_newline + 1);
            let complete = std::mem::replace(&mut self.partial, rest);
            self.lines.extend(
                complete
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned),
            );
        }
        Ok(())
    }

    /// Polls until a line satisfies `pred` or `within` passes. Returns the first such
    /// line, or `None` at the deadline. Polls every 10 ms at first, backing off to 50 ms.
    pub async fn wait_for<F>(
        &mut self,
        within: Duration,
        pred: F,
    ) -> Result<Option<String>, ProbeError>
    where
        F: Fn(&str) -> bool,
    {
        let deadline = Instant::now() + within;
        let mut pause = Duration::from_millis(10);
        loop {
            if let Some(hit) = self.read()?.iter().find(|l| pred(l)) {
                return Ok(Some(hit.clone()));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// The log file, when this probe follows a file that does not exist (now). A line that
    /// must appear in a file that never appeared is the probe's error, not the service's
    /// failure: the path is likely wrong.
    pub fn missing_file(&self) -> Option<&std::path::Path> {
        match &self.source {
            LogSource::File(path) if !path.exists() => Some(path),
            _ => None,
        }
    }

    /// Every complete line read since the mark.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

#[cfg(unix)]
fn inode_of(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn inode_of(_meta: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &std::path::Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn reads_only_after_the_mark_and_waits_for_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut probe = LogProbe::new(LogSource::File(path.clone()));
        probe.mark().unwrap();
        assert!(
            probe.read().unwrap().is_empty(),
            "a missing file has no lines"
        );
        append(&path, "{\"a\":1}\n");
        probe.mark().unwrap();
        append(&path, "{\"b\":2}\n{\"c\":");
        assert_eq!(probe.read().unwrap(), ["{\"b\":2}"]);
        append(&path, "3}\n");
        assert_eq!(probe.read().unwrap(), ["{\"b\":2}", "{\"c\":3}"]);
    }

    #[test]
    fn follows_truncation_and_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        append(&path, "old line one\nold line two\n");
        let mut probe = LogProbe::new(LogSource::File(path.clone()));
        probe.mark().unwrap();
        std::fs::write(&path, "new\n").unwrap();
        assert_eq!(probe.read().unwrap(), ["new"]);
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        append(&path, "rotated\n");
        assert_eq!(probe.read().unwrap(), ["new", "rotated"]);
    }

    #[tokio::test]
    async fn waits_until_a_line_appears_or_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut probe = LogProbe::new(LogSource::File(path.clone()));
        probe.mark().unwrap();
        let writer = {
            let path = path.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                append(&path, "hello world\n");
            })
        };
        let hit = probe
            .wait_for(Duration::from_secs(2), |l| l.contains("world"))
            .await
            .unwrap();
        writer.await.unwrap();
        assert_eq!(hit.as_deref(), Some("hello world"));
        let miss = probe
            .wait_for(Duration::from_millis(60), |l| l.contains("never"))
            .await
            .unwrap();
        assert_eq!(miss, None);
    }

    #[test]
    fn captured_output() {
        let shared: SharedLines = Arc::new(Mutex::new(vec!["before".to_owned()]));
        let mut probe = LogProbe::new(LogSource::Captured(shared.clone()));
        probe.mark().unwrap();
        shared.lock().unwrap().push("after".to_owned());
        assert_eq!(probe.read().unwrap(), ["after"]);
    }
}
