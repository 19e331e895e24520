//! Work that holds a core for long (typesetting a PDF, writing a workbook, compressing a big
//! download) runs here, off the async runtime and at most `cores − 1` at once, so that on a
//! 2-core laptop one core always answers the phones voting in the meeting while reports are
//! downloaded. Waiting jobs queue in order.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use crate::http::error::WebError;

fn permits() -> &'static Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Arc::new(Semaphore::new(cores.saturating_sub(1).max(1)))
    })
}

/// Runs `work` on the blocking pool once a slot is free; `what` names it in the log if it fails.
pub async fn run<T, F>(what: &'static str, work: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = permits()
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| WebError::failed(what, e))?;
    tokio::task::spawn_blocking(move || {
        let _held = permit;
        work()
    })
    .await
    .map_err(|e| WebError::failed(what, e))
}
