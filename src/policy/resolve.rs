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
//!
//! A merged text is nobody's writing, so a finding about it is placed where its value came from:
//! while merging, a [`Prov`] tree kept in step with the merged table records, for every value, the
//! file and byte offset it was read at (from the spans `toml` gives while reading each file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::{Spanned, Table, Value};

use super::diagnostic::{Finding, PolicyErrors, line_col};

/// How many files deep `extends` may go.
pub const MAX_DEPTH: usize = 8;

/// The lists an included file may contribute.
const INCLUDABLE: &[&str] = &["redact", "dirty_words", "pattern_rules"];

/// How deep [`Prov`] follows nested values; below that, a value is placed at its ancestor's
/// origin (a recursion bound on untrusted nesting).
const MAX_PROV_DEPTH: usize = 64;

/// A rule file with what it extends and includes merged in.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The merged policy, as TOML text (the file itself when it extends and includes nothing).
    pub text: String,
    /// The files read, the named one first, with their texts (to locate errors in).
    pub sources: Vec<(String, String)>,
    /// Where each value of the merged policy was written, in step with it.
    prov: Prov,
}

/// Where a value was read: a file (an index into [`Resolved::sources`]) and a byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin {
    file: usize,
    offset: usize,
}

/// The origin of a value and, for a table or a list, of each value in it: a tree kept in step with
/// the merged table (edits remove and append its items, includes append to its lists).
#[derive(Debug, Clone)]
struct Prov {
    at: Origin,
    keys: BTreeMap<String, Prov>,
    items: Vec<Prov>,
}

impl Prov {
    fn leaf(at: Origin) -> Prov {
        Prov {
            at,
            keys: BTreeMap::new(),
            items: Vec::new(),
        }
    }

    /// The spans of every value in `text` (file number `file`), as `toml` read them.
    fn of_text(text: &str, file: usize) -> Prov {
        match DeTable::parse(text) {
            Ok(doc) => {
                let mut p = Prov::leaf(Origin {
                    file,
                    offset: doc.span().start,
                });
                p.keys = Prov::of_table(doc.get_ref(), file, MAX_PROV_DEPTH);
                p
            }
            Err(_) => Prov::leaf(Origin { file, offset: 0 }),
        }
    }

    fn of_table(t: &DeTable<'_>, file: usize, depth: usize) -> BTreeMap<String, Prov> {
        t.iter()
            .map(|(k, v)| (k.get_ref().to_string(), Prov::of_value(v, file, depth)))
            .collect()
    }

    fn of_value(v: &Spanned<DeValue<'_>>, file: usize, depth: usize) -> Prov {
        let mut p = Prov::leaf(Origin {
            file,
            offset: v.span().start,
        });
        let Some(depth) = depth.checked_sub(1) else {
            return p;
        };
        match v.get_ref() {
            DeValue::Table(t) => p.keys = Prov::of_table(t, file, depth),
            DeValue::Array(a) => p.items = a.iter().map(|i| Prov::of_value(i, file, depth)).collect(),
            _ => {}
        }
        p
    }

    /// The origin of `field` (dotted keys and `[n]` indices), or of its deepest part there is.
    fn find(&self, field: &str) -> Origin {
        let mut node = self;
        for step in steps(field) {
            let next = match step {
                Step::Key(k) => node.keys.get(k),
                Step::Index(n) => node.items.get(n),
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.at
    }

    /// The subtree of `key`, taken out, or a leaf at this value's origin.
    fn take(&mut self, key: &str) -> Prov {
        self.keys.remove(key).unwrap_or_else(|| Prov::leaf(self.at))
    }
}

enum Step<'f> {
    Key(&'f str),
    Index(usize),
}

/// The steps of a field path: `tlp.allowed[2]` is `tlp`, `allowed`, `2`.
fn steps(field: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in field.split('.') {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        for index in rest.split('[') {
            if let Ok(n) = index.trim_end_matches(']').parse() {
                out.push(Step::Index(n));
            }
        }
    }
    out
}

impl Resolved {
    /// Where the value at byte `span` of [`Resolved::text`] (field `field`) was written, as
    /// file, line and column. A file that extends and includes nothing is its own resolved
    /// text, so that is the span's own line; a merged text is nobody's writing, so the field's
    /// value is placed where the merge took it from ([`Resolved::locate`]).
    pub fn position(&self, span: &std::ops::Range<usize>, field: &str) -> (String, usize, usize) {
        match self.sources.as_slice() {
            [(name, _)] => {
                let (line, column) = line_col(&self.text, span.start);
                (name.clone(), line, column)
            }
            _ => self.locate(field),
        }
    }

    /// Where the value of `field` in the merged policy was written (or, when the merged policy
    /// has no such value, the deepest part of the field it has).
    pub fn locate(&self, field: &str) -> (String, usize, usize) {
        place(&self.sources, self.prov.find(field))
    }
}

/// File, line and column of `at`.
fn place(sources: &[(String, String)], at: Origin) -> (String, usize, usize) {
    match sources.get(at.file) {
        Some((name, text)) => {
            let (line, column) = line_col(text, at.offset);
            (name.clone(), line, column)
        }
        None => ("-".to_string(), 1, 1),
    }
}

/// Read `path` and everything it extends and includes.
pub fn resolve(path: &Path) -> Result<Resolved, PolicyErrors> {
    let mut sources = Vec::new();
    let mut chain = Vec::new();
    let (table, prov) = load(path, None, &mut chain, &mut sources)?;
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
    Ok(Resolved { text, sources, prov })
}

/// Resolve a rule file given as text (nothing it names can be read: `extends` and `include`
/// are errors).
pub fn from_text(text: &str, file: &str) -> Result<Resolved, PolicyErrors> {
    let table = parse(text, file)?;
    let sources = vec![(file.to_string(), text.to_string())];
    for key in ["extends", "include"] {
        if table.contains_key(key) {
            return Err(error_at(
                "needs-policy-file",
                &sources,
                Prov::of_text(text, 0).find(key),
                key,
                format!("`{key}` needs the policy to be loaded from a file"),
            ));
        }
    }
    Ok(Resolved {
        text: text.to_string(),
        sources,
        prov: Prov::leaf(Origin { file: 0, offset: 0 }),
    })
}

fn one(rule: &'static str, file: &str, line: usize, column: usize, field: &str, detail: String) -> PolicyErrors {
    PolicyErrors(vec![Finding::error(rule, field, 0..0, detail).at(
        file.to_string(),
        line,
        column,
    )])
}

/// An error about `field`, whose value was read at `at`.
fn error_at(rule: &'static str, sources: &[(String, String)], at: Origin, field: &str, detail: String) -> PolicyErrors {
    let (file, line, column) = place(sources, at);
    one(rule, &file, line, column, field, detail)
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

/// Load `path` (named at `from`, the origin and field of its name, for errors) with its parents
/// and includes merged in, and where each of its values was written.
fn load(
    path: &Path,
    from: Option<(Origin, &str)>,
    chain: &mut Vec<PathBuf>,
    sources: &mut Vec<(String, String)>,
) -> Result<(Table, Prov), PolicyErrors> {
    let name = path.display().to_string();
    let err_from = |rule: &'static str, detail: String| match from {
        Some((at, field)) => error_at(rule, sources, at, field, detail),
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
    let file = sources.len();
    // A file that is the whole policy is its own resolved text, placed by its own spans: what it
    // holds needs no origins.
    let alone = from.is_none() && !table.contains_key("extends") && !table.contains_key("include");
    let mut own = if alone {
        Prov::leaf(Origin { file, offset: 0 })
    } else {
        Prov::of_text(&text, file)
    };
    sources.push((name.clone(), text));
    chain.push(canonical);
    // `extends` and `include` are this file's alone: they are not merged, but errors about them
    // are placed in it.
    let mut head = Prov::leaf(own.at);
    for key in ["extends", "include"] {
        if let Some(p) = own.keys.remove(key) {
            head.keys.insert(key.to_string(), p);
        }
    }
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let extends = match table.remove("extends") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(error_at(
                "bad-extends",
                sources,
                head.find("extends"),
                "extends",
                "`extends` is the path of one rule file".into(),
            ));
        }
    };
    let includes = match table.remove("include") {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(error_at(
                "bad-include",
                sources,
                head.find("include"),
                "include",
                "`include` is a list of `[[include]]` tables with a `file`".into(),
            ));
        }
    };
    let (mut merged, mut merged_prov) = match &extends {
        Some(parent) => {
            let (mut base, mut base_prov) = load(
                &base_dir.join(parent),
                Some((head.find("extends"), "extends")),
                chain,
                sources,
            )?;
            rebase_word_files(&mut base, Path::new(parent).parent().unwrap_or(Path::new("")));
            merge(&mut base, &mut base_prov, table, own, "", sources)?;
            // What is not found deeper is placed in this file, not its parent.
            base_prov.at = head.at;
            (base, base_prov)
        }
        None => (table, own),
    };
    for (n, inc) in includes.into_iter().enumerate() {
        let field = format!("include[{n}]");
        let bad = |sources: &[(String, String)]| {
            error_at(
                "bad-include",
                sources,
                head.find(&field),
                &field,
                "an include is `{ file = \"…\" }`".into(),
            )
        };
        let included_file = match inc {
            Value::Table(t) if t.len() == 1 => match t.get("file") {
                Some(Value::String(f)) => f.clone(),
                _ => return Err(bad(sources)),
            },
            _ => return Err(bad(sources)),
        };
        let file_field = format!("{field}.file");
        let (mut included, mut included_prov) = load(
            &base_dir.join(&included_file),
            Some((head.find(&file_field), &file_field)),
            chain,
            sources,
        )?;
        if let Some(k) = included.keys().find(|k| !INCLUDABLE.contains(&k.as_str())) {
            return Err(error_at(
                "bad-include",
                sources,
                head.find(&field),
                &field,
                format!(
                    "`{included_file}` holds `{k}`; an included file may hold only {}",
                    INCLUDABLE.join(", ")
                ),
            ));
        }
        rebase_word_files(
            &mut included,
            Path::new(&included_file).parent().unwrap_or(Path::new("")),
        );
        for key in INCLUDABLE {
            if let Some(Value::Array(items)) = included.remove(*key) {
                let items_prov = included_prov.take(key);
                match merged
                    .entry(key.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(list) => {
                        list.extend(items);
                        merged_prov
                            .keys
                            .entry(key.to_string())
                            .or_insert_with(|| Prov::leaf(items_prov.at))
                            .items
                            .extend(items_prov.items);
                    }
                    _ => {
                        return Err(error_at(
                            "bad-include",
                            sources,
                            merged_prov.find(key),
                            key,
                            format!("`{key}` must be a list to include into"),
                        ));
                    }
                }
            }
        }
    }
    chain.pop();
    Ok((merged, merged_prov))
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

/// Merge `child` into `base` (see the module doc), and the origins of `child`'s values
/// (`child_prov`) into `base_prov`, in step; `at_path` is the dotted path of `base`.
fn merge(
    base: &mut Table,
    base_prov: &mut Prov,
    child: Table,
    mut child_prov: Prov,
    at_path: &str,
    sources: &[(String, String)],
) -> Result<(), PolicyErrors> {
    for (key, value) in child {
        let field = if at_path.is_empty() {
            key.clone()
        } else {
            format!("{at_path}.{key}")
        };
        let value_prov = child_prov.take(&key);
        match (base.get_mut(&key), value) {
            (Some(Value::Array(list)), Value::Table(edit)) if is_edit(&edit) => {
                let list_prov = base_prov.keys.entry(key).or_insert_with(|| Prov::leaf(value_prov.at));
                // The list is now as this file's edit leaves it.
                list_prov.at = value_prov.at;
                apply_edit(list, &mut list_prov.items, edit, value_prov, &field, sources)?;
            }
            (None, Value::Table(edit)) if is_edit(&edit) => {
                return Err(error_at(
                    "bad-list-edit",
                    sources,
                    value_prov.at,
                    &field,
                    format!("`add`/`remove` edit a list the parent has, and the parent has no `{field}`"),
                ));
            }
            (Some(Value::Table(b)), Value::Table(c)) => {
                let table_prov = base_prov.keys.entry(key).or_insert_with(|| Prov::leaf(value_prov.at));
                merge(b, table_prov, c, value_prov, &field, sources)?;
            }
            (_, v) => {
                base.insert(key.clone(), v);
                base_prov.keys.insert(key, value_prov);
            }
        }
    }
    Ok(())
}

fn is_edit(t: &Table) -> bool {
    !t.is_empty() && t.keys().all(|k| k == "add" || k == "remove")
}

/// Apply `{ add = [...], remove = [...] }` (read at `edit_prov`) to `list`, and to the origins of
/// its items (`items`) in step: removals first, then additions.
fn apply_edit(
    list: &mut Vec<Value>,
    items: &mut Vec<Prov>,
    mut edit: Table,
    mut edit_prov: Prov,
    field: &str,
    sources: &[(String, String)],
) -> Result<(), PolicyErrors> {
    let as_list = |v: Option<Value>, what: &str, at: Origin| -> Result<Vec<Value>, PolicyErrors> {
        match v {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(error_at(
                "bad-list-edit",
                sources,
                at,
                &format!("{field}.{what}"),
                format!("`{what}` is a list"),
            )),
        }
    };
    let remove_prov = edit_prov.take("remove");
    let add_prov = edit_prov.take("add");
    let remove = as_list(edit.remove("remove"), "remove", remove_prov.at)?;
    let add = as_list(edit.remove("add"), "add", add_prov.at)?;
    for (n, r) in remove.iter().enumerate() {
        let names = |v: &Value| v == r || v.get("id").is_some_and(|id| id == r);
        let keep: Vec<bool> = list.iter().map(|v| !names(v)).collect();
        if keep.iter().all(|k| *k) {
            return Err(error_at(
                "nothing-to-remove",
                sources,
                remove_prov.items.get(n).map_or(remove_prov.at, |p| p.at),
                &format!("{field}.remove[{n}]"),
                format!("the parent's `{field}` has no {r}: nothing to remove"),
            ));
        }
        let mut k = keep.iter();
        list.retain(|_| k.next().copied().unwrap_or(true));
        let mut k = keep.iter();
        items.retain(|_| k.next().copied().unwrap_or(true));
    }
    list.extend(add);
    items.extend(add_prov.items);
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
