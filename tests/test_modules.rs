//! The library's top-level modules import one another in one direction: no module reaches,
//! through `crate::` paths, a module that reaches it back.
//!
//! Reads every `src/**/*.rs` of the library (not the binary's `src/main.rs` and `src/cli/`, whose
//! `crate::` is the binary), skips comments, strings and character literals, and collects the
//! `crate::<module>` references, also inside `use crate::{a, b::c}` groups. `super::` paths stay
//! within a module and are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, String>>;

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let cycles: Vec<String> = cycles(&graph)
        .iter()
        .map(|cycle| describe(cycle, &graph))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that import each other:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn references_in_comments_strings_and_groups_are_told_apart() {
    let code = r##"
        use crate::{alpha::{A, B}, beta, self as _};
        // crate::gamma in a comment
        /* crate::delta /* nested */ crate::delta */
        /// [`crate::epsilon`]
        let s = "crate::zeta // not a comment"; let c = '"'; let l: &'static str = "x";
        let r = r#"crate::eta"#; fn f<'a>(x: &'a str) { crate::theta::run(); }
    "##;
    let found: Vec<String> = references(code).into_iter().map(|(m, _)| m).collect();
    assert_eq!(found, ["alpha", "beta", "theta"]);
}

/// For each top-level module, the modules it references, each with where it first does.
fn module_graph(src: &Path) -> Graph {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let modules: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("pub ").unwrap_or(l.trim());
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect();
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = Path::new(first).with_extension("");
        let module = module.to_str().unwrap();
        if !modules.contains(module) {
            continue; // lib.rs, main.rs and the binary's cli/
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (target, line) in references(&text) {
            if target != module && modules.contains(&target) {
                graph
                    .entry(module.to_owned())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| format!("src/{}:{line}", relative.display()));
            }
        }
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The modules named by `crate::` paths in code (not comments, strings or characters), with
/// the line of each reference.
fn references(text: &str) -> Vec<(String, usize)> {
    let code = code_only(text);
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        let rest = &code[at..];
        if let Some(group) = rest.strip_prefix('{') {
            for name in group_heads(group) {
                found.push((name, line));
            }
        } else {
            found.push((ident(rest).to_owned(), line));
        }
    }
    found
}

/// The first segment of each path of a `{...}` group (the text after its `{`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expect_head = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expect_head = true,
            c if expect_head && (c.is_alphabetic() || c == '_') => {
                let name = ident(&group[i..]);
                if name != "self" {
                    heads.push(name.to_owned());
                }
                expect_head = false;
            }
            _ => {}
        }
    }
    heads
}

fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// `text` with comments, string and character literals blanked out (line breaks kept, so that
/// line numbers stay right).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let end = if c == '/' && next == Some('/') {
            chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| i + n)
        } else if c == '/' && next == Some('*') {
            block_comment_end(&chars, i)
        } else if c == '"' {
            string_end(&chars, i + 1)
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !is_ident_char(&chars, i) {
            raw_string_end(&chars, i + 1).unwrap_or(i + 1)
        } else if c == '\'' {
            char_literal_end(&chars, i).unwrap_or(i + 1)
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        for &c in &chars[i..end] {
            blank(&mut out, c);
        }
        i = end;
    }
    out
}

fn is_ident_char(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

fn block_comment_end(chars: &[char], start: usize) -> usize {
    let (mut depth, mut i) = (0, start);
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => (depth, i) = (depth + 1, i + 2),
            ('*', '/') if depth == 1 => return i + 2,
            ('*', '/') => (depth, i) = (depth - 1, i + 2),
            _ => i += 1,
        }
    }
    chars.len()
}

/// The end of a string whose text starts at `i` (after its quote).
fn string_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// The end of `r#"..."#` whose hashes start at `i`; `None` if it is not a raw string.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
    if chars.get(i + hashes) != Some(&'"') {
        return None;
    }
    let mut j = i + hashes + 1;
    while j < chars.len() {
        if chars[j] == '"'
            && chars[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

/// The end of a character literal at `i`; `None` for a lifetime or label.
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    match chars.get(i + 1)? {
        '\\' => chars[i + 2..]
            .iter()
            .position(|&c| c == '\'')
            .map(|n| i + 3 + n),
        _ if chars.get(i + 2) == Some(&'\'') => Some(i + 3),
        _ => None,
    }
}

/// Each strongly connected group of more than one module, as one cycle through it.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            for next in graph.get(&m).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let mut reported = BTreeSet::new();
    let mut found = Vec::new();
    for module in graph.keys() {
        if reported.contains(module) || !reach(module).contains(module) {
            continue;
        }
        let group: BTreeSet<String> = reach(module)
            .into_iter()
            .filter(|m| reach(m).contains(module))
            .collect();
        reported.extend(group.iter().cloned());
        found.push(shortest_cycle(module, graph));
    }
    found
}

/// The shortest path from `module` back to itself.
fn shortest_cycle(module: &str, graph: &Graph) -> Vec<String> {
    let mut paths = std::collections::VecDeque::from([vec![module.to_owned()]]);
    let mut seen = BTreeSet::new();
    while let Some(path) = paths.pop_front() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flat_map(|e| e.keys()) {
            if next == module {
                return path;
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                paths.push_back(longer);
            }
        }
    }
    unreachable!("{module} reaches itself")
}

/// `a -> b (src/a.rs:3) -> a (src/b.rs:7)`.
fn describe(cycle: &[String], graph: &Graph) -> String {
    let mut text = cycle[0].clone();
    for (i, from) in cycle.iter().enumerate() {
        let to = &cycle[(i + 1) % cycle.len()];
        text.push_str(&format!(" -> {to} ({})", graph[from][to]));
    }
    text
}
