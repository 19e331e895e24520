//! Bounded work for anonymous requests: how many password checks run at once, and the
//! back-off after repeated failed logins, by address and by account.
//!
//! An argon2 check holds 19 MiB for about 30 ms: with no bound, a few hundred simultaneous
//! posts to `/login` exhaust a laptop's memory. At most one check per core runs; the others
//! wait their turn up to `HASH_WAIT`, then get `503`.
//!
//! Back-off, chosen so that a team typing on one shared laptop is never locked out:
//! - an **account** gets `ACCOUNT_FREE` failures, then each further failure makes it wait
//!   1, 2, 4 … s, never more than `MAX_WAIT` (a minute); a success clears it;
//! - an **address** (a whole team behind one laptop, or one phone) gets `ADDRESS_FREE`
//!   failures in `WINDOW` before the same doubling applies to it.
//!
//! - a phone's **code** (six characters of 31: 31⁶ ≈ 887 million, a meeting holding at most a
//!   few hundred) gets `CODE_FREE` wrong codes per address in `WINDOW`, then the same
//!   doubling: past the free ones about one guess a minute, some 740 in a meeting's 12 hours,
//!   so the odds an address finds one of 300 codes are about 740 × 300 / 887 million, 1 in 4 000.
//!
//! A locked attempt is answered `429` with `Retry-After` and checks no password. Failures are
//! forgotten after `WINDOW`; the tables hold at most `MAX_TRACKED` entries each, the oldest
//! dropped first, so a flood of made-up names or addresses cannot grow them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

pub const ACCOUNT_FREE: u32 = 5;
pub const ADDRESS_FREE: u32 = 20;
pub const CODE_FREE: u32 = 10;
pub const MAX_WAIT: Duration = Duration::from_secs(60);
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const HASH_WAIT: Duration = Duration::from_secs(10);
const MAX_TRACKED: usize = 10_000;

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// How long is left to wait before the next attempt, given the free failures.
    fn wait(&self, free: u32, now: Instant) -> Option<Duration> {
        let over = self.count.checked_sub(free).filter(|&o| o > 0)?;
        let wait = Duration::from_secs(1u64 << (over - 1).min(6)).min(MAX_WAIT);
        let until = self.last + wait;
        (until > now).then(|| until - now)
    }
}

#[derive(Default, Debug)]
struct Tables {
    accounts: HashMap<String, Failures>,
    addresses: HashMap<IpAddr, Failures>,
    /// Wrong phone codes, by address (apart from passwords: a phone mistyping its code does
    /// not slow the team's logins).
    codes: HashMap<IpAddr, Failures>,
}

fn note<K: std::hash::Hash + Eq + Clone>(table: &mut HashMap<K, Failures>, key: &K, now: Instant) {
    table.retain(|_, f| now.duration_since(f.last) < WINDOW);
    if table.len() >= MAX_TRACKED
        && !table.contains_key(key)
        && let Some(oldest) = table
            .iter()
            .min_by_key(|(_, f)| f.last)
            .map(|(k, _)| k.clone())
    {
        table.remove(&oldest);
    }
    let entry = table.entry(key.clone()).or_insert(Failures {
        count: 0,
        last: now,
    });
    entry.count += 1;
    entry.last = now;
}

/// The address a phone's wrong codes count against; one without a known address (no
/// connection information) counts against all of them together, never against none.
fn code_key(address: Option<IpAddr>) -> IpAddr {
    address.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// A hash no password matches, checked for unknown accounts so that the time a refusal takes
/// says nothing of which usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        sigida_app::accounts::hash_password(&sigida_app::accounts::generate_password())
            .unwrap_or_default()
    })
}

/// A password to check against a hash, and where to say the answer.
type Job = (String, String, tokio::sync::oneshot::Sender<bool>);

/// The login guard every request shares.
#[derive(Clone, Debug)]
pub struct LoginGuard {
    hashing: Arc<Semaphore>,
    jobs: std::sync::mpsc::SyncSender<Job>,
    tables: Arc<Mutex<Tables>>,
}

impl Default for LoginGuard {
    /// One checking thread per core, started once: the 19 MiB each check takes is allocated
    /// and freed by the same few threads, so the memory they keep does not grow with the
    /// number of attempts (on tokio's blocking pool, each new thread kept its own).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(cores);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..cores {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("sigida-mot-de-passe-{i}"))
                .spawn(move || {
                    if i == 0 {
                        // Ready before the first unknown name is typed.
                        dummy_hash();
                    }
                    loop {
                        let next = queue.lock().ok().and_then(|q| q.recv().ok());
                        let Some((hash, password, answer)) = next else {
                            break;
                        };
                        let _ =
                            answer.send(sigida_app::accounts::verify_password(&hash, &password));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "vérification des mots de passe : fil non démarré");
            }
        }
        Self {
            hashing: Arc::new(Semaphore::new(cores)),
            jobs,
            tables: Arc::default(),
        }
    }
}

/// Why a login was not even tried.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too many recent failures: try again after this long.
    Wait(Duration),
    /// Every password check is taken: the server is busy.
    Busy,
}

impl LoginGuard {
    /// Whether an attempt for `account` from `address` must wait.
    pub fn check(&self, account: &str, address: Option<IpAddr>) -> Result<(), Refusal> {
        let now = Instant::now();
        let Ok(tables) = self.tables.lock() else {
            return Ok(());
        };
        let account_wait = tables
            .accounts
            .get(account)
            .and_then(|f| f.wait(ACCOUNT_FREE, now));
        let address_wait = address
            .and_then(|a| tables.addresses.get(&a))
            .and_then(|f| f.wait(ADDRESS_FREE, now));
        match account_wait.max(address_wait) {
            Some(wait) => Err(Refusal::Wait(wait)),
            None => Ok(()),
        }
    }

    pub fn failed(&self, account: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        if let Ok(mut tables) = self.tables.lock() {
            note(&mut tables.accounts, &account.to_owned(), now);
            if let Some(address) = address {
                note(&mut tables.addresses, &address, now);
            }
        }
    }

    /// Whether a phone at `address` must wait before trying a code again.
    pub fn check_code(&self, address: Option<IpAddr>) -> Result<(), Refusal> {
        let now = Instant::now();
        let Ok(tables) = self.tables.lock() else {
            return Ok(());
        };
        match tables
            .codes
            .get(&code_key(address))
            .and_then(|f| f.wait(CODE_FREE, now))
        {
            Some(wait) => Err(Refusal::Wait(wait)),
            None => Ok(()),
        }
    }

    pub fn code_failed(&self, address: Option<IpAddr>) {
        let now = Instant::now();
        if let Ok(mut tables) = self.tables.lock() {
            note(&mut tables.codes, &code_key(address), now);
        }
    }

    pub fn succeeded(&self, account: &str) {
        if let Ok(mut tables) = self.tables.lock() {
            tables.accounts.remove(account);
        }
    }

    /// Runs a password check when a core is free (waiting up to `HASH_WAIT`), on the
    /// checking threads, off the async runtime.
    pub async fn verify(&self, hash: String, password: String) -> Result<bool, Refusal> {
        let _permit = tokio::time::timeout(HASH_WAIT, self.hashing.acquire())
            .await
            .map_err(|_| Refusal::Busy)?
            .map_err(|_| Refusal::Busy)?;
        let (answer, checked) = tokio::sync::oneshot::channel();
        // One permit per thread: the queue always has room for a holder of a permit.
        self.jobs
            .try_send((hash, password, answer))
            .map_err(|_| Refusal::Busy)?;
        checked.await.map_err(|_| Refusal::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_by_account_and_address_then_clear() {
        let guard = LoginGuard::default();
        let here: IpAddr = "10.0.0.7".parse().unwrap();
        for _ in 0..ACCOUNT_FREE {
            assert_eq!(guard.check("awa", Some(here)), Ok(()));
            guard.failed("awa", Some(here));
        }
        assert_eq!(guard.check("awa", Some(here)), Ok(()), "the free failures");
        guard.failed("awa", Some(here));
        let Err(Refusal::Wait(wait)) = guard.check("awa", Some(here)) else {
            panic!("the sixth failure makes the account wait");
        };
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        // Another account on the same laptop is not held back by her mistakes.
        assert_eq!(guard.check("binta", Some(here)), Ok(()));
        guard.succeeded("awa");
        assert_eq!(guard.check("awa", Some(here)), Ok(()));
        // An address guessing many names waits too, once past its free failures.
        for i in 0..ADDRESS_FREE {
            guard.failed(&format!("nom{i}"), Some(here));
        }
        assert!(matches!(
            guard.check("quelquun", Some(here)),
            Err(Refusal::Wait(_))
        ));
        let elsewhere: IpAddr = "10.0.0.8".parse().unwrap();
        assert_eq!(guard.check("quelquun", Some(elsewhere)), Ok(()));
    }

    #[test]
    fn waits_double_and_stop_at_a_minute() {
        let now = Instant::now();
        let f = |count| Failures { count, last: now };
        assert_eq!(f(ACCOUNT_FREE).wait(ACCOUNT_FREE, now), None);
        assert_eq!(
            f(ACCOUNT_FREE + 1).wait(ACCOUNT_FREE, now),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            f(ACCOUNT_FREE + 3).wait(ACCOUNT_FREE, now),
            Some(Duration::from_secs(4))
        );
        assert_eq!(f(ACCOUNT_FREE + 40).wait(ACCOUNT_FREE, now), Some(MAX_WAIT));
    }
}
