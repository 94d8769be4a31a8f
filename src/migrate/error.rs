//! What can go wrong in `migrate cognito`. Messages name the path (and for HCL syntax errors
//! file:line:col); the binary prints them with their causes (`{:#}`).

use std::path::PathBuf;

/// A failed migration.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// `--terraform` is not a directory.
    #[error("--terraform {}: not a directory", .path.display())]
    InputNotDirectory { path: PathBuf },
    /// `--out` exists and is a file (or something else that is not a directory).
    #[error("--out {}: exists and is not a directory", .out.display())]
    OutNotDirectory { out: PathBuf },
    /// An existing `--out` contains, or lies inside, `--terraform`.
    #[error(
        "--out {} overlaps --terraform {}: the input directory is never written; choose another --out",
        .out.display(),
        .input.display()
    )]
    OutOverlapsInput { out: PathBuf, input: PathBuf },
    /// A not yet existing `--out` would be created inside `--terraform`.
    #[error(
        "--out {} lies inside --terraform {}: the input directory is never written",
        .out.display(),
        .input.display()
    )]
    OutInsideInput { out: PathBuf, input: PathBuf },
    /// `--out` is not empty and `--force` was not given.
    #[error("--out {} is not empty; pass --force to write into it anyway", .out.display())]
    OutNotEmpty { out: PathBuf },
    /// A scanned Terraform module directory cannot be listed.
    #[error("cannot read directory {}", .path.display())]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file (or a directory being copied) cannot be read.
    #[error("cannot read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A `.tf` file is not valid HCL. `file` is relative to `--terraform`.
    #[error(
        "{}:{line}:{column}: not valid HCL: {message} (in `{text}`)",
        .file.display()
    )]
    Hcl {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
        /// The offending source line, trimmed.
        text: String,
    },
    /// Neither an `aws_cognito_user_pool` resource nor a Cognito registry module call.
    #[error(
        "{}: no aws_cognito_user_pool resource nor Cognito registry module call found in its .tf files",
        .dir.display()
    )]
    NoCognito { dir: PathBuf },
    /// A directory in `--out` cannot be created.
    #[error("cannot create {}", .path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file in `--out` cannot be written.
    #[error("cannot write {}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Any other I/O failure (resolving `--terraform`/`--out`, reading a directory entry's type).
    #[error(transparent)]
    Io(std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied")
    }

    /// The messages are the ones the command printed before the typed error; scripts and
    /// tests grep them.
    #[test]
    fn messages() {
        let p = |s: &str| PathBuf::from(s);
        let cases: Vec<(MigrateError, &str)> = vec![
            (
                MigrateError::InputNotDirectory { path: p("tf") },
                "--terraform tf: not a directory",
            ),
            (
                MigrateError::OutNotDirectory { out: p("o") },
                "--out o: exists and is not a directory",
            ),
            (
                MigrateError::OutOverlapsInput { out: p("tf/o"), input: p("tf") },
                "--out tf/o overlaps --terraform tf: the input directory is never written; choose another --out",
            ),
            (
                MigrateError::OutInsideInput { out: p("tf/o"), input: p("tf") },
                "--out tf/o lies inside --terraform tf: the input directory is never written",
            ),
            (
                MigrateError::OutNotEmpty { out: p("o") },
                "--out o is not empty; pass --force to write into it anyway",
            ),
            (
                MigrateError::ReadDir { path: p("tf/m"), source: io() },
                "cannot read directory tf/m",
            ),
            (
                MigrateError::Read { path: p("tf/a.tf"), source: io() },
                "cannot read tf/a.tf",
            ),
            (
                MigrateError::Hcl {
                    file: p("m/broken.tf"),
                    line: 2,
                    column: 10,
                    message: "expected `}`".into(),
                    text: "a = {".into(),
                },
                "m/broken.tf:2:10: not valid HCL: expected `}` (in `a = {`)",
            ),
            (
                MigrateError::NoCognito { dir: p("tf") },
                "tf: no aws_cognito_user_pool resource nor Cognito registry module call found in its .tf files",
            ),
            (
                MigrateError::CreateDir { path: p("o/m"), source: io() },
                "cannot create o/m",
            ),
            (
                MigrateError::Write { path: p("o/main.tf"), source: io() },
                "cannot write o/main.tf",
            ),
            (MigrateError::Io(io()), "denied"),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), want);
        }
    }

    /// The binary prints the error and its causes (`{:#}`): the I/O cause follows once, as
    /// it did with `anyhow` context.
    #[test]
    fn cause_chain() {
        fn chain(err: &MigrateError) -> String {
            let mut s = err.to_string();
            let mut cur = std::error::Error::source(err);
            while let Some(c) = cur {
                s.push_str(&format!(": {c}"));
                cur = c.source();
            }
            s
        }
        let err = MigrateError::Write {
            path: PathBuf::from("o/main.tf"),
            source: io(),
        };
        assert_eq!(chain(&err), "cannot write o/main.tf: denied");
        assert_eq!(chain(&MigrateError::Io(io())), "denied");
    }
}
