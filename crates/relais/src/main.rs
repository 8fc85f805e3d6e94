//! `relais`: the one binary. It serves the web UI and API with background workers, runs extra
//! workers for scale-out, migrates the database, seeds a demo and manages users.

mod bench;
mod config;
mod demo;
mod keycheck;
mod logging;
mod serve;
mod users;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Ingestion allocates and frees many small values a message (bound parameters, rows): glibc's
// allocator spent a fifth of the inbox benchmark's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "relais", version, about = "Relais — a self-hosted social media desk", propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: config::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web UI and the JSON API, with background workers, until SIGTERM or Ctrl-C.
    Serve(config::ServeArgs),
    /// Run background workers only (scale-out: point several at one PostgreSQL database).
    Worker(config::WorkerArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create (or reuse) a demo data directory with a French agency example, print the demo
    /// logins, and serve it.
    Demo(config::ServeArgs),
    /// Manage users: add, set a password, list.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Benchmarks that print their figures.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("relais: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Errors say what went wrong and what to do; the chain gives the cause.
            eprintln!("relais: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // A benchmark brings its own throw-away database: no data directory, no key file.
    if let Command::Bench(cmd) = cli.command {
        return bench::run(cmd).await;
    }
    let is_demo = matches!(cli.command, Command::Demo(_));
    let settings = config::Settings::resolve(&cli.global, is_demo)?;
    logging::init(&settings);
    match cli.command {
        Command::Serve(args) => serve::serve(&settings, &args).await,
        Command::Worker(args) => serve::workers_only(&settings, &args).await,
        Command::Migrate => {
            let store = relais_store::Store::connect(&settings.database_url).await?;
            let before = store.schema_status().await?;
            store.migrate().await?;
            let after = store.schema_status().await?;
            println!("database schema: version {} → {} (this binary knows up to {})", before.database, after.database, after.binary);
            Ok(())
        }
        Command::Demo(args) => demo::run(&settings, &args).await,
        Command::User(cmd) => users::run(&settings, cmd).await,
        Command::Bench(_) => unreachable!("handled above"),
    }
}
