#![forbid(unsafe_code)]

use clap::Parser;
use kapstok::commands;
use kapstok::config::{Cli, Command, ExportKind, ImportKind, ServeArgs};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=error,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Fout: {}", message(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each cause only when the text before does not already say it
/// (database errors repeat their cause in their own message).
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.database()?;
    let data_dir = cli.data_dir.clone();
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => commands::serve(&db, &data_dir, args).await,
        Command::Import {
            kind,
            path,
            force,
            bounds,
        } => {
            let importer = commands::operator_on(&db).await?;
            match kind {
                ImportKind::Hsds => commands::import_hsds(&importer, &path).await.map(drop),
                ImportKind::Postcodes => commands::import_postcodes(&importer, &path, &bounds)
                    .await
                    .map(drop),
                ImportKind::Areas => commands::import_areas(&importer, &path, force)
                    .await
                    .map(drop),
            }
        }
        Command::Export {
            kind: ExportKind::Hsds,
            path,
        } => commands::export_hsds(&commands::operator_on(&db).await?, &path).await,
        Command::Reindex(args) => {
            commands::reindex(&commands::operator_on(&db).await?, &args).await
        }
        Command::Demo => {
            let importer = commands::operator_on(&db).await?;
            let s = commands::load_demo(&importer).await?;
            println!(
                "Demo ingelezen: {} organisaties en {} diensten (fictief).",
                s.organizations, s.services
            );
            Ok(())
        }
        Command::Backup { path } => {
            commands::backup(&commands::open_store(&db).await?, &path).await
        }
    }
}
