#![forbid(unsafe_code)]

use clap::Parser;
use kapstok::commands;
use kapstok::config::{AuditCommand, Cli, Command, ExportKind, ImportKind, ServeArgs, UserCommand};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=error,tower_http=info".into())
                // At trace level the cross-site check logs whole paths, which may hold an
                // invitation link's secret: never below debug, whatever RUST_LOG says.
                .add_directive("tower_http::csrf=debug".parse().expect("a valid directive")),
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
    let public_url = cli.public_url.clone();
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => commands::serve(&db, &data_dir, args, public_url).await,
        Command::Import {
            kind,
            path,
            force,
            bounds,
            dry_run,
        } => {
            let importer = commands::operator_on(&db).await?;
            match kind {
                ImportKind::Hsds if dry_run => {
                    commands::dry_run_hsds(&importer, &path).await.map(drop)
                }
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
            format,
        } => commands::export_hsds(&commands::operator_on(&db).await?, &path, format).await,
        Command::Reindex(args) => {
            commands::reindex(&commands::operator_on(&db).await?, &args).await
        }
        Command::Demo => {
            let store = std::sync::Arc::new(commands::open_store(&db).await?);
            let s = commands::load_full_demo(store).await?;
            println!(
                "Demo ingelezen: {} organisaties en {} diensten (fictief).",
                s.organizations, s.services
            );
            Ok(())
        }
        Command::Backup { path } => {
            commands::backup(&commands::open_store(&db).await?, &path).await
        }
        Command::User(UserCommand::Add {
            email,
            name,
            roles,
            team,
            password_stdin,
        }) => {
            let public_url =
                public_url.unwrap_or_else(|| format!("http://{}", ServeArgs::default().listen));
            commands::user_add(
                &db,
                commands::NewAccount {
                    email,
                    name,
                    roles,
                    team,
                    password_stdin,
                },
                &public_url,
            )
            .await
        }
        Command::User(UserCommand::List) => commands::user_list(&db).await,
        Command::Audit(AuditCommand::Verify) => commands::audit_verify(&db).await,
        Command::Audit(AuditCommand::Retention { days }) => {
            commands::audit_retention(&db, days).await
        }
        Command::Audit(AuditCommand::Purge) => commands::audit_purge(&db).await,
    }
}
