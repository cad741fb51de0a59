//! Start-up and shutdown: connect, migrate, bind, serve until told to stop.

use crate::app::App;
use crate::config::Config;
use crate::db::Db;
use anyhow::Context as _;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// A server that is bound and ready; `run_until_stopped` serves.
pub struct Server {
    listener: TcpListener,
    app: App,
    /// The tasks carrying events to and from the other nodes.
    bus: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Connects to the database, runs migrations and binds the listener (port 0 picks a free
    /// port, which tests read back with `local_addr`).
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        // With port 0 the real port is known only now; links and OAuth metadata need it.
        config.listen = listener.local_addr()?;
        let app = connect(config).await?;
        let carrier =
            crate::live::bus::Carrier::choose(&app.config.cluster, &app.config.database_url())?;
        let bus = crate::live::bus::join(app.hub.clone(), &carrier).await?;
        Ok(Self { listener, app, bus })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let workers = if self.app.config.background_jobs {
            background_workers(&self.app)
        } else {
            Vec::new()
        };
        let router = crate::http::router(self.app.clone());
        // Trailing slashes are trimmed before routing: Mastodon.py asks for `/api/v1/instance/`.
        let service = tower::Layer::layer(
            &tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash(),
            router,
        );
        // Stream frames are small and must leave at once, not wait for Nagle's algorithm.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        let result = axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                SocketAddr,
            >(service),
        )
        .with_graceful_shutdown({
            let hub = self.app.hub.clone();
            async move {
                shutdown.await;
                // Open streams would otherwise keep graceful shutdown waiting forever.
                hub.close();
            }
        })
        .await;
        for worker in workers {
            worker.abort();
        }
        for task in self.bus {
            task.abort();
        }
        self.app.close().await;
        result.context("server failed")
    }
}

/// Opens the database (creating the data directory for SQLite) and builds the `App`.
pub async fn connect(mut config: Config) -> anyhow::Result<App> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    }
    let media_store = crate::media_store::MediaStore::open(&config)?;
    let db = Db::connect(&url, config.max_db_connections)
        .await
        .context("cannot open the database")?;
    // Accounts written before initial-consonant search existed get their 초성 now.
    crate::db::accounts::backfill_choseong(db.pool())
        .await
        .context("cannot prepare name search")?;
    let key = db
        .instance_key("media_urls", crate::app::secrets::random_token)
        .await
        .context("cannot read the instance's keys")?;
    config.media_url_key = key.as_str().into();
    let vapid = db
        .instance_key("vapid", crate::app::push::new_vapid_key)
        .await
        .context("cannot read the instance's keys")?;
    config.vapid_key = vapid.as_str().into();
    let push_tokens = db
        .instance_key("push_tokens", crate::app::secrets::random_token)
        .await
        .context("cannot read the instance's keys")?;
    config.push_token_key = push_tokens.as_str().into();
    Ok(App::new(db, config, media_store))
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The tasks that work in the background on every node: the background round (on whichever
/// node holds its lease), push deliveries, and organisations' exports.
fn background_workers(app: &App) -> Vec<tokio::task::JoinHandle<()>> {
    let every = Duration::from_secs(app.config.cluster.jobs_every_secs.max(1));
    let node = format!("{:016x}", app.hub.node());
    let sweeper = {
        let (app, holder) = (app.clone(), node.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(every);
            let mut round: u64 = 0;
            loop {
                every.tick().await;
                // Reminders, session rooms, clean-up: on whichever node holds the lease.
                match app.background_round(&holder, round).await {
                    Ok(true) => round += 1,
                    Ok(false) => {}
                    Err(error) => tracing::warn!(?error, "background work failed"),
                }
            }
        })
    };
    let pusher = {
        let app = app.clone();
        tokio::spawn(async move {
            // Push messages leave as soon as their notification is announced, and waiting ones
            // (to retry, or queued by a node that stopped) on the background round's clock.
            loop {
                if let Err(error) = app.deliver_pushes(crate::domain::time::now_ms()).await {
                    tracing::warn!(?error, "push delivery failed");
                }
                tokio::select! {
                    () = app.hub.notification_announced() => {}
                    () = tokio::time::sleep(every) => {}
                }
            }
        })
    };
    let exporter = {
        let (app, worker) = (app.clone(), node);
        tokio::spawn(async move {
            // Organisations' exports, one at a time on each node, apart from the background
            // round (an export of millions of records must not hold up the complaint timers).
            loop {
                match app.run_next_export(&worker).await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(error) => tracing::warn!(?error, "an export failed"),
                }
                tokio::time::sleep(every).await;
            }
        })
    };
    let deliverer = {
        let app = app.clone();
        tokio::spawn(async move {
            // Activities for other servers leave as soon as a write on this node queued them,
            // and those queued elsewhere or due again on the background round's clock. The
            // queue is shared: each delivery is claimed by one node at a time.
            loop {
                if app.config.federation.enabled
                    && let Err(error) = app.deliver_activities(crate::domain::time::now_ms()).await
                {
                    tracing::warn!(?error, "federation delivery failed");
                }
                app.federator.wait_for_deliveries(every).await;
            }
        })
    };
    vec![sweeper, pusher, exporter, deliverer]
}
