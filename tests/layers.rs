//! The crate's layers (docs/ARCHITECTURE.md), checked on the source: each top-level
//! module of `src/` uses only modules of lower layers, only the web layer and startup
//! name actix-web, and no file grows past 300 lines before its tests.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use the modules of any layer below its own,
/// none of its own layer or above.
const LAYERS: &[&[&str]] = &[
    &["domain", "db", "metrics"],
    &["config", "policy"],
    &["storage", "local_bucket", "accounts", "usage"],
    &["files", "doctor", "tokens", "links"],
    &["signing"],
    &["web"],
    &["startup"],
    &["cli"],
];

/// Files that may name actix-web.
const ACTIX_ALLOWED: &[&str] = &["src/web/", "src/startup.rs", "src/main.rs"];

/// Lines a file may have before its `#[cfg(test)]` module.
const MAX_LINES: usize = 300;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Every `.rs` file under `src/`, as `src/...` paths with their text.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative.replace('\\', "/"), text)
        })
        .collect()
}

/// The top-level module a file belongs to: `src/web/routes/login.rs` → `web`.
fn top_module(path: &str) -> Option<&str> {
    let inside = path.strip_prefix("src/")?;
    let first = inside.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then_some(name)
}

/// The top-level modules `text` names through `crate::x` or `crate::{x, y}`.
fn crate_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        // `crate::` inside another path (`some_crate::`) is not ours.
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let names = match rest.strip_prefix('{') {
            Some(group) => group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(|part| {
                    part.trim()
                        .split("::")
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect(),
            None => vec![
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            ],
        };
        used.extend(names.into_iter().filter(|n| !n.is_empty()));
    }
    used
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    assert!(
        declared.len() >= 10,
        "lib.rs declares the modules: {declared:?}"
    );
    let missing: Vec<_> = declared.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "give {missing:?} a layer in tests/layers.rs and docs/ARCHITECTURE.md"
    );
}

#[test]
fn each_module_uses_only_lower_layers() {
    let mut wrong = Vec::new();
    let mut edges = 0;
    for (path, text) in sources() {
        let Some(module) = top_module(&path) else {
            continue;
        };
        let own = layer_of(module).unwrap_or_else(|| panic!("{module} has no layer"));
        for used in crate_modules(&text) {
            if used == module || matches!(used.as_str(), "self" | "super") {
                continue;
            }
            edges += 1;
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                _ => wrong.push(format!("{path} ({module}) uses {used}")),
            }
        }
    }
    assert!(edges > 20, "the scan finds the crate's imports ({edges})");
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_the_web_layer_and_startup_name_actix_web() {
    let mut named = 0;
    let mut wrong = Vec::new();
    for (path, text) in sources() {
        if !text.contains("actix_web") {
            continue;
        }
        named += 1;
        if !ACTIX_ALLOWED
            .iter()
            .any(|allowed| path.starts_with(allowed))
        {
            wrong.push(path);
        }
    }
    assert!(named > 5, "the scan finds the web layer ({named} files)");
    assert!(
        wrong.is_empty(),
        "actix_web outside the web layer: {wrong:?}"
    );
}

#[test]
fn no_source_file_is_longer_than_300_lines_before_its_tests() {
    let mut long = Vec::new();
    for (path, text) in sources() {
        let lines = text
            .lines()
            .take_while(|line| line.trim() != "#[cfg(test)]")
            .count();
        if lines > MAX_LINES {
            long.push(format!("{path}: {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "split these along their seams:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_nested_paths() {
    let text = "use crate::{accounts::User, web};\nlet x = crate::storage::Storage::new();\nother_crate::web::x();";
    let found: Vec<_> = crate_modules(text).into_iter().collect();
    assert_eq!(found, ["accounts", "storage", "web"]);
}
