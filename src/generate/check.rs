//! `--check` (a unified diff of what would change) and atomic writes.

use std::path::{Path, PathBuf};

use super::{GenerateError, GeneratedFile};

/// A unified diff of every file whose content on disk differs from what would be generated
/// (a missing file diffs against nothing). Empty when everything is up to date.
pub fn diff(out: &Path, files: &[GeneratedFile]) -> String {
    let mut text = String::new();
    for f in files {
        let path = out.join(&f.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == f.contents {
            continue;
        }
        let shown = path.display().to_string();
        let d = similar::TextDiff::from_lines(&current, &f.contents);
        let old = if path.exists() {
            format!("a/{shown} (on disk)")
        } else {
            "/dev/null".to_string()
        };
        text.push_str(
            &d.unified_diff()
                .context_radius(3)
                .header(&old, &format!("b/{shown} (generated)"))
                .to_string(),
        );
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// Writes each file atomically (a temporary file in the same directory, then a rename). Files
/// that hold a secret are created with mode 0600, others 0644. Unchanged files are not touched.
pub fn write_all(out: &Path, files: &[GeneratedFile]) -> Result<Vec<PathBuf>, GenerateError> {
    let mut written = Vec::new();
    for f in files {
        let path = out.join(&f.path);
        if !f.secret && std::fs::read_to_string(&path).ok().as_deref() == Some(f.contents.as_str())
        {
            continue;
        }
        write_atomic(&path, f.contents.as_bytes(), f.secret)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes one file atomically (see [`crate::fsutil::write_atomic`]); `secret` files get mode
/// 0600 from the moment they exist.
pub fn write_atomic(path: &Path, contents: &[u8], secret: bool) -> Result<(), GenerateError> {
    crate::fsutil::write_atomic(path, contents, secret).map_err(|source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    })
}
