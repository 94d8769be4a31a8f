//! `--check` (a unified diff of what would change) and atomic writes.

use std::io::Write;
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

/// Writes one file atomically; `secret` files get mode 0600 from the moment they exist.
pub fn write_atomic(path: &Path, contents: &[u8], secret: bool) -> Result<(), GenerateError> {
    let io = |source: std::io::Error| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    // tempfile creates the file with mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".vault-oidc-")
        .tempfile_in(&dir)
        .map_err(io)?;
    tmp.write_all(contents).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if secret { 0o600 } else { 0o644 };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io)?;
    }
    #[cfg(not(unix))]
    let _ = secret;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
