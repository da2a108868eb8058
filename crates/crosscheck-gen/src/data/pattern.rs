//! Strings for regular expressions: one that matches (walked from the parsed pattern)
//! and ones that do not.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A string that `pattern` matches, preferring short ones; `None` when the pattern
/// cannot be parsed or uses something this walk does not build (look-arounds other
/// than anchors). The caller checks the result with the validator.
pub fn matching(pattern: &str, min_len: usize) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .build()
        .parse(pattern)
        .ok()?;
    let mut out = String::new();
    build(&hir, &mut out, min_len)?;
    Some(out)
}

fn build(hir: &Hir, out: &mut String, min_len: usize) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(()),
        HirKind::Literal(lit) => {
            out.push_str(std::str::from_utf8(&lit.0).ok()?);
            Some(())
        }
        HirKind::Class(class) => {
            out.push(pick(class)?);
            Some(())
        }
        HirKind::Repetition(rep) => {
            // Enough repetitions to reach `min_len` when the pattern is one repeated class.
            let want = usize::try_from(rep.min).ok()?.max(1);
            let max = rep
                .max
                .and_then(|m| usize::try_from(m).ok())
                .unwrap_or(usize::MAX);
            let before = out.len();
            let mut n = 0;
            while n < max && (n < want || out.len() - before < min_len) && n < 256 {
                build(&rep.sub, out, 0)?;
                n += 1;
            }
            Some(())
        }
        HirKind::Capture(cap) => build(&cap.sub, out, min_len),
        HirKind::Concat(parts) => {
            // The first repetition stretches to reach `min_len`.
            let stretch = parts
                .iter()
                .position(|p| matches!(p.kind(), HirKind::Repetition(_)));
            parts
                .iter()
                .enumerate()
                .try_for_each(|(i, p)| build(p, out, if Some(i) == stretch { min_len } else { 0 }))
        }
        HirKind::Alternation(alts) => build(alts.first()?, out, min_len),
    }
}

/// A readable member of a character class: a letter or digit when it has one.
fn pick(class: &Class) -> Option<char> {
    let candidates = ['a', 'b', 'x', '1', 'A', 'Z', '0', '-', '_', '.', ' '];
    match class {
        Class::Unicode(c) => candidates
            .into_iter()
            .find(|ch| {
                c.ranges()
                    .iter()
                    .any(|r| r.start() <= *ch && *ch <= r.end())
            })
            .or_else(|| c.ranges().first().map(|r| r.start())),
        Class::Bytes(c) => candidates
            .into_iter()
            .find(|ch| {
                c.ranges()
                    .iter()
                    .any(|r| char::from(r.start()) <= *ch && *ch <= char::from(r.end()))
            })
            .or_else(|| c.ranges().first().map(|r| char::from(r.start()))),
    }
}

/// Strings to try when a value must break the pattern (the caller keeps the first that
/// does, with its length constraints still met).
pub fn non_matching_candidates(len: usize) -> Vec<String> {
    let len = len.max(1);
    ["!", " ", "/", "~", "é", "\t", "a", "0", "Z", "-"]
        .iter()
        .map(|c| c.repeat(len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_matching_strings() {
        for p in [
            "^[^/]+$",
            "^Bearer [!-~]+$",
            "^[A-Z]{3}-\\d{2,4}$",
            "^(foo|bar)baz?$",
            "x*",
        ] {
            let s = matching(p, 0).unwrap();
            assert!(regex::Regex::new(p).unwrap().is_match(&s), "{p} → {s:?}");
        }
        assert_eq!(matching("^a+$", 4).unwrap(), "aaaa");
    }
}
