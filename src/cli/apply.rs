//! `vault-oidc apply`: print the plan, confirm, and make Vault match the config.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Also destroy objects that are in Vault but not in the config.
    #[arg(long)]
    pub prune: bool,
}

fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "apply asks for confirmation on a terminal; pass --auto-approve to run without one"
        );
    }
    print!("Do you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let config = global.load_config()?;
    let vault = global.connect()?;
    let (plan, live, dir) = vault_oidc::plan::compute(&vault, &config, args.prune).await?;
    print!("{}", plan.render(&dir));
    if !plan.has_changes() {
        return Ok(ExitCode::SUCCESS);
    }
    if !args.auto_approve && !confirm()? {
        println!("Apply cancelled.");
        return Ok(ExitCode::FAILURE);
    }
    let report = vault_oidc::apply::apply(&vault, &plan, &live, &|line| println!("{line}")).await;
    if report.ok() {
        let s = plan.summary();
        println!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed.",
            s.add, s.change, s.destroy
        );
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "\nApply failed after {} of {} writes.",
        report.done.len(),
        report.done.len() + report.failed.len() + report.not_done.len()
    );
    for (what, err) in &report.failed {
        eprintln!("Error: {what}: {err}");
    }
    for what in &report.not_done {
        eprintln!("  not done: {what}");
    }
    eprintln!("Fix the cause and run apply again: it continues from the current state.");
    Ok(ExitCode::FAILURE)
}
