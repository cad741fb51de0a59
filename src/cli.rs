//! The `sotong` command line: `serve`, `demo`, `config` and `admin …`.

use crate::app::orgs::{CsvRows, ImportReport, RejectedRow};
use crate::app::{App, Error};
use crate::config::Config;
use crate::i18n::Lang;
use crate::server::{Server, connect, shutdown_signal};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sotong",
    version,
    about = "소통 — a communication platform for public institutions"
)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

/// Flags that override the configuration file and environment.
#[derive(Args)]
struct Overrides {
    /// Configuration file (TOML). Default: ./sotong.toml when it exists.
    #[arg(long, global = true, env = "SOTONG_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long, global = true)]
    listen: Option<SocketAddr>,
    /// sqlite://path?mode=rwc or postgres://user@host/db.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Directory for the SQLite database and media.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve,
    /// Load the demo (a fictional district office, idempotent) and run the server.
    Demo {
        /// Load the demo and exit without serving.
        #[arg(long)]
        load_only: bool,
    },
    /// Print the effective configuration, with secrets hidden.
    Config,
    /// Administration.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organisation (a province, city, district or agency).
    CreateOrg {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "district")]
        kind: String,
        /// Slug of the organisation this one belongs to.
        #[arg(long)]
        parent: Option<String>,
    },
    /// Import departments from CSV: code,name,kind,parent_code.
    ImportDepartments {
        #[arg(long)]
        org: String,
        file: PathBuf,
        /// Import the good rows even when some are bad.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Import staff from CSV: handle,display_name,email,department_code,position,role.
    ImportStaff {
        #[arg(long)]
        org: String,
        file: PathBuf,
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Create an administrator. The password is read from stdin with --password-stdin,
    /// otherwise generated and printed once.
    CreateAdmin {
        #[arg(long)]
        handle: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for an account and end its sessions.
    ResetPassword {
        #[arg(long)]
        handle: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Export everything an organisation owns into one zip (docs/export.md), while it runs.
    Export {
        #[arg(long)]
        org: String,
        out: PathBuf,
    },
    /// Back up the whole instance (database and media) into one tar file, while it runs.
    Backup { out: PathBuf },
    /// Restore a backup into an empty database (of either kind) and media store.
    Restore { archive: PathBuf },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.overrides.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("설정을 읽을 수 없습니다 / cannot read the configuration: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(listen) = cli.overrides.listen {
        config.listen = listen;
    }
    if let Some(url) = cli.overrides.database_url {
        config.database_url = url;
    }
    if let Some(dir) = cli.overrides.data_dir {
        config.data_dir = dir;
    }
    if let Command::Config = cli.command {
        print!("{}", config.to_redacted_toml());
        return ExitCode::SUCCESS;
    }
    crate::telemetry::init(&config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("오류 / error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn cli_lang() -> Lang {
    std::env::var("LANG")
        .ok()
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default()
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Config => Ok(ExitCode::SUCCESS),
        Command::Serve => {
            let server = Server::build(config).await?;
            announce(&server)?;
            server.run_until_stopped(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { load_only } => {
            let server = Server::build(config).await?;
            let summary = server.app().load_demo().await.map_err(explain)?;
            let (ko, en) = if summary.already_loaded {
                ("데모가 이미 있습니다", "The demo is already loaded")
            } else {
                ("데모를 불러왔습니다", "Demo loaded")
            };
            println!(
                "{ko}: 새봄시 누리구청, 부서 {} · 직원 {}명 (2011년 SNS 교육 22회, 전원 수료), 소통의 날 10회 · 건의 12건, 주민과 직원의 담벼락\n{en}: 새봄시 누리구청, {} departments, {} staff (all trained in 22 classes in 2011), 10 communication days with 12 suggestions, residents' and officials' walls",
                summary.departments, summary.staff, summary.departments, summary.staff
            );
            println!(
                "데모 계정 / demo accounts: nuri_head (구청장), gildong_hong (주무관), demo_admin (관리자) — 비밀번호 / password: {}",
                crate::app::demo::DEMO_PASSWORD
            );
            if load_only {
                return Ok(ExitCode::SUCCESS);
            }
            announce(&server)?;
            server.run_until_stopped(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::Backup { out }) => {
            let manifest = crate::backup::take(&config, &out).await?;
            println!(
                "백업했습니다 / backed up: {} — 표 {}개, 행 {}개, 파일 {}개 / {} tables, {} rows, {} files",
                out.display(),
                manifest.tables.len(),
                manifest.tables.iter().map(|t| t.rows).sum::<u64>(),
                manifest.media.len(),
                manifest.tables.len(),
                manifest.tables.iter().map(|t| t.rows).sum::<u64>(),
                manifest.media.len(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::Restore { archive }) => {
            let manifest = crate::backup::restore(&config, &archive).await?;
            println!(
                "복원했습니다 / restored: {} ({}, {}) — 행 {}개, 파일 {}개 / {} rows, {} files",
                archive.display(),
                manifest.taken_from,
                manifest.taken_at,
                manifest.tables.iter().map(|t| t.rows).sum::<u64>(),
                manifest.media.len(),
                manifest.tables.iter().map(|t| t.rows).sum::<u64>(),
                manifest.media.len(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(admin) => {
            let app = connect(config).await?;
            let code = run_admin(&app, admin).await;
            app.close().await;
            code
        }
    }
}

fn announce(server: &Server) -> anyhow::Result<()> {
    let addr = server.local_addr()?;
    tracing::info!(%addr, "listening");
    println!("소통이 http://{addr} 에서 실행 중입니다 / Sotong is running at http://{addr}");
    Ok(())
}

/// Turns an application error into a message for the terminal.
fn explain(error: Error) -> anyhow::Error {
    let lang = cli_lang();
    match error {
        Error::Invalid(problems) => {
            anyhow::anyhow!(crate::http::error::field_messages(&problems, lang).join("; "))
        }
        Error::NotFound => anyhow::anyhow!(lang.t("error.not_found")),
        Error::Internal(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}

const ACTOR: &str = "sotong admin (cli)";

async fn run_admin(app: &App, command: AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::CreateOrg {
            slug,
            name,
            kind,
            parent,
        } => {
            let org = app
                .create_organization(ACTOR, &slug, &name, &kind, parent.as_deref())
                .await
                .map_err(explain)?;
            println!(
                "기관을 만들었습니다 / created organisation {} ({})",
                org.name, org.slug
            );
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::ImportDepartments {
            org,
            file,
            skip_invalid,
        } => {
            import_file(&file, skip_invalid, async |rows, progress| {
                app.import_departments(ACTOR, &org, rows, skip_invalid, progress)
                    .await
            })
            .await
        }
        AdminCommand::ImportStaff {
            org,
            file,
            skip_invalid,
        } => {
            import_file(&file, skip_invalid, async |rows, progress| {
                app.import_staff(ACTOR, &org, rows, skip_invalid, progress)
                    .await
            })
            .await
        }
        AdminCommand::CreateAdmin {
            handle,
            email,
            display_name,
            password_stdin,
        } => {
            let (password, generated) = password_input(password_stdin)?;
            app.create_administrator(ACTOR, &handle, &display_name, &email, &password)
                .await
                .map_err(explain)?;
            println!("관리자를 만들었습니다 / created administrator @{handle}");
            if generated {
                println!("임시 비밀번호 / temporary password: {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::ResetPassword {
            handle,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(password_input(true)?.0)
            } else {
                None
            };
            let password = app
                .reset_password(ACTOR, &handle, given.as_deref())
                .await
                .map_err(explain)?;
            println!("비밀번호를 바꿨습니다 / password reset for @{handle}");
            if given.is_none() {
                println!("새 비밀번호 / new password: {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::Export { org, out } => export(app, &org, &out).await,
        // Taken before the application starts (`run`): a restore needs the database empty.
        AdminCommand::Backup { .. } | AdminCommand::Restore { .. } => Ok(ExitCode::from(2)),
    }
}

/// Reads a CSV file and imports its rows with `import`, showing its progress: unreadable
/// rows refuse the whole file unless `skip_invalid`.
async fn import_file<R: serde::de::DeserializeOwned>(
    file: &Path,
    skip_invalid: bool,
    import: impl AsyncFnOnce(Vec<(u64, R)>, &(dyn Fn(u64) + Sync)) -> crate::app::Result<ImportReport>,
) -> anyhow::Result<ExitCode> {
    let (rows, unreadable) = read_csv::<R>(file)?;
    if let Some(code) = refuse_unreadable(&unreadable, skip_invalid) {
        return Ok(code);
    }
    let bar = progress_bar(rows.len());
    let report = import(rows, &|n| bar.inc(n)).await.map_err(explain)?;
    bar.finish_and_clear();
    Ok(summarise(report, unreadable, skip_invalid))
}

fn password_input(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\n', '\r']).to_owned(), false))
    } else {
        Ok((crate::app::secrets::random_token(), true))
    }
}

/// Reads a CSV file with a header row (see [`crate::app::orgs::read_csv`]).
fn read_csv<T: serde::de::DeserializeOwned>(file: &Path) -> anyhow::Result<CsvRows<T>> {
    let opened =
        std::fs::File::open(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    Ok(crate::app::orgs::read_csv(opened))
}

const NOTHING_IMPORTED: &str = "아무것도 가져오지 않았습니다. 나쁜 행을 건너뛰려면 --skip-invalid / nothing imported; use --skip-invalid to skip bad rows";

/// Rows the CSV reader could not read stop the import unless skipping was asked for.
fn refuse_unreadable(unreadable: &[RejectedRow], skip_invalid: bool) -> Option<ExitCode> {
    if unreadable.is_empty() || skip_invalid {
        return None;
    }
    report_rejected(unreadable);
    eprintln!("{NOTHING_IMPORTED}");
    Some(ExitCode::from(1))
}

/// `sotong admin export`, with a progress bar on the terminal.
async fn export(app: &App, org: &str, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    let progress = std::sync::Arc::new(crate::export::Progress::default());
    let bar = progress_bar(0);
    let shown = progress.clone();
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            loop {
                bar.set_length(shown.total.load(std::sync::atomic::Ordering::Relaxed));
                bar.set_position(shown.done.load(std::sync::atomic::Ordering::Relaxed));
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    };
    let written = app.export_organization(ACTOR, org, out, &progress).await;
    ticker.abort();
    bar.finish_and_clear();
    let manifest = written.map_err(explain)?;
    let records: u64 = manifest.files.iter().filter_map(|f| f.rows).sum();
    let photos = manifest.files.iter().filter(|f| f.rows.is_none()).count();
    println!(
        "내보냈습니다 / exported: {} — 기록 {records}건, 사진 {photos}개 / {records} records, {photos} photos",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::new(u64::try_from(len).unwrap_or(0));
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

fn summarise(report: ImportReport, unreadable: Vec<RejectedRow>, skip_invalid: bool) -> ExitCode {
    let mut rejected = unreadable;
    rejected.extend(report.rejected.iter().cloned());
    rejected.sort_by_key(|r| r.line);
    report_rejected(&rejected);
    if !rejected.is_empty() && !skip_invalid {
        eprintln!("{NOTHING_IMPORTED}");
        return ExitCode::from(1);
    }
    println!(
        "{}행을 가져왔습니다, {}행 건너뜀 / imported {} rows, skipped {}",
        report.imported,
        rejected.len(),
        report.imported,
        rejected.len()
    );
    ExitCode::SUCCESS
}

fn report_rejected(rows: &[RejectedRow]) {
    for row in rows {
        eprintln!(
            "{}행 / line {}: {}: {}",
            row.line, row.line, row.field, row.reason
        );
    }
}
