//! An organisation's export job: where it stands, and how far it got.

/// The state of an export job (`organization_exports.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    Queued,
    Running,
    Done,
    Failed,
}

impl ExportState {
    pub const ALL: [ExportState; 4] = [
        ExportState::Queued,
        ExportState::Running,
        ExportState::Done,
        ExportState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportState::Queued => "queued",
            ExportState::Running => "running",
            ExportState::Done => "done",
            ExportState::Failed => "failed",
        }
    }

    /// Waiting for a worker or being made: the organisation may not ask for another.
    pub fn is_pending(self) -> bool {
        matches!(self, ExportState::Queued | ExportState::Running)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ExportState::Queued => "web.export_org.state_queued",
            ExportState::Running => "web.export_org.state_running",
            ExportState::Done => "web.export_org.state_done",
            ExportState::Failed => "web.export_org.state_failed",
        }
    }

    /// How far the job got, in whole percent: 100 only once done, so a job that wrote every
    /// record but not yet its archive reads 99.
    pub fn percent(self, done: i64, total: i64) -> i64 {
        match self {
            ExportState::Done => 100,
            _ if total > 0 => (done.saturating_mul(100) / total).clamp(0, 99),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExportState;

    #[test]
    fn progress_reaches_100_only_when_done() {
        assert_eq!(ExportState::Queued.percent(0, 0), 0);
        assert_eq!(ExportState::Running.percent(50, 200), 25);
        assert_eq!(ExportState::Running.percent(200, 200), 99);
        assert_eq!(ExportState::Done.percent(0, 0), 100);
        assert_eq!(ExportState::Failed.percent(10, 20), 50);
        assert!(ExportState::Running.is_pending() && !ExportState::Done.is_pending());
    }
}
