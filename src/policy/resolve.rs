//! `extends` and `[[include]]`: a rule file built on another, and shared rule files pulled in.
//!
//! ```toml
//! extends = "us-to-jpn.toml"          # every key of the parent, then this file's on top
//! name = "us-to-aus"                  # a value replaces the parent's
//! partner = "AUS"
//! [controls]
//! forbidden = { add = ["AUS-EYES-ONLY"], remove = ["PROPIN"] }   # a list edited, not replaced
//! [[include]]
//! file = "shared/internal-networks.toml"   # its `redact`, `dirty_words`, `pattern_rules` appended
//! ```
//!
//! Tables merge key by key, recursively; any other value (a list included) is replaced whole,
//! unless the child writes it as `{ add = [...], remove = [...] }`, which edits the parent's list:
//! `remove` names elements by value or, for rule tables, by `id`, and removing what the parent
//! does not have is an error (a typo must not leave a rule in force). Included files may hold only
//! rule lists. Word files (`dirty_words[*].file`) stay relative to the file that names them.
//! Cycles and chains deeper than [`MAX_DEPTH`] are errors.
//!
//! The resolved policy is one TOML text; its SHA-256 is the policy's version (the audit's
//! `policy_sha256`). A file that extends and includes nothing is its own resolved text, so its
//! version is the SHA-256 of its bytes.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::diagnostic::{Finding, PolicyErrors, line_col};
use super::locate;

/// How many files deep `extends` may go.
pub const MAX_DEPTH: usize = 8;

/// The lists an included file may contribute.
const INCLUDABLE: &[&str] = &["redact", "dirty_words", "pattern_rules"];

/// A rule file with what it extends and includes merged in.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The merged policy, as TOML text (the file itself when it extends and includes nothing).
    pub text: String,
    /// The files read, the named one first, with their texts (to locate errors in).
    pub sources: Vec<(String, String)>,
    /// Which file last set each field (a dotted path), in the order they were set.
    provenance: Vec<(String, String)>,
}

impl Resolved {
    /// Where the value at byte `span` of [`Resolved::text`] (field `field`) was written, as
    /// file, line and column. A file that extends and includes nothing is its own resolved
    /// text, so that is the span's own line; a merged text is nobody's writing, so the field is
    /// looked for in the file that last set it ([`Resolved::locate`]).
    pub fn position(&self, span: &std::ops::Range<usize>, field: &str) -> (String, usize, usize) {
        match self.sources.as_slice() {
            [(name, _)] => {
                let (line, column) = line_col(&self.text, span.start);
                (name.clone(), line, column)
            }
            _ => self.locate(field),
        }
    }

    /// Where `field` is written: in the file that last set it (or the part of it that file set),
    /// at the deepest part of it that file has.
    pub fn locate(&self, field: &str) -> (String, usize, usize) {
        let owns = |p: &str| {
            field == p
                || field
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        // The longest path that owns it, the latest set among equals (`max_by_key` keeps the last).
        let owner = self
            .provenance
            .iter()
            .filter(|(p, _)| owns(p))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, file)| file.as_str());
        let (name, text) = owner
            .and_then(|o| self.sources.iter().find(|(n, _)| n == o))
            .or(self.sources.first())
            .map_or(("-", ""), |(n, t)| (n.as_str(), t.as_str()));
        let (line, column) = locate::field(text, field).unwrap_or((1, 1));
        (name.to_string(), line, column)
    }
}

/// Read `path` and everything it extends and includes.
pub fn resolve(path: &Path) -> Result<Resolved, PolicyErrors> {
    let mut sources = Vec::new();
    let mut chain = Vec::new();
    let mut provenance = Vec::new();
    let table = load(path, None, &mut chain, &mut sources, &mut provenance)?;
    let text = match sources.as_slice() {
        [(_, only)] => only.clone(),
        _ => toml::to_string(&table).map_err(|e| {
            one(
                "unwritable-merge",
                &path.display().to_string(),
                1,
                1,
                "-",
                e.to_string(),
            )
        })?,
    };
    Ok(Resolved {
        text,
        sources,
        provenance,
    })
}

/// Resolve a rule file given as text (nothing it names can be read: `extends` and `include`
/// are errors).
pub fn from_text(text: &str, file: &str) -> Result<Resolved, PolicyErrors> {
    let table = parse(text, file)?;
    for key in ["extends", "include"] {
        if table.contains_key(key) {
            let (line, column) = locate::field(text, key).unwrap_or((1, 1));
            return Err(one(
                "needs-policy-file",
                file,
                line,
                column,
                key,
                format!("`{key}` needs the policy to be loaded from a file"),
            ));
        }
    }
    Ok(Resolved {
        text: text.to_string(),
        sources: vec![(file.to_string(), text.to_string())],
        provenance: Vec::new(),
    })
}

fn one(rule: &'static str, file: &str, line: usize, column: usize, field: &str, detail: String) -> PolicyErrors {
    PolicyErrors(vec![Finding::error(rule, field, 0..0, detail).at(
        file.to_string(),
        line,
        column,
    )])
}

/// The TOML text of `file` as a table, or its syntax error, located.
fn parse(text: &str, file: &str) -> Result<Table, PolicyErrors> {
    toml::from_str::<Table>(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        one(
            "toml-syntax",
            file,
            line,
            column,
            "-",
            format!("TOML syntax: {}", e.message()),
        )
    })
}

/// Load `path` (named from `from`, for errors) with its parents and includes merged in.
fn load(
    path: &Path,
    from: Option<(&str, &str, &str)>,
    chain: &mut Vec<PathBuf>,
    sources: &mut Vec<(String, String)>,
    provenance: &mut Vec<(String, String)>,
) -> Result<Table, PolicyErrors> {
    let name = path.display().to_string();
    let err_from = |rule: &'static str, detail: String| match from {
        Some((file, text, field)) => {
            let (line, column) = locate::field(text, field).unwrap_or((1, 1));
            one(rule, file, line, column, field, detail)
        }
        None => one(rule, &name, 0, 0, "-", detail),
    };
    let canonical = path
        .canonicalize()
        .map_err(|e| err_from("unreadable-file", format!("cannot read `{name}`: {e}")))?;
    if chain.contains(&canonical) {
        return Err(err_from(
            "extends-cycle",
            format!("`{name}` extends or includes itself (a cycle)"),
        ));
    }
    if chain.len() >= MAX_DEPTH {
        return Err(err_from(
            "extends-too-deep",
            format!("more than {MAX_DEPTH} files deep"),
        ));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| err_from("unreadable-file", format!("cannot read `{name}`: {e}")))?;
    let mut table = parse(&text, &name)?;
    sources.push((name.clone(), text.clone()));
    chain.push(canonical);
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let extends = match table.remove("extends") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(at(
                "bad-extends",
                &name,
                &text,
                "extends",
                "`extends` is the path of one rule file".into(),
            ));
        }
    };
    let includes = match table.remove("include") {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(at(
                "bad-include",
                &name,
                &text,
                "include",
                "`include` is a list of `[[include]]` tables with a `file`".into(),
            ));
        }
    };
    let mut merged = match &extends {
        Some(parent) => {
            let mut base = load(
                &base_dir.join(parent),
                Some((&name, &text, "extends")),
                chain,
                sources,
                provenance,
            )?;
            rebase_word_files(&mut base, Path::new(parent).parent().unwrap_or(Path::new("")));
            merge(&mut base, table, "", (&name, &text), provenance)?;
            base
        }
        None => {
            provenance.extend(table.keys().map(|k| (k.clone(), name.clone())));
            table
        }
    };
    for (n, inc) in includes.into_iter().enumerate() {
        let field = format!("include[{n}]");
        let file = match inc {
            Value::Table(t) if t.len() == 1 => match t.get("file") {
                Some(Value::String(f)) => f.clone(),
                _ => {
                    return Err(at(
                        "bad-include",
                        &name,
                        &text,
                        &field,
                        "an include is `{ file = \"…\" }`".into(),
                    ));
                }
            },
            _ => {
                return Err(at(
                    "bad-include",
                    &name,
                    &text,
                    &field,
                    "an include is `{ file = \"…\" }`".into(),
                ));
            }
        };
        let mut included = load(
            &base_dir.join(&file),
            Some((&name, &text, &format!("{field}.file"))),
            chain,
            sources,
            &mut Vec::new(),
        )?;
        if let Some(k) = included.keys().find(|k| !INCLUDABLE.contains(&k.as_str())) {
            return Err(at(
                "bad-include",
                &name,
                &text,
                &field,
                format!(
                    "`{file}` holds `{k}`; an included file may hold only {}",
                    INCLUDABLE.join(", ")
                ),
            ));
        }
        rebase_word_files(&mut included, Path::new(&file).parent().unwrap_or(Path::new("")));
        for key in INCLUDABLE {
            if let Some(Value::Array(items)) = included.remove(*key) {
                match merged
                    .entry(key.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(list) => list.extend(items),
                    _ => {
                        return Err(at(
                            "bad-include",
                            &name,
                            &text,
                            key,
                            format!("`{key}` must be a list to include into"),
                        ));
                    }
                }
            }
        }
    }
    chain.pop();
    Ok(merged)
}

fn at(rule: &'static str, file: &str, text: &str, field: &str, detail: String) -> PolicyErrors {
    let (line, column) = locate::field(text, field).unwrap_or((1, 1));
    one(rule, file, line, column, field, detail)
}

/// Word files are named relative to the file that names them: seen from a file in another
/// directory (`dir`, relative), their paths gain that directory.
fn rebase_word_files(table: &mut Table, dir: &Path) {
    if dir.as_os_str().is_empty() {
        return;
    }
    if let Some(Value::Array(lists)) = table.get_mut("dirty_words") {
        for list in lists.iter_mut() {
            if let Some(Value::String(f)) = list.as_table_mut().and_then(|t| t.get_mut("file")) {
                *f = dir.join(&*f).to_string_lossy().into_owned();
            }
        }
    }
}

/// Merge `child` into `base` (see the module doc); `at_path` is the dotted path of `base`, and
/// `provenance` gains the fields `file` sets.
fn merge(
    base: &mut Table,
    child: Table,
    at_path: &str,
    file: (&str, &str),
    provenance: &mut Vec<(String, String)>,
) -> Result<(), PolicyErrors> {
    let (name, text) = file;
    for (key, value) in child {
        let field = if at_path.is_empty() {
            key.clone()
        } else {
            format!("{at_path}.{key}")
        };
        match (base.get_mut(&key), value) {
            (Some(Value::Array(list)), Value::Table(edit)) if is_edit(&edit) => {
                apply_edit(list, edit, &field, name, text)?;
            }
            (None, Value::Table(edit)) if is_edit(&edit) => {
                return Err(at(
                    "bad-list-edit",
                    name,
                    text,
                    &field,
                    format!("`add`/`remove` edit a list the parent has, and the parent has no `{field}`"),
                ));
            }
            (Some(Value::Table(b)), Value::Table(c)) => {
                merge(b, c, &field, file, provenance)?;
                continue;
            }
            (_, v) => {
                base.insert(key, v);
            }
        }
        provenance.push((field, name.to_string()));
    }
    Ok(())
}

fn is_edit(t: &Table) -> bool {
    !t.is_empty() && t.keys().all(|k| k == "add" || k == "remove")
}

/// Apply `{ add = [...], remove = [...] }` to `list`: removals first, then additions.
fn apply_edit(list: &mut Vec<Value>, mut edit: Table, field: &str, file: &str, text: &str) -> Result<(), PolicyErrors> {
    let as_list = |v: Option<Value>, what: &str| -> Result<Vec<Value>, PolicyErrors> {
        match v {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(at(
                "bad-list-edit",
                file,
                text,
                &format!("{field}.{what}"),
                format!("`{what}` is a list"),
            )),
        }
    };
    let remove = as_list(edit.remove("remove"), "remove")?;
    let add = as_list(edit.remove("add"), "add")?;
    for (n, r) in remove.iter().enumerate() {
        let names = |v: &Value| v == r || v.get("id").is_some_and(|id| id == r);
        let before = list.len();
        list.retain(|v| !names(v));
        if list.len() == before {
            return Err(at(
                "nothing-to-remove",
                file,
                text,
                &format!("{field}.remove[{n}]"),
                format!("the parent's `{field}` has no {r}: nothing to remove"),
            ));
        }
    }
    list.extend(add);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn child_overrides_by_key_and_merges_tables() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "base.toml",
            "name = \"a\"\n[tlp]\nallowed = [\"GREEN\"]\nrequired = true\n",
        );
        let child = write(
            d.path(),
            "child.toml",
            "extends = \"base.toml\"\nname = \"b\"\n[tlp]\nallowed = [\"CLEAR\"]\n",
        );
        let r = resolve(&child).unwrap();
        let t: Table = toml::from_str(&r.text).unwrap();
        assert_eq!(t["name"].as_str(), Some("b"));
        assert_eq!(t["tlp"]["allowed"].as_array().unwrap().len(), 1);
        assert_eq!(t["tlp"]["required"].as_bool(), Some(true));
        assert_eq!(r.sources.len(), 2);
    }

    #[test]
    fn add_and_remove_edit_the_parents_list() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "base.toml",
            "[controls]\nforbidden = [\"NOFORN\", \"ORCON\"]\n[[redact]]\nid = \"x\"\n[[redact]]\nid = \"y\"\n",
        );
        let child = write(
            d.path(),
            "child.toml",
            "extends = \"base.toml\"\n[controls]\nforbidden = { add = [\"PROPIN\"], remove = [\"ORCON\"] }\n[redact]\nremove = [\"x\"]\n",
        );
        let t: Table = toml::from_str(&resolve(&child).unwrap().text).unwrap();
        let f: Vec<&str> = t["controls"]["forbidden"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(f, ["NOFORN", "PROPIN"]);
        assert_eq!(t["redact"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn removing_what_the_parent_lacks_is_a_located_error() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "base.toml", "[controls]\nforbidden = [\"NOFORN\"]\n");
        let child = write(
            d.path(),
            "child.toml",
            "extends = \"base.toml\"\n[controls]\nforbidden = { remove = [\"NOFROM\"] }\n",
        );
        let e = resolve(&child).unwrap_err();
        assert_eq!(e.0[0].field, "controls.forbidden.remove[0]");
        assert!(e.0[0].file.ends_with("child.toml") && e.0[0].line == 3, "{e}");
    }

    #[test]
    fn cycles_and_missing_parents_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "a.toml", "extends = \"b.toml\"\n");
        write(d.path(), "b.toml", "extends = \"a.toml\"\n");
        assert!(resolve(&a).unwrap_err().to_string().contains("cycle"));
        let c = write(d.path(), "c.toml", "extends = \"nope.toml\"\n");
        let e = resolve(&c).unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].line), ("extends", 1), "{e}");
    }

    #[test]
    fn includes_append_rule_lists_only_and_word_files_stay_relative() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "shared/words.toml",
            "[[dirty_words]]\nid = \"w\"\nfile = \"w.txt\"\naction = \"drop\"\n",
        );
        write(d.path(), "shared/bad.toml", "name = \"x\"\n");
        let ok = write(
            d.path(),
            "p.toml",
            "[[dirty_words]]\nid = \"v\"\nwords = [\"a\"]\naction = \"drop\"\n[[include]]\nfile = \"shared/words.toml\"\n",
        );
        let t: Table = toml::from_str(&resolve(&ok).unwrap().text).unwrap();
        let lists = t["dirty_words"].as_array().unwrap();
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[1]["file"].as_str(), Some("shared/w.txt"));
        let bad = write(d.path(), "q.toml", "[[include]]\nfile = \"shared/bad.toml\"\n");
        assert!(resolve(&bad).unwrap_err().to_string().contains("may hold only"));
    }

    #[test]
    fn a_file_that_extends_nothing_is_its_own_resolved_text() {
        let d = tempfile::tempdir().unwrap();
        let text = "# comment kept\nname = \"a\"\n";
        let p = write(d.path(), "a.toml", text);
        assert_eq!(resolve(&p).unwrap().text, text);
        assert!(from_text("extends = \"x\"\n", "t.toml").is_err());
    }
}
