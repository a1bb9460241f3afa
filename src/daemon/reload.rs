//! SIGHUP: the configuration and every policy read again, switched to at once, or refused.

use super::*;

impl Channel<'_> {
    /// SIGHUP: read the configuration file and every policy again and switch to them at once.
    /// Anything that does not load, or a change beyond the routes' policies (directories,
    /// outputs, limits: those need a restart, since the channel is confined to what it opened),
    /// is refused loudly and the running version stays.
    pub(super) fn reload(&self) {
        let refuse = |why: String| {
            tracing::error!(channel = %self.cfg.name, reason = %why,
                "RELOAD REFUSED: the running configuration and policies stay in force");
        };
        let routes = match &self.config_path {
            Some(path) => match Config::load_for_reload(path) {
                Err(e) => return refuse(e.to_string()),
                Ok(new) if new.user != self.user => {
                    return refuse(format!(
                        "{}: `user` changed; restart the guard to apply it",
                        path.display()
                    ));
                }
                Ok(new) => match new.channels.into_iter().find(|c| c.name == self.cfg.name) {
                    None => return refuse(format!("{}: channel `{}` is gone", path.display(), self.cfg.name)),
                    Some(ch) => {
                        if let Some(field) = fixed_change(self.cfg, &ch) {
                            return refuse(format!(
                                "{}: `{field}` changed; only the routes' policies are reloaded, restart the \
                                 guard to apply the rest",
                                path.display()
                            ));
                        }
                        ch.routes
                    }
                },
            },
            None => self.cfg.routes.clone(),
        };
        let old = self.live();
        let outputs: Vec<Arc<dyn Output>> = old.routes.iter().map(|r| Arc::clone(&r.output)).collect();
        let new = match load_live(self.cfg, &routes, self.program.as_deref(), &outputs) {
            Ok(n) => n,
            Err(e) => return refuse(e),
        };
        let changes: Vec<String> = old
            .routes
            .iter()
            .zip(&new.routes)
            .map(|(o, n)| {
                format!(
                    "{}: {} {} → {} {}",
                    n.name, o.policy.name, o.policy.sha256, n.policy.name, n.policy.sha256
                )
            })
            .collect();
        if let Some(b) = &self.board {
            for (route, version) in super::metrics::policy_versions(&new) {
                b.set_policy(&route, version);
            }
        }
        *self.live.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(new);
        tracing::info!(channel = %self.cfg.name, routes = ?changes,
            "reloaded: every message from now on is decided (and audited) under these policies");
    }
}

/// The first field that differs between two versions of a channel other than its routes'
/// policies (what a reload may not change), or `None`.
pub(super) fn fixed_change(old: &ChannelConfig, new: &ChannelConfig) -> Option<String> {
    let blank = |c: &ChannelConfig| {
        let mut c = c.clone();
        for r in &mut c.routes {
            r.policy = std::path::PathBuf::new();
        }
        c
    };
    let (a, b) = (blank(old), blank(new));
    let fields: [(&str, String, String); 12] = [
        ("inbox", format!("{:?}", a.inbox), format!("{:?}", b.inbox)),
        (
            "urgent_inbox",
            format!("{:?}", a.urgent_inbox),
            format!("{:?}", b.urgent_inbox),
        ),
        (
            "quarantine",
            format!("{:?}", a.quarantine),
            format!("{:?}", b.quarantine),
        ),
        ("audit", format!("{:?}", a.audit), format!("{:?}", b.audit)),
        ("workers", format!("{:?}", a.workers), format!("{:?}", b.workers)),
        ("queue", format!("{:?}", a.queue), format!("{:?}", b.queue)),
        (
            "max_input_bytes",
            format!("{:?}", a.max_input_bytes),
            format!("{:?}", b.max_input_bytes),
        ),
        ("fsync", format!("{:?}", a.fsync), format!("{:?}", b.fsync)),
        ("sandbox", format!("{:?}", a.sandbox), format!("{:?}", b.sandbox)),
        ("verifier", format!("{:?}", a.verifier), format!("{:?}", b.verifier)),
        (
            "poll_interval_ms",
            format!("{:?}", a.poll_interval_ms),
            format!("{:?}", b.poll_interval_ms),
        ),
        ("route", format!("{:?}", a.routes), format!("{:?}", b.routes)),
    ];
    fields
        .into_iter()
        .find(|(_, x, y)| x != y)
        .map(|(f, _, _)| f.to_string())
        .or_else(|| (format!("{a:?}") != format!("{b:?}")).then(|| "channel".to_string()))
}
