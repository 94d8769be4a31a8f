//! `migrate cognito`: from a Cognito Terraform setup to Vault OIDC.
//!
//! - [`scan`]: read the Terraform (and local modules) format-preserving and find Cognito.
//! - [`to_oidc`]: Cognito → `oidc.hcl` config, with a note for every setting.
//! - [`rewrite`]: the rewritten Terraform, untouched blocks byte-identical.
//! - [`report`]: the `MIGRATION.md` report.

use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;

mod error;
pub mod report;
pub mod rewrite;
pub mod scan;
pub mod to_oidc;

pub use error::MigrateError;
pub use rewrite::Sources;

/// What `migrate cognito` does.
#[derive(Debug, Clone)]
pub struct Options {
    pub terraform: PathBuf,
    pub out: PathBuf,
    pub force: bool,
    pub sources: Sources,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Summary {
    pub files: Vec<PathBuf>,
    pub pools: usize,
    pub clients: usize,
    pub not_representable: usize,
    pub to_review: usize,
}

/// `oidc.hcl` text for a migration: the rendered config, its variables, carried expressions.
pub fn oidc_hcl(mig: &to_oidc::Migration, dir: &str) -> String {
    let header = format!(
        "Written by `vault-oidc migrate cognito` from {dir}.\nSee MIGRATION.md for what could not be represented."
    );
    let mut text = crate::config::render::render(&mig.config, &header);
    for (pattern, repl) in &mig.sentinels {
        text = text.replace(pattern, repl);
    }
    if mig.hcl_vars.is_empty() {
        return text + "\n";
    }
    let mut vars = String::new();
    for (name, default) in &mig.hcl_vars {
        match default {
            Some(d) => vars.push_str(&format!(
                "variable {} {{ default = {d} }}\n",
                crate::config::render::quote(name)
            )),
            None => match mig.hcl_var_descriptions.get(name) {
                Some(d) => vars.push_str(&format!(
                    "variable {} {{ description = {} }}\n",
                    crate::config::render::quote(name),
                    crate::config::render::quote(d)
                )),
                None => vars.push_str(&format!(
                    "variable {} {{}}\n",
                    crate::config::render::quote(name)
                )),
            },
        }
    }
    vars.push('\n');
    // After the header comment.
    let split = text.find("\n\n").map(|i| i + 2).unwrap_or(0);
    text.insert_str(split, &vars);
    text + "\n"
}

fn is_empty_dir(p: &Path) -> Result<bool, MigrateError> {
    Ok(std::fs::read_dir(p)
        .map_err(|source| MigrateError::Read {
            path: p.to_path_buf(),
            source,
        })?
        .next()
        .is_none())
}

/// Runs the migration: reads `terraform`, writes `oidc.hcl`, the rewritten Terraform and
/// `MIGRATION.md` into `out`. `terraform` is never written.
pub fn migrate_cognito(opts: &Options) -> Result<Summary, MigrateError> {
    let dir = &opts.terraform;
    if !dir.is_dir() {
        return Err(MigrateError::InputNotDirectory { path: dir.clone() });
    }
    let dir_abs = std::fs::canonicalize(dir).map_err(MigrateError::Io)?;
    if opts.out.exists() {
        if !opts.out.is_dir() {
            return Err(MigrateError::OutNotDirectory {
                out: opts.out.clone(),
            });
        }
        let out_abs = std::fs::canonicalize(&opts.out).map_err(MigrateError::Io)?;
        if out_abs.starts_with(&dir_abs) || dir_abs.starts_with(&out_abs) {
            return Err(MigrateError::OutOverlapsInput {
                out: opts.out.clone(),
                input: dir.clone(),
            });
        }
        if !opts.force && !is_empty_dir(&opts.out)? {
            return Err(MigrateError::OutNotEmpty {
                out: opts.out.clone(),
            });
        }
    } else if let Some(parent) = opts.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(pa) = std::fs::canonicalize(parent) {
            if pa.starts_with(&dir_abs) {
                return Err(MigrateError::OutInsideInput {
                    out: opts.out.clone(),
                    input: dir.clone(),
                });
            }
        }
    }
    let scan = scan::scan(dir)?;
    if !scan
        .found
        .iter()
        .any(|f| matches!(f.kind, scan::Kind::Pool | scan::Kind::RegistryModule))
    {
        return Err(MigrateError::NoCognito { dir: dir.clone() });
    }
    let mig = to_oidc::convert(&scan);
    let rw = rewrite::rewrite(&scan, &mig, &opts.sources);
    let dir_label = dir.display().to_string();
    let hcl = oidc_hcl(&mig, &dir_label);
    let md = report::render(&mig, &rw, &dir_label);

    std::fs::create_dir_all(&opts.out).map_err(|source| MigrateError::CreateDir {
        path: opts.out.clone(),
        source,
    })?;
    let mut written = Vec::new();
    let mut write = |rel: &Path, contents: &[u8]| -> Result<(), MigrateError> {
        let path = opts.out.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|source| MigrateError::CreateDir {
                path: p.to_path_buf(),
                source,
            })?;
        }
        write_atomic(&path, contents, false).map_err(|source| MigrateError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(rel.to_path_buf());
        Ok(())
    };
    // Everything else in the directory tree is copied as is (state and .terraform excepted).
    let handled: std::collections::BTreeSet<PathBuf> =
        rw.files.keys().chain(rw.emptied.iter()).cloned().collect();
    copy_others(dir, Path::new(""), &mut |rel, bytes| {
        if handled.contains(rel) {
            Ok(())
        } else {
            write(rel, bytes)
        }
    })?;
    for (rel, text) in &rw.files {
        write(rel, text.as_bytes())?;
    }
    write(Path::new("oidc.hcl"), hcl.as_bytes())?;
    write(Path::new("MIGRATION.md"), md.as_bytes())?;
    let notes = mig.notes.iter().chain(rw.notes.iter());
    let (mut nr, mut rv) = (0, 0);
    for n in notes {
        match n.outcome {
            to_oidc::Outcome::Unsupported => nr += 1,
            to_oidc::Outcome::Flagged => rv += 1,
            _ => {}
        }
    }
    Ok(Summary {
        files: written,
        pools: mig.pools.len(),
        clients: mig.config.clients.len(),
        not_representable: nr,
        to_review: rv,
    })
}

/// Writes one file (path relative to `--out`).
type WriteFile<'a> = dyn FnMut(&Path, &[u8]) -> Result<(), MigrateError> + 'a;

fn copy_others(root: &Path, rel: &Path, write: &mut WriteFile<'_>) -> Result<(), MigrateError> {
    let dir = root.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|source| MigrateError::Read {
            path: dir.clone(),
            source,
        })?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name_s = name.to_string_lossy();
        let child = rel.join(&name);
        let ft = e.file_type().map_err(MigrateError::Io)?;
        if ft.is_dir() {
            if name_s == ".terraform" || name_s == ".git" {
                continue;
            }
            copy_others(root, &child, write)?;
        } else if ft.is_file() {
            if name_s.contains(".tfstate") {
                continue;
            }
            let bytes = std::fs::read(e.path()).map_err(|source| MigrateError::Read {
                path: e.path(),
                source,
            })?;
            write(&child, &bytes)?;
        }
    }
    Ok(())
}
