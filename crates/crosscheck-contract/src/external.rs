//! References to other files: a multi-file description gathered into one document.
//!
//! Split specs (DigitalOcean's spreads over ~2,900 files) write `$ref: 'models/droplet.yml'`
//! or `$ref: '../shared/responses.yml#/not_found'`, each relative to the file it is
//! written in. [`gather`] reads every file such references reach, once each, and puts
//! it under the root document's [`FILES_KEY`] mapping (keyed by its path relative to the
//! root's folder); every reference is rewritten into a local one
//! (`#/x-crosscheck-files/models~1droplet.yml`). The rest of the importer then sees one
//! document, so pointers, chains and cycles (also across files) are handled in one place,
//! and [`Files::relocate`] turns places inside gathered files back into the file and
//! pointer a person wrote.
//!
//! Reading is done by the caller's `read` function, so this module does no I/O itself.
//! Remote references (`https://…`) are left alone and refused later with a clear message.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::ContractError;
use crate::load::to_value;
use crate::resolve::{push, tokens};

/// The top-level key under which gathered files are kept.
pub(crate) const FILES_KEY: &str = "x-crosscheck-files";

/// At most this many files are gathered: far more than any real spec (DigitalOcean: ~2,900).
const MAX_FILES: usize = 20_000;

/// At most this many bytes are read in all, so a runaway reference graph cannot exhaust
/// memory.
const MAX_BYTES: usize = 512 * 1024 * 1024;

/// The files gathered into a document: key (as under [`FILES_KEY`]) → how to name it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Files {
    labels: HashMap<String, String>,
}

/// Where a reference to another file was written, for the error when that file is bad.
struct Referrer {
    file: String,
    pointer: String,
    reference: String,
}

struct Gatherer<'r> {
    root: PathBuf,
    root_dir: PathBuf,
    keys: HashMap<PathBuf, String>,
    queue: Vec<(PathBuf, String, Referrer)>,
    files: Files,
    read: &'r mut dyn FnMut(&Path) -> std::io::Result<String>,
    bytes: usize,
}

/// Gathers the files that `doc` (read from `root`, named `label`) refers to into it.
/// Returns the document unchanged when it refers to no other file.
pub(crate) fn gather(
    root: &Path,
    label: &str,
    mut doc: Value,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<(Value, Files), ContractError> {
    let root = normalize(root);
    let root_dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut g = Gatherer {
        root: root.clone(),
        root_dir: root_dir.clone(),
        keys: HashMap::new(),
        queue: Vec::new(),
        files: Files::default(),
        read,
        bytes: 0,
    };
    let mut path = String::new();
    g.rewrite(&mut doc, &root_dir, label, None, &mut path);
    let mut gathered = Map::new();
    while let Some((file, key, referrer)) = g.queue.pop() {
        let shown = display(&file);
        let text = (g.read)(&file).map_err(|e| ContractError::BadRef {
            file: referrer.file.clone(),
            pointer: referrer.pointer.clone(),
            target: referrer.reference.clone(),
            reason: format!("names `{shown}`, which cannot be read: {e}; fix the path (it is relative to the file the `$ref` is in)"),
        })?;
        g.bytes += text.len();
        if g.bytes > MAX_BYTES {
            return Err(ContractError::Invalid {
                file: label.to_owned(),
                pointer: String::new(),
                message: format!(
                    "the files it refers to add up to more than {} MiB; split specs that large are not read",
                    MAX_BYTES / (1024 * 1024)
                ),
            });
        }
        let mut value = to_value(&shown, &text)?;
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut path = String::new();
        g.rewrite(&mut value, &dir, &shown, Some(&key), &mut path);
        g.files.labels.insert(key.clone(), shown);
        gathered.insert(key, value);
        if gathered.len() > MAX_FILES {
            return Err(ContractError::Invalid {
                file: label.to_owned(),
                pointer: String::new(),
                message: format!(
                    "it refers to more than {MAX_FILES} files; split specs that large are not read"
                ),
            });
        }
    }
    if !gathered.is_empty()
        && let Value::Object(top) = &mut doc
    {
        top.insert(FILES_KEY.to_owned(), Value::Object(gathered));
    }
    Ok((doc, g.files))
}

impl Gatherer<'_> {
    /// Rewrites every `$ref` in `v` (part of the file `shown`, kept under `key`, in folder
    /// `dir`) into a local reference, queueing the files they name.
    fn rewrite(
        &mut self,
        v: &mut Value,
        dir: &Path,
        shown: &str,
        key: Option<&str>,
        path: &mut String,
    ) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    let len = path.len();
                    *path = push(path, k);
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => {
                            if let Some(local) = self.localize(r, dir, shown, key, path) {
                                *r = local;
                            }
                        }
                        (_, x) => self.rewrite(x, dir, shown, key, path),
                    }
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter_mut().enumerate() {
                    let len = path.len();
                    *path = push(path, &i.to_string());
                    self.rewrite(x, dir, shown, key, path);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// The local form of `reference`, or `None` to leave it as written.
    fn localize(
        &mut self,
        reference: &str,
        dir: &Path,
        shown: &str,
        key: Option<&str>,
        at: &str,
    ) -> Option<String> {
        let (doc_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if doc_part.is_empty() {
            // Local to its own file: inside a gathered file, it names that file.
            let key = key?;
            return Some(format!("#{}{fragment}", file_pointer(key)));
        }
        if doc_part.contains("://") || doc_part.starts_with("urn:") {
            return None;
        }
        let decoded = percent_decode(doc_part);
        let file = normalize(&dir.join(decoded.as_ref()));
        if file == self.root {
            return Some(format!("#{fragment}"));
        }
        let key = match self.keys.get(&file) {
            Some(k) => k.clone(),
            None => {
                let k = relative_key(&file, &self.root_dir);
                self.keys.insert(file.clone(), k.clone());
                self.queue.push((
                    file,
                    k.clone(),
                    Referrer {
                        file: shown.to_owned(),
                        pointer: at.to_owned(),
                        reference: reference.to_owned(),
                    },
                ));
                k
            }
        };
        Some(format!("#{}{fragment}", file_pointer(&key)))
    }
}

/// The pointer of the gathered file `key`.
pub(crate) fn file_pointer(key: &str) -> String {
    push(&push("", FILES_KEY), key)
}

impl Files {
    /// Whether any file was gathered.
    pub(crate) fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The file and pointer that `pointer` (in the gathered document) names as written.
    fn split(&self, pointer: &str) -> Option<(String, String)> {
        let prefix = push("", FILES_KEY);
        let rest = pointer.strip_prefix(&prefix)?.strip_prefix('/')?;
        let (escaped, inner) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let key = tokens(&format!("/{escaped}")).pop()?;
        let label = self.labels.get(&key)?.clone();
        Some((label, inner.to_owned()))
    }

    /// `pointer` written for a person: `file.yaml#/a/b` when it is in a gathered file.
    fn show(&self, pointer: &str) -> String {
        match self.split(pointer) {
            Some((file, inner)) => format!("{file}#{inner}"),
            None => pointer.to_owned(),
        }
    }

    /// `text` with each quoted pointer into a gathered file (`` `#/x-crosscheck-files/a.yaml/B` ``)
    /// written as that file's place (`` `spec/a.yaml#/B` ``).
    fn show_in_text(&self, text: &str) -> String {
        let marker = format!("`#{}", push("", FILES_KEY));
        let mut out = text.to_owned();
        while let Some(start) = out.find(&marker) {
            let end = out[start + 1..]
                .find('`')
                .map_or(out.len(), |e| start + 1 + e);
            let shown = self.show(&out[start + 2..end]);
            if shown.starts_with('/') {
                break;
            }
            out.replace_range(start + 1..end, &shown);
        }
        out
    }

    /// An error about the gathered document, pointed at the file it is really in.
    pub(crate) fn relocate(&self, err: ContractError) -> ContractError {
        if self.is_empty() {
            return err;
        }
        match err {
            ContractError::Invalid {
                file,
                pointer,
                message,
            } => {
                let (file, pointer) = self.split(&pointer).unwrap_or((file, pointer));
                ContractError::Invalid {
                    file,
                    pointer,
                    message,
                }
            }
            ContractError::Unsupported {
                file,
                pointer,
                what,
                help,
            } => {
                let (file, pointer) = self.split(&pointer).unwrap_or((file, pointer));
                ContractError::Unsupported {
                    file,
                    pointer,
                    what,
                    help,
                }
            }
            ContractError::BadRef {
                file,
                pointer,
                target,
                reason,
            } => {
                let target = match target.strip_prefix('#') {
                    Some(p) => self.show(p),
                    None => target,
                };
                let (file, pointer) = self.split(&pointer).unwrap_or((file, pointer));
                ContractError::BadRef {
                    file,
                    pointer,
                    target,
                    reason: self.show_in_text(&reason),
                }
            }
            ContractError::Cycle {
                file,
                pointer,
                chain,
            } => {
                let chain = chain.iter().map(|p| self.show(p)).collect();
                let (file, pointer) = self.split(&pointer).unwrap_or((file, pointer));
                ContractError::Cycle {
                    file,
                    pointer,
                    chain,
                }
            }
            other => other,
        }
    }

    /// A warning (`#/pointer: message`) pointed at the file it is really about.
    pub(crate) fn relocate_warning(&self, warning: String) -> String {
        let Some(rest) = warning.strip_prefix('#') else {
            return warning;
        };
        let (pointer, message) = rest.split_once(": ").unwrap_or((rest, ""));
        match self.split(pointer) {
            Some((file, inner)) => format!("{file}#{inner}: {message}"),
            None => warning,
        }
    }
}

/// `path` with `.` and `..` resolved lexically (no file system access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `file` relative to `dir` with `/` separators, for keys and messages.
fn relative_key(file: &Path, dir: &Path) -> String {
    let rel = file.strip_prefix(dir).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return s.into();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = s.get(i + 1..i + 3).filter(|_| bytes[i] == b'%');
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_or(s.into(), Into::into)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn files(list: &[(&str, &str)]) -> impl FnMut(&Path) -> std::io::Result<String> {
        let map: HashMap<PathBuf, String> = list
            .iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
            .collect();
        move |p: &Path| {
            map.get(p).cloned().ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
            })
        }
    }

    #[test]
    fn gathers_each_file_once_with_refs_relative_to_their_file() {
        let mut read = files(&[
            (
                "spec/models/pet.yaml",
                "type: object\nproperties:\n  owner: {$ref: '../shared/user.yaml#/User'}\n  self: {$ref: '#'}\n",
            ),
            (
                "spec/shared/user.yaml",
                "User: {type: string}\nBack: {$ref: '../root.yaml#/x'}\n",
            ),
        ]);
        let doc = json!({"a": {"$ref": "models/pet.yaml"}, "b": {"$ref": "./models/pet.yaml#/properties"},
                         "r": {"$ref": "https://example.com/x.yaml"}});
        let (doc, files) = gather(
            Path::new("spec/root.yaml"),
            "spec/root.yaml",
            doc,
            &mut read,
        )
        .unwrap();
        assert_eq!(doc["a"]["$ref"], "#/x-crosscheck-files/models~1pet.yaml");
        assert_eq!(
            doc["b"]["$ref"],
            "#/x-crosscheck-files/models~1pet.yaml/properties"
        );
        assert_eq!(doc["r"]["$ref"], "https://example.com/x.yaml");
        let gathered = doc[FILES_KEY].as_object().unwrap();
        assert_eq!(gathered.len(), 2);
        let pet = &gathered["models/pet.yaml"];
        assert_eq!(
            pet["properties"]["owner"]["$ref"],
            "#/x-crosscheck-files/shared~1user.yaml/User"
        );
        assert_eq!(
            pet["properties"]["self"]["$ref"],
            "#/x-crosscheck-files/models~1pet.yaml"
        );
        assert_eq!(gathered["shared/user.yaml"]["Back"]["$ref"], "#/x");
        assert_eq!(
            files.relocate_warning("#/x-crosscheck-files/shared~1user.yaml/User: odd".into()),
            "spec/shared/user.yaml#/User: odd"
        );
    }

    #[test]
    fn missing_file_names_the_referring_file_and_pointer() {
        let mut read = files(&[("a/b.yaml", "x: {$ref: 'nope.yaml#/y'}\n")]);
        let doc = json!({"p": [{"$ref": "a/b.yaml"}]});
        let err = gather(Path::new("root.json"), "root.json", doc, &mut read)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("`a/b.yaml` at `#/x/$ref`: `$ref` `nope.yaml#/y` names `a/nope.yaml`, which cannot be read"), "{err}");
    }

    #[test]
    fn bad_syntax_in_a_referenced_file_names_it() {
        let mut read = files(&[("b.json", "{\"a\": 1,}")]);
        let err = gather(
            Path::new("root.yaml"),
            "root.yaml",
            json!({"$ref": "b.json"}),
            &mut read,
        )
        .unwrap_err();
        assert!(
            matches!(err, ContractError::Syntax { ref file, .. } if file == "b.json"),
            "{err}"
        );
    }

    #[test]
    fn errors_in_gathered_files_are_relocated() {
        let mut files = Files::default();
        files
            .labels
            .insert("m/a.yaml".into(), "spec/m/a.yaml".into());
        let err = files.relocate(ContractError::Cycle {
            file: "spec/root.yaml".into(),
            pointer: "/x-crosscheck-files/m~1a.yaml/A".into(),
            chain: vec![
                "/x-crosscheck-files/m~1a.yaml/A".into(),
                "/components/schemas/B".into(),
                "/x-crosscheck-files/m~1a.yaml/A".into(),
            ],
        });
        let text = err.to_string();
        assert!(text.starts_with("`spec/m/a.yaml` at `#/A`"), "{text}");
        assert!(
            text.contains("(spec/m/a.yaml#/A → #/components/schemas/B → spec/m/a.yaml#/A)"),
            "{text}"
        );
    }
}
