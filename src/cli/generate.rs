//! `vault-oidc generate terraform|env|docs`: files generated from the config. `--check` exits 2
//! with a unified diff when the files on disk differ from what would be generated.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use vault_oidc::generate::env::{self, Format, Selection, Target};
use vault_oidc::generate::{check, display_path, terraform, GeneratedFile};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Subcommand, Debug)]
pub enum What {
    /// modules/vault-oidc and environments/<env>/ under --out.
    Terraform(TerraformArgs),
    /// The environment variables of the web app or the agent authorizer.
    Env(EnvArgs),
    /// docs/environment-variables.md, from the variable registry.
    Docs(DocsArgs),
}

#[derive(clap::Args, Debug)]
pub struct TerraformArgs {
    /// Directory that holds (or will hold) modules/ and environments/.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Environment to generate (repeatable). Default: every DIR/environments/<env>/ that has an
    /// oidc.vars.hcl. Each environment's oidc.vars.hcl is added to the --var-file list.
    #[arg(long = "environment", value_name = "NAME")]
    pub environments: Vec<String>,
    /// Write nothing; exit 2 with a diff when the files differ from what would be generated.
    #[arg(long)]
    pub check: bool,
}

#[derive(clap::Args, Debug)]
pub struct EnvArgs {
    /// Who reads the variables.
    #[arg(long, value_enum)]
    pub target: Target,
    #[arg(long, value_enum, default_value = "dotenv")]
    pub format: Format,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The provider (default: the config's only provider; authorizer: all of them).
    #[arg(long)]
    pub provider: Option<String>,
    /// The client (app target; default: the provider's only client).
    #[arg(long)]
    pub client: Option<String>,
    /// Do not contact Vault: values from the config, placeholders for the rest.
    #[arg(long)]
    pub offline: bool,
    /// Write the client secret itself (only to --out, created 0600) instead of a reference.
    #[arg(long)]
    pub include_secrets: bool,
    /// Set an optional variable (repeatable), e.g. --set AUTHORIZER_COGNITO_UNTIL=2025-12-31T00:00:00Z.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Write nothing; exit 2 with a diff when --out differs from what would be generated.
    #[arg(long)]
    pub check: bool,
}

#[derive(clap::Args, Debug)]
pub struct DocsArgs {
    #[arg(
        long,
        value_name = "FILE",
        default_value = "docs/environment-variables.md"
    )]
    pub out: PathBuf,
    #[arg(long)]
    pub check: bool,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    match args.what {
        What::Terraform(a) => run_terraform(a, global),
        What::Env(a) => run_env(a, global).await,
        What::Docs(a) => {
            let file = GeneratedFile {
                path: a.out.clone(),
                contents: env::docs()?,
                secret: false,
            };
            finish(Path::new(""), vec![file], a.check)
        }
    }
}

/// Writes the files, or with `check` compares them.
fn finish(out: &Path, files: Vec<GeneratedFile>, check_only: bool) -> anyhow::Result<ExitCode> {
    if check_only {
        let diff = check::diff(out, &files);
        if diff.is_empty() {
            eprintln!("{} generated file(s) up to date.", files.len());
            return Ok(ExitCode::SUCCESS);
        }
        print!("{diff}");
        let stale = files
            .iter()
            .filter(|f| {
                std::fs::read_to_string(out.join(&f.path)).ok().as_deref() != Some(&f.contents)
            })
            .count();
        eprintln!("{stale} generated file(s) differ from what the config generates: run the command without --check.");
        return Ok(ExitCode::from(2));
    }
    let written = check::write_all(out, &files)?;
    eprintln!(
        "{} file(s) generated, {} changed.",
        files.len(),
        written.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_terraform(a: TerraformArgs, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let mut environments = a.environments.clone();
    if environments.is_empty() {
        if let Ok(entries) = std::fs::read_dir(a.out.join("environments")) {
            for e in entries.flatten() {
                if e.path().join("oidc.vars.hcl").is_file() {
                    environments.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        environments.sort();
    }
    let mut files = terraform::module_files()?;
    for name in &environments {
        let mut opts = global.load_options();
        let var_file = a.out.join("environments").join(name).join("oidc.vars.hcl");
        let mut source = display_path(&global.config, &a.out);
        for f in &opts.var_files {
            source.push_str(&format!(" with {}", display_path(f, &a.out)));
        }
        if var_file.is_file() {
            source.push_str(&format!(" with {}", display_path(&var_file, &a.out)));
            opts.var_files.push(var_file);
        }
        let config = vault_oidc::config::load(&global.config, &opts)?;
        vault_oidc::config::validate(&config)?;
        files.extend(
            terraform::environment_files(&config, name, &source)
                .with_context(|| format!("environment {name}"))?,
        );
    }
    finish(&a.out, files, a.check)
}

async fn run_env(a: EnvArgs, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    if a.include_secrets && a.out.is_none() {
        anyhow::bail!("--include-secrets writes the client secret only to a file: give --out FILE (it is created with mode 0600)");
    }
    if a.include_secrets && a.offline {
        anyhow::bail!("--include-secrets needs Vault: it cannot be combined with --offline");
    }
    if a.check && a.out.is_none() {
        anyhow::bail!("--check compares a file: give --out FILE");
    }
    let config = global.load_config()?;
    let sel = Selection {
        provider: a.provider.clone(),
        client: a.client.clone(),
        set: a.set.clone(),
    };
    let secret_client = match (a.include_secrets, a.target) {
        (true, Target::App) => Some(env::select_app(&config, &sel)?.1),
        _ => None,
    };
    let sources = if a.offline {
        env::offline_sources(&config)
    } else {
        env::live_sources(&global.connect()?, &config, secret_client.as_deref()).await?
    };
    let values = env::values(&config, a.target, &sel, &sources)?;
    let base = a
        .out
        .as_ref()
        .and_then(|o| o.parent())
        .unwrap_or(Path::new("."));
    let source = display_path(
        &global.config,
        if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        },
    );
    let text = env::render_values(&values, a.target, a.format, &source);
    match &a.out {
        None => {
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Some(out) => {
            let secret = values.has_secret(&sources);
            let file = GeneratedFile {
                path: out.clone(),
                contents: text,
                secret,
            };
            finish(Path::new(""), vec![file], a.check)
        }
    }
}
