//! A meeting's votes under load and through a crash, on the real server over loopback: 300
//! phones joining and voting at once end with exactly 300 ballots and the right totals; a
//! laptop killed (SIGKILL) while phones vote comes back with every ballot it acknowledged.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use sigida_core::meeting::{AgeGroup, Participant, Question, QuestionKind, Sex, tally};
use sigida_core::{Id, Timestamp};
use support::{DemoServer, agent};

const PHONES: usize = 300;
const OPTIONS: [&str; 3] = ["eau", "emploi", "papiers"];

fn now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

/// Joins with a code and returns the phone's cookie.
fn join(base: &str, code: &str) -> Option<String> {
    let r = agent()
        .post(&format!("{base}/v"))
        .send_form(&[("code", code)])
        .ok()?;
    (r.status() == 303).then(|| {
        r.header("set-cookie")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

/// Votes; `Ok` when the server acknowledged the ballot, else what it answered.
fn vote(base: &str, cookie: &str, question: Id<Question>, option: &str) -> Result<(), String> {
    let reply = agent()
        .post(&format!("{base}/v/ballot"))
        .set("Cookie", cookie)
        .send_form(&[("question", &question.to_string()), ("option", option)]);
    match reply {
        Ok(r) if r.status() == 303 && r.header("location").is_some_and(|l| l.contains("saved")) => {
            Ok(())
        }
        Ok(r) => Err(format!("{} {:?}", r.status(), r.header("location"))),
        Err(ureq::Error::Status(code, r)) => {
            Err(format!("{code} {}", r.into_string().unwrap_or_default()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Diboli's meeting with 300 participants registered (codes `T00000`…) and two open questions,
/// opened to phones, as the facilitator's screen leaves them.
async fn room(
    dir: &std::path::Path,
) -> (
    sigida_core::meeting::Meeting,
    Question,
    Question,
    Vec<String>,
) {
    let store = support::open_store(dir).await;
    let (_, diboli) = support::diagnostic_and_community(&store, "diboli").await;
    let meeting = store.meetings(diboli.id).await.unwrap().remove(0);
    let question = |position: i64| Question {
        id: Id::new(),
        meeting_id: meeting.id,
        position,
        kind: QuestionKind::Choice,
        prompt: format!("Question {position}"),
        options: OPTIONS.map(String::from).to_vec(),
        finding_id: None,
        open: true,
    };
    let (first, second) = (question(10), question(11));
    let mut codes = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for i in 0..PHONES {
        let code = format!("T{i:05}");
        tx.insert_participant(&Participant {
            id: Id::new(),
            meeting_id: meeting.id,
            name: None,
            sex: if i.is_multiple_of(2) {
                Sex::Female
            } else {
                Sex::Male
            },
            age_group: AgeGroup::Youth,
            stakeholder_type: None,
            group: None,
            organisation: String::new(),
            consent: true,
            checked_in_at: Some(now()),
            check_code: code.clone(),
        })
        .await
        .unwrap();
        codes.push(code);
    }
    tx.insert_question(&first).await.unwrap();
    tx.insert_question(&second).await.unwrap();
    // Opened to phones, as opening a question on the facilitator's screen does.
    tx.set_phones_open_until(meeting.id, now().plus_seconds(3600))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    (meeting, first, second, codes)
}

#[test]
fn three_hundred_phones_vote_at_once_and_a_killed_laptop_keeps_every_acknowledged_ballot() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = DemoServer::start(dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // The register and two open questions, as the facilitator's screen writes them.
    let (meeting, first, second, codes) = runtime.block_on(room(dir.path()));

    // 300 phones join, then vote at the same instant.
    let barrier = Arc::new(Barrier::new(PHONES));
    let started = std::time::Instant::now();
    let cookies: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let barrier = barrier.clone();
                let base = server.base.clone();
                let question = first.id;
                scope.spawn(move || {
                    let cookie = join(&base, code).expect("a registered code joins");
                    barrier.wait();
                    if let Err(why) = vote(&base, &cookie, question, OPTIONS[i % 3]) {
                        panic!("ballot {i}: {why}");
                    }
                    cookie
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // A figure for the README, not a limit: the machine's load decides it.
    eprintln!(
        "{PHONES} phones joined and voted in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let ballots: Vec<_> = store
            .ballots(meeting.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.question_id == first.id)
            .collect();
        assert_eq!(ballots.len(), PHONES, "exactly one ballot per phone");
        let participants = store.participants(meeting.id).await.unwrap();
        let t = tally(&first, &ballots, &participants, &[]);
        for row in &t.overall {
            assert_eq!(row.phone, 100, "{}", row.option);
        }
        store.close().await;
    });

    // The laptop dies while the phones vote on the second question.
    let acknowledged: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for (i, cookie) in cookies.iter().enumerate() {
            let base = server.base.clone();
            let acknowledged = acknowledged.clone();
            let sent = sent.clone();
            let question = second.id;
            scope.spawn(move || {
                sent.fetch_add(1, Ordering::SeqCst);
                if vote(&base, cookie, question, OPTIONS[(i + 1) % 3]).is_ok() {
                    acknowledged.lock().unwrap().push(i);
                }
            });
        }
        // Kill it once some ballots are in, others still on their way.
        while acknowledged.lock().unwrap().len() < 40 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
    });
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40);
    runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let problems = store.check_integrity().await.unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let ballots: Vec<_> = store
            .ballots(meeting.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.question_id == second.id)
            .collect();
        let participants = store.participants(meeting.id).await.unwrap();
        for i in &acknowledged {
            let id = participants
                .iter()
                .find(|p| p.check_code == codes[*i])
                .unwrap()
                .id;
            let ballot = ballots.iter().find(|b| b.participant_id == id);
            assert_eq!(
                ballot.map(|b| b.option.as_str()),
                Some(OPTIONS[(i + 1) % 3]),
                "acknowledged ballot {i} survived"
            );
        }
        assert!(ballots.len() <= PHONES);
        store.close().await;
    });
}

/// `sigida backup` while 300 phones vote: the restored copy holds every ballot acknowledged
/// before the backup started, is intact, and the sealed file shows no phone number.
#[test]
fn a_backup_taken_while_phones_vote_restores_every_ballot_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = DemoServer::start(dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (meeting, first, _, codes) = runtime.block_on(room(dir.path()));
    // The demo's key, beside its folder: it seals the diagnostic and the backup.
    let key = support::key_beside(dir.path());
    let keys = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let backup = keys.path().join("diboli.sigida");

    let cookies: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = codes
            .iter()
            .map(|code| {
                let base = server.base.clone();
                scope.spawn(move || join(&base, code).expect("a registered code joins"))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let acknowledged: Arc<Mutex<Vec<(usize, std::time::Instant)>>> = Arc::default();
    let mut started = None;
    std::thread::scope(|scope| {
        for (i, cookie) in cookies.iter().enumerate() {
            let base = server.base.clone();
            let acknowledged = acknowledged.clone();
            let question = first.id;
            scope.spawn(move || {
                vote(&base, cookie, question, OPTIONS[i % 3]).unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push((i, std::time::Instant::now()));
            });
        }
        // The backup starts once some ballots are in, others still on their way.
        while acknowledged.lock().unwrap().len() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        started = Some(std::time::Instant::now());
        let out = support::run(&[
            "backup",
            "--out",
            backup.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
            "--dir",
            d,
        ]);
        assert!(out.status.success(), "{}", support::text(&out));
    });
    let started = started.unwrap();
    let before: Vec<usize> = acknowledged
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at)| *at < started)
        .map(|(i, _)| *i)
        .collect();
    assert!(before.len() >= 60, "{}", before.len());
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // Sealed: readable by its owner only, no phone number nor code in it (the database has them).
    use std::os::unix::fs::PermissionsExt;
    let sealed = std::fs::read(&backup).unwrap();
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let holds = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(!holds(&sealed, "+223 ") && !holds(&sealed, "T00042"));

    // Restored elsewhere: intact, and every ballot acknowledged before the backup is there.
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("restauré");
    let restore = |key: &std::path::Path| {
        support::run(&[
            "restore",
            backup.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
            "--dir",
            target.to_str().unwrap(),
        ])
    };
    let out = restore(&key);
    assert!(out.status.success(), "{}", support::text(&out));
    runtime.block_on(async {
        let key = sigida_vault::Key::read_file(&key).unwrap();
        let store = sigida_store::Store::open_dir_with(&target, Some(key))
            .await
            .unwrap();
        assert!(store.check_integrity().await.unwrap().is_empty());
        let ballots: Vec<_> = store
            .ballots(meeting.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.question_id == first.id)
            .collect();
        let participants = store.participants(meeting.id).await.unwrap();
        for i in &before {
            let id = participants
                .iter()
                .find(|p| p.check_code == codes[*i])
                .unwrap()
                .id;
            assert!(
                ballots
                    .iter()
                    .any(|b| b.participant_id == id && b.option == OPTIONS[i % 3]),
                "ballot {i}, acknowledged before the backup, is in the restored copy"
            );
        }
        assert!(ballots.len() <= PHONES);
        assert!(store.verify_audit().await.unwrap().breaks.is_empty());
        store.close().await;
    });
    eprintln!(
        "backup during voting: {} ballots acknowledged before it, {} bytes sealed",
        before.len(),
        sealed.len()
    );

    // Another key opens nothing and replaces nothing.
    let database = std::fs::read(target.join("sigida.db")).unwrap();
    let other = keys.path().join("autre.key");
    assert!(
        support::run(&["key", "new", "--out", other.to_str().unwrap()])
            .status
            .success()
    );
    let refused = restore(&other);
    assert_eq!(
        refused.status.code(),
        Some(3),
        "{}",
        support::text(&refused)
    );
    assert!(support::text(&refused).contains("pas la clé"));
    assert_eq!(std::fs::read(target.join("sigida.db")).unwrap(), database);
}
