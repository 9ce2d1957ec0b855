//! A unified diff of two archived files, as `git diff` would show it.

use similar::TextDiff;

pub fn render(old: &[u8], new: &[u8], old_name: &str, new_name: &str) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}
