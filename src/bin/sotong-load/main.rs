//! `sotong-load`: the load harness. It prepares a database, runs a reference server, and
//! measures running Sotong nodes (and the reference) from outside, over HTTP and WebSockets.
//!
//!     sotong-load prepare --database-url URL [--accounts 10000] [--statuses 1000000]
//!     sotong-load reference --database-url URL --listen 127.0.0.1:8090
//!     sotong-load run --plan load-plan.json --base http://127.0.0.1:8080[,http://…:8081]
//!                     [--reference http://127.0.0.1:8090] [--label "one node, SQLite"]
//!                     [--seconds 10] [--connections 32] [--listeners 1000] [--rate 100]
//!                     [--pairs 20] [--idle 5000] [--markdown table.md] [--only home]
//!     sotong-load practice --database-url URL [--trainees 30] [--label …] [--markdown table.md]
//!
//! `prepare` writes the benchmark social network (`sotong::bench_data`), tokens for 200 of its
//! accounts and a room they have joined, and saves them as the plan. `run` measures, on every
//! node given (clients spread over them, so that with two nodes deliveries cross between
//! nodes): home-timeline reads, status creation, wall post → notification on the owner's
//! stream, room fan-out, and the memory of idle connections. With `--reference`, each
//! measurement is repeated against the reference, a bare axum server on the same database
//! (`reference.rs`), and the table shows both and their ratio. `practice` runs a server in
//! its own process on a fresh database with the demo, and a training class doing the practice
//! curriculum at once while the trainer's board is open (`practice.rs`).

mod practice;
mod reference;
mod scenarios;

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What `prepare` leaves for `run`.
#[derive(Serialize, Deserialize)]
pub struct Plan {
    /// Tokens of accounts that each follow 200 others.
    pub tokens: Vec<String>,
    pub account_ids: Vec<String>,
    /// A room all of them have joined.
    pub room_id: String,
}

struct Args(Vec<String>);

impl Args {
    fn value(&self, name: &str) -> Option<String> {
        let at = self.0.iter().position(|a| a == name)?;
        self.0.get(at + 1).cloned()
    }
    fn number(&self, name: &str, default: u64) -> u64 {
        self.value(name)
            .map_or(default, |v| v.parse().unwrap_or_else(|_| usage(name)))
    }
    fn required(&self, name: &str) -> String {
        self.value(name).unwrap_or_else(|| usage(name))
    }
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "sotong-load: {problem}\n\nusage:\n  sotong-load prepare --database-url URL [--accounts N] [--statuses N] [--plan FILE]\n  \
         sotong-load reference --database-url URL --listen ADDR\n  \
         sotong-load run --plan FILE --base URL[,URL] [--reference URL] [--label TEXT] [--seconds N]\n                  \
         [--connections N] [--listeners N] [--rate N] [--pairs N] [--idle N] [--markdown FILE]\n                  \
         [--only NAME]"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args(std::env::args().skip(1).collect());
    match args.0.first().map(String::as_str) {
        Some("prepare") => prepare(&args).await,
        Some("reference") => {
            reference::serve(&args.required("--database-url"), &args.required("--listen")).await
        }
        Some("run") => run(&args).await,
        Some("practice") => run_practice(&args).await,
        _ => usage("which command?"),
    }
}

async fn prepare(args: &Args) -> anyhow::Result<()> {
    let database_url = args.required("--database-url");
    let accounts = i64::try_from(args.number("--accounts", 10_000))?;
    let statuses = i64::try_from(args.number("--statuses", 1_000_000))?;
    let plan_file = args
        .value("--plan")
        .unwrap_or_else(|| "load-plan.json".into());
    let config = sotong::config::Config {
        database_url: database_url.clone(),
        data_dir: std::env::temp_dir().join("sotong-load"),
        ..sotong::config::Config::default()
    };
    let app = sotong::server::connect(config).await?;
    sotong::bench_data::seed_social(&app, accounts, statuses).await;
    let readers = 200;
    let first = sotong::bench_data::ACCOUNT_BASE;
    let tokens = sotong::bench_data::tokens_for(&app, first, readers).await;
    let members: Vec<i64> = (first + 1..first + readers).collect();
    let room = sotong::bench_data::joined_room(&app, &tokens[0], &members).await;
    let plan = Plan {
        tokens,
        account_ids: (first..first + readers).map(|i| i.to_string()).collect(),
        room_id: room.to_string(),
    };
    std::fs::write(&plan_file, serde_json::to_vec_pretty(&plan)?)?;
    eprintln!("== plan written to {plan_file}");
    app.close().await;
    Ok(())
}

async fn run_practice(args: &Args) -> anyhow::Result<()> {
    let database_url = args.required("--database-url");
    let trainees = usize::try_from(args.number("--trainees", 30))?;
    let label = args.value("--label").unwrap_or_else(|| "one node".into());
    let o = practice::measure(&database_url, trainees).await?;
    let header = "| configuration | measurement | tasks done | board shows it, p50 | p99 | longest | not shown |\n\
                  |---|---|---:|---:|---:|---:|---:|\n";
    let row = format!(
        "| {label} | {} trainees × {} tasks at once, board open | {} in {:.1} s ({:.0}/s) | {} | {} | {} | {} |\n",
        o.trainees,
        practice::TASKS,
        o.tasks,
        o.seconds,
        o.tasks as f64 / o.seconds.max(0.001),
        ms(o.p50),
        ms(o.p99),
        ms(o.max),
        o.missing,
    );
    println!("{header}{row}");
    match args.value("--markdown") {
        Some(file) => append_markdown(&file, header, &row),
        None => Ok(()),
    }
}

/// Appends rows to a markdown table in `file`, with the header when the file is new: several
/// runs make one table.
fn append_markdown(file: &str, header: &str, rows: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let fresh = std::fs::metadata(file).map_or(true, |m| m.len() == 0);
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?;
    if fresh {
        out.write_all(header.as_bytes())?;
    }
    out.write_all(rows.as_bytes())?;
    eprintln!("== table appended to {file}");
    Ok(())
}

/// One measured figure: how much, how fast.
#[derive(Clone, Default)]
pub struct Figure {
    /// Requests or deliveries per second; for idle connections, KiB per connection.
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// What happened, for the reader of the table: "12,345 requests", "99.8 % delivered".
    pub note: String,
}

/// How Sotong compares, in the figure that matters for the measurement: throughput for
/// closed-loop requests, p99 latency for deliveries at a fixed rate, memory for idle sockets.
fn ratio(unit: &str, sotong: &Figure, reference: &Figure) -> String {
    match unit {
        "req/s" => format!("{:.2}× the throughput", sotong.rate / reference.rate),
        "deliveries/s" if !reference.p99.is_zero() => format!(
            "{:.1}× the p99",
            sotong.p99.as_secs_f64() / reference.p99.as_secs_f64()
        ),
        _ => format!("{:.2}× the memory", sotong.rate / reference.rate),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn run(args: &Args) -> anyhow::Result<()> {
    let plan: Plan = serde_json::from_slice(&std::fs::read(args.required("--plan"))?)?;
    let bases: Vec<String> = args
        .required("--base")
        .split(',')
        .map(|b| b.trim_end_matches('/').to_owned())
        .collect();
    let reference = args.value("--reference");
    let label = args
        .value("--label")
        .unwrap_or_else(|| format!("{} node(s)", bases.len()));
    let settings = scenarios::Settings {
        seconds: args.number("--seconds", 10),
        connections: usize::try_from(args.number("--connections", 32))?,
        listeners: usize::try_from(args.number("--listeners", 1000))?,
        rate: args.number("--rate", 100),
        pairs: usize::try_from(args.number("--pairs", 20))?,
        idle: usize::try_from(args.number("--idle", 5000))?,
    };
    // `--only home` measures just the scenarios whose name starts with it.
    let only = args.value("--only").unwrap_or_default();
    let mut rows = Vec::new();
    for scenario in scenarios::ALL
        .into_iter()
        .filter(|s| s.name(&settings).starts_with(&only))
    {
        eprintln!("== {label}: {}", scenario.name(&settings));
        let sotong = scenario.measure(&bases, &plan, &settings).await?;
        let bare = match &reference {
            Some(r) => {
                eprintln!("== reference: {}", scenario.name(&settings));
                Some(
                    scenario
                        .measure(std::slice::from_ref(r), &plan, &settings)
                        .await?,
                )
            }
            None => None,
        };
        rows.push((scenario.name(&settings), scenario.unit(), sotong, bare));
    }
    let header = "| configuration | measurement | Sotong | p50 | p99 | reference | p50 | p99 | Sotong against reference |\n\
                  |---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    let mut table = String::new();
    for (name, unit, sotong, bare) in &rows {
        let (reference_cells, ratio) = match bare {
            Some(b) if b.rate > 0.0 => (
                format!("{:.0} {unit} | {} | {}", b.rate, ms(b.p50), ms(b.p99)),
                ratio(unit, sotong, b),
            ),
            _ => ("– | – | –".to_owned(), "–".to_owned()),
        };
        table.push_str(&format!(
            "| {label} | {name} ({}) | {:.0} {unit} | {} | {} | {reference_cells} | {ratio} |\n",
            sotong.note,
            sotong.rate,
            ms(sotong.p50),
            ms(sotong.p99),
        ));
    }
    println!("{header}{table}");
    match args.value("--markdown") {
        Some(file) => append_markdown(&file, header, &table),
        None => Ok(()),
    }
}
